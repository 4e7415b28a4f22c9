"""The xAPI data model (xAPI-Data.md §2 and §4; 2.0.0 differences), grouped by the spec's sections.

Every negative case asserts the exact property path and that the input was left unchanged.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from trellis.lrs.xapi.errors import XapiValidationError
from trellis.lrs.xapi.timefmt import format_timestamp, parse_duration, parse_timestamp
from trellis.lrs.xapi.validation import (
    is_language_tag,
    normalize_statement,
    validate_statement,
)

V1 = "1.0.3"
V2 = "2.0.0"
BOTH = pytest.mark.parametrize("version", [V1, V2])
UUID = "12345678-1234-5678-1234-567812345678"
ACTOR = {"mbox": "mailto:xapi@adlnet.gov"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}}
ACTIVITY = {"id": "http://example.adlnet.gov/xapi/example/activity"}


def statement(**changes: Any) -> dict[str, Any]:
    """The spec's simplest statement (§2.4 example) with ``changes`` applied (None removes a key)."""
    data: dict[str, Any] = {
        "id": UUID,
        "actor": copy.deepcopy(ACTOR),
        "verb": copy.deepcopy(VERB),
        "object": copy.deepcopy(ACTIVITY),
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def rejects(
    data: Any, path: str, *, version: str = V1, contains: str = "", prefix: str = ""
) -> None:
    before = copy.deepcopy(data)
    with pytest.raises(XapiValidationError) as info:
        validate_statement(data, version=version, path=prefix)
    assert info.value.path == path, info.value.message
    assert info.value.status == 400
    assert info.value.property == path
    assert contains in info.value.message
    assert data == before


def accepts(data: Any, *, version: str = V1) -> None:
    before = copy.deepcopy(data)
    validate_statement(data, version=version)
    assert data == before


def agent_object(**agent: Any) -> dict[str, Any]:
    return {"objectType": "Agent", **agent}


def with_definition(definition: dict[str, Any]) -> dict[str, Any]:
    return statement(object={"id": "http://example.com/q1", "definition": definition})


SPEC_EXAMPLES: dict[str, dict[str, Any]] = {
    "appendix_a_1": {
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "timestamp": "2015-11-18T12:17:00+00:00",
        "actor": {
            "objectType": "Agent",
            "name": "Project Tin Can API",
            "mbox": "mailto:user@example.com",
        },
        "verb": {
            "id": "http://example.com/xapi/verbs#sent-a-statement",
            "display": {"en-US": "sent"},
        },
        "object": {
            "id": "http://example.com/xapi/activity/simplestatement",
            "definition": {
                "name": {"en-US": "simple statement"},
                "description": {
                    "en-US": "A simple Experience API "
                    "statement. Note that the "
                    "LRS \n"
                    "\t\t\t\tdoes not need to "
                    "have any prior "
                    "information about the "
                    "Actor (learner), the \n"
                    "\t\t\t\tverb, or the "
                    "Activity/object."
                },
            },
        },
    },
    "appendix_a_2": {
        "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119",
        "timestamp": "2015-12-18T12:17:00+00:00",
        "actor": {
            "objectType": "Agent",
            "name": "Example Learner",
            "mbox": "mailto:example.learner@adlnet.gov",
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attempted",
            "display": {"en-US": "attempted"},
        },
        "object": {
            "id": "http://example.adlnet.gov/xapi/example/simpleCBT",
            "definition": {
                "name": {"en-US": "simple CBT course"},
                "description": {"en-US": "A fictitious example CBT course."},
            },
        },
        "result": {
            "score": {"scaled": 0.95},
            "success": True,
            "completion": True,
            "duration": "PT1234S",
        },
    },
    "appendix_a_3": {
        "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        "actor": {
            "name": "Team PB",
            "mbox": "mailto:teampb@example.com",
            "member": [
                {
                    "name": "Andrew Downes",
                    "account": {"homePage": "http://www.example.com", "name": "13936749"},
                    "objectType": "Agent",
                },
                {
                    "name": "Toby Nichols",
                    "openid": "http://toby.openid.example.org/",
                    "objectType": "Agent",
                },
                {
                    "name": "Ena Hills",
                    "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9",
                    "objectType": "Agent",
                },
            ],
            "objectType": "Group",
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attended",
            "display": {"en-GB": "attended", "en-US": "attended"},
        },
        "result": {
            "extensions": {
                "http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:\\meetings\\minutes\\examplemeeting.one"
            },
            "success": True,
            "completion": True,
            "response": "We agreed on some example actions.",
            "duration": "PT1H0M0S",
        },
        "context": {
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "contextActivities": {
                "parent": [
                    {"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}
                ],
                "category": [
                    {
                        "id": "http://www.example.com/meetings/categories/teammeeting",
                        "objectType": "Activity",
                        "definition": {
                            "name": {"en": "team meeting"},
                            "description": {
                                "en": "A category of meeting used for regular team meetings."
                            },
                            "type": "http://example.com/expapi/activities/meetingcategory",
                        },
                    }
                ],
                "other": [
                    {
                        "id": "http://www.example.com/meetings/occurances/34257",
                        "objectType": "Activity",
                    },
                    {
                        "id": "http://www.example.com/meetings/occurances/3425567",
                        "objectType": "Activity",
                    },
                ],
            },
            "instructor": {
                "name": "Andrew Downes",
                "account": {"homePage": "http://www.example.com", "name": "13936749"},
                "objectType": "Agent",
            },
            "team": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group"},
            "platform": "Example virtual meeting software",
            "language": "tlh",
            "statement": {
                "objectType": "StatementRef",
                "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
            },
        },
        "timestamp": "2013-05-18T05:32:34.804+00:00",
        "stored": "2013-05-18T05:32:34.804+00:00",
        "authority": {
            "account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"},
            "objectType": "Agent",
        },
        "version": "1.0.0",
        "object": {
            "id": "http://www.example.com/meetings/occurances/34534",
            "definition": {
                "extensions": {
                    "http://example.com/profiles/meetings/activitydefinitionextensions/room": {
                        "name": "Kilby",
                        "id": "http://example.com/rooms/342",
                    }
                },
                "name": {"en-GB": "example meeting", "en-US": "example meeting"},
                "description": {
                    "en-GB": "An example "
                    "meeting that "
                    "happened on a "
                    "specific occasion "
                    "with certain "
                    "people present.",
                    "en-US": "An example "
                    "meeting that "
                    "happened on a "
                    "specific occasion "
                    "with certain "
                    "people present.",
                },
                "type": "http://adlnet.gov/expapi/activities/meeting",
                "moreInfo": "http://virtualmeeting.example.com/345256",
            },
            "objectType": "Activity",
        },
    },
    "appendix_b_activity": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://www.example.co.uk/exampleactivity",
            "definition": {
                "name": {"en-GB": "example activity", "en-US": "example activity"},
                "description": {
                    "en-GB": "An example of an activity",
                    "en-US": "An example of an activity",
                },
                "type": "http://www.example.co.uk/types/exampleactivitytype",
            },
            "objectType": "Activity",
        },
    },
    "appendix_b_agent": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "name": "Andrew Downes",
            "mbox": "mailto:andrew@example.co.uk",
            "objectType": "Agent",
        },
    },
    "appendix_b_group": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "name": "Example Group",
            "account": {"homePage": "http://example.com/homePage", "name": "GroupAccount"},
            "objectType": "Group",
            "member": [
                {
                    "name": "Andrew Downes",
                    "mbox": "mailto:andrew@example.com",
                    "objectType": "Agent",
                },
                {
                    "name": "Aaron Silvers",
                    "openid": "http://aaron.openid.example.org",
                    "objectType": "Agent",
                },
            ],
        },
    },
    "appendix_b_substatement": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "objectType": "SubStatement",
            "actor": {"objectType": "Agent", "mbox": "mailto:agent@example.com"},
            "verb": {"id": "http://example.com/confirmed", "display": {"en": "confirmed"}},
            "object": {"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
        },
    },
    "appendix_c_0": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q7",
            "definition": {
                "description": {"en-US": "Does the xAPI include the concept of statements?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "true-false",
                "correctResponsesPattern": ["true"],
            },
        },
    },
    "appendix_c_1": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q8",
            "definition": {
                "description": {
                    "en-US": "Which of these prototypes are available at the beta site?"
                },
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["golf[,]tetris"],
                "choices": [
                    {"id": "golf", "description": {"en-US": "Golf Example"}},
                    {"id": "facebook", "description": {"en-US": "Facebook App"}},
                    {"id": "tetris", "description": {"en-US": "Tetris Example"}},
                    {"id": "scrabble", "description": {"en-US": "Scrabble Example"}},
                ],
            },
        },
    },
    "appendix_c_2": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q9",
            "definition": {
                "description": {"en-US": "Ben is often heard saying: "},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "fill-in",
                "correctResponsesPattern": ["Bob's your uncle"],
            },
        },
    },
    "appendix_c_3": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q10",
            "definition": {
                "description": {"en-US": "What is the purpose of the xAPI?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "long-fill-in",
                "correctResponsesPattern": [
                    "{case_matters=false}{lang=en}To "
                    "store and provide access "
                    "to learning "
                    "experiences."
                ],
            },
        },
    },
    "appendix_c_4": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q11",
            "definition": {
                "description": {"en-US": "How awesome is Experience API?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "likert",
                "correctResponsesPattern": ["likert_3"],
                "scale": [
                    {"id": "likert_0", "description": {"en-US": "It's OK"}},
                    {"id": "likert_1", "description": {"en-US": "It's Pretty Cool"}},
                    {"id": "likert_2", "description": {"en-US": "It's Damn Cool"}},
                    {"id": "likert_3", "description": {"en-US": "It's Gonna Change the World"}},
                ],
            },
        },
    },
    "appendix_c_5": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q12",
            "definition": {
                "description": {"en-US": "Match these people to their kickball team:"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "matching",
                "correctResponsesPattern": ["ben[.]3[,]chris[.]2[,]troy[.]4[,]freddie[.]1"],
                "source": [
                    {"id": "ben", "description": {"en-US": "Ben"}},
                    {"id": "chris", "description": {"en-US": "Chris"}},
                    {"id": "troy", "description": {"en-US": "Troy"}},
                    {"id": "freddie", "description": {"en-US": "Freddie"}},
                ],
                "target": [
                    {"id": "1", "description": {"en-US": "Swift Kick in the Grass"}},
                    {"id": "2", "description": {"en-US": "We got Runs"}},
                    {"id": "3", "description": {"en-US": "Duck"}},
                    {"id": "4", "description": {"en-US": "Van Delay Industries"}},
                ],
            },
        },
    },
    "appendix_c_6": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q13",
            "definition": {
                "description": {
                    "en-US": "This interaction measures performance over a day of RS sports:"
                },
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "performance",
                "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10[,]lunch[.]"],
                "steps": [
                    {"id": "pong", "description": {"en-US": "Net pong matches won"}},
                    {
                        "id": "dg",
                        "description": {"en-US": "Strokes over par in disc golf at Liberty"},
                    },
                    {"id": "lunch", "description": {"en-US": "Lunch having been eaten"}},
                ],
            },
        },
    },
    "appendix_c_7": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q14",
            "definition": {
                "description": {"en-US": "Order players by their pong ladder position:"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "sequencing",
                "correctResponsesPattern": ["tim[,]mike[,]ells[,]ben"],
                "choices": [
                    {"id": "tim", "description": {"en-US": "Tim"}},
                    {"id": "ben", "description": {"en-US": "Ben"}},
                    {"id": "ells", "description": {"en-US": "Ells"}},
                    {"id": "mike", "description": {"en-US": "Mike"}},
                ],
            },
        },
    },
    "appendix_c_8": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q15",
            "definition": {
                "description": {"en-US": "How many jokes is Chris the butt of each day?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "numeric",
                "correctResponsesPattern": ["4[:]"],
            },
        },
    },
    "appendix_c_9": {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {
            "id": "http://example.com/q16",
            "definition": {
                "description": {"en-US": "On this map, please mark Franklin, TN"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "other",
                "correctResponsesPattern": ["(35.937432,-86.868896)"],
            },
        },
    },
}

INLINE_EXAMPLES: dict[str, dict[str, Any]] = {
    "section_2_4_simplest": statement(),
    "section_2_3_2_voiding": {
        "actor": {
            "objectType": "Agent",
            "name": "Example Admin",
            "mbox": "mailto:admin@example.adlnet.gov",
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"},
    },
    "section_2_4_4_3_statement_ref": {
        "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
        "verb": {"id": "http://example.com/commented", "display": {"en-US": "commented"}},
        "object": {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
        "result": {"response": "Wow, nice work!"},
    },
    "section_2_4_4_3_substatement": {
        "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
        "verb": {"id": "http://example.com/planned", "display": {"en-US": "planned"}},
        "object": {
            "objectType": "SubStatement",
            "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
            "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
            "object": {
                "objectType": "Activity",
                "id": "http://example.com/website",
                "definition": {"name": {"en-US": "Some Awesome Website"}},
            },
        },
    },
    "section_2_4_9_oauth_authority": statement(
        authority={
            "objectType": "Group",
            "member": [
                {
                    "account": {
                        "homePage": "http://example.com/xAPI/OAuth/Token",
                        "name": "oauth_consumer_x75db",
                    }
                },
                {"mbox": "mailto:bob@example.com"},
            ],
        }
    ),
    "section_2_4_6_2_context_activities": statement(
        context={
            "contextActivities": {
                "parent": [{"id": "http://example.adlnet.gov/xapi/example/test1"}],
                "grouping": [{"id": "http://example.adlnet.gov/xapi/example/Algebra1"}],
            }
        }
    ),
    "section_2_4_2_4_account": statement(
        actor={
            "objectType": "Agent",
            "account": {"homePage": "http://www.example.com", "name": "1625378"},
        }
    ),
}
ALL_EXAMPLES = {**SPEC_EXAMPLES, **INLINE_EXAMPLES}


class TestSpecExamples:
    """Appendix A, B and C and the inline examples of §2: valid in both versions, left unchanged."""

    @BOTH
    @pytest.mark.parametrize("name", sorted(ALL_EXAMPLES))
    def test_spec_example_is_valid(self, name: str, version: str) -> None:
        accepts(ALL_EXAMPLES[name], version=version)

    def test_all_appendix_examples_are_included(self) -> None:
        assert len(SPEC_EXAMPLES) == 17
        assert sum(name.startswith("appendix_c_") for name in SPEC_EXAMPLES) == 10


# --- §2.2 Formatting requirements ---------------------------------------------------------------


class TestFormatting:
    def test_statement_must_be_an_object(self) -> None:
        rejects([], "statement", contains="not an array")
        rejects("x", "[3]", prefix="[3]")

    @pytest.mark.parametrize("key", ["actor", "verb", "object"])
    def test_actor_verb_object_are_required(self, key: str) -> None:
        rejects(statement(**{key: None}), key, contains="is required")
        rejects(statement(**{key: None}), f"[3].{key}", prefix="[3]")

    def test_unknown_top_level_property(self) -> None:
        rejects(statement(extra=1), "extra", contains="is not a property of a Statement")

    def test_property_case_must_match(self) -> None:
        data = statement()
        data["Actor"] = data.pop("actor")
        rejects(data, "Actor")

    def test_unknown_nested_property(self) -> None:
        rejects(statement(verb={**VERB, "name": "x"}), "verb.name")
        rejects(
            statement(object={**ACTIVITY, "definition": {"title": {"en": "x"}}}),
            "object.definition.title",
        )

    def test_null_values_are_rejected(self) -> None:
        rejects(statement(result={"success": None}), "result.success", contains="must not be null")
        data = statement()
        data["context"] = {"registration": None}
        rejects(data, "context.registration", contains="must not be null")

    def test_nulls_inside_extensions_are_allowed(self) -> None:
        accepts(statement(result={"extensions": {"http://example.com/ext": None}}))

    def test_strings_are_not_numbers_or_booleans(self) -> None:
        rejects(statement(result={"score": {"raw": "5"}}), "result.score.raw", contains="a string")
        rejects(statement(result={"success": "true"}), "result.success", contains="a string")

    def test_booleans_are_not_numbers(self) -> None:
        rejects(statement(result={"score": {"scaled": True}}), "result.score.scaled")

    def test_batch_item_path_prefix(self) -> None:
        rejects(statement(verb={"id": "created"}), "[3].verb.id", prefix="[3]")


# --- §2.4.1 id / §4.4 UUIDs ------------------------------------------------------------------------


class TestId:
    @pytest.mark.parametrize(
        "value",
        [
            "not-a-uuid",
            "",
            "12345678123456781234567812345678",
            "12345678-1234-5678-1234-56781234567",
            "12345678-1234-5678-1234-56781234567g",
            "{12345678-1234-5678-1234-567812345678}",
            12,
        ],
    )
    def test_id_must_be_a_uuid(self, value: Any) -> None:
        rejects(statement(id=value), "id", contains="UUID")

    def test_upper_case_uuid_is_accepted(self) -> None:
        accepts(statement(id=UUID.upper().replace("-", "-")))

    def test_id_is_optional(self) -> None:
        accepts(statement(id=None))


# --- §2.4.2 Actor: Agents, Groups, IFIs, Accounts --------------------------------------------------


class TestActor:
    @pytest.mark.parametrize(
        "actor",
        [
            {"mbox": "mailto:a@example.com"},
            {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
            {"openid": "http://openid.example.org/12345"},
            {"account": {"homePage": "http://www.example.com", "name": "xAPI account name"}},
            {"objectType": "Agent", "name": "Ada", "mbox": "mailto:a@example.com"},
        ],
    )
    def test_each_ifi_identifies_an_agent(self, actor: dict[str, Any]) -> None:
        accepts(statement(actor=actor))

    def test_agent_needs_an_ifi(self) -> None:
        rejects(statement(actor={"name": "Ada"}), "actor", contains="exactly one")

    def test_agent_must_not_have_two_ifis(self) -> None:
        actor = {"mbox": "mailto:a@example.com", "openid": "http://openid.example.org/1"}
        rejects(statement(actor=actor), "actor", contains="found 2")

    @pytest.mark.parametrize(
        "mbox", ["a@example.com", "mailto:", "mailto:example.com", "mailto:a @example.com", 5]
    )
    def test_mbox_must_be_a_mailto_iri(self, mbox: Any) -> None:
        rejects(statement(actor={"mbox": mbox}), "actor.mbox", contains="mailto")

    @pytest.mark.parametrize("value", ["abc", "cd9b00a5611f94eaa7b1661edab976068e36497z", 1])
    def test_mbox_sha1sum_must_be_40_hex(self, value: Any) -> None:
        rejects(statement(actor={"mbox_sha1sum": value}), "actor.mbox_sha1sum")

    def test_openid_must_be_a_uri(self) -> None:
        rejects(statement(actor={"openid": "not a uri"}), "actor.openid")

    def test_account_needs_home_page_and_name(self) -> None:
        rejects(
            statement(actor={"account": {"name": "x"}}),
            "actor.account.homePage",
            contains="required",
        )
        rejects(
            statement(actor={"account": {"homePage": "http://example.com"}}), "actor.account.name"
        )

    def test_account_home_page_must_be_an_irl(self) -> None:
        account = {"homePage": "example.com", "name": "x"}
        rejects(statement(actor={"account": account}), "actor.account.homePage", contains="IRL")

    def test_account_rejects_unknown_properties(self) -> None:
        account = {"homePage": "http://example.com", "name": "x", "id": 1}
        rejects(statement(actor={"account": account}), "actor.account.id")

    def test_agent_object_type_must_be_agent_or_group(self) -> None:
        rejects(statement(actor={"objectType": "agent", **ACTOR}), "actor.objectType")
        rejects(statement(actor={"objectType": "Activity", **ACTOR}), "actor.objectType")

    def test_agent_name_must_be_a_string(self) -> None:
        rejects(statement(actor={"name": 1, **ACTOR}), "actor.name")

    def test_member_only_on_groups(self) -> None:
        rejects(statement(actor={**ACTOR, "member": []}), "actor.member", contains="Group")

    def test_anonymous_group_needs_members(self) -> None:
        rejects(
            statement(actor={"objectType": "Group", "name": "G"}),
            "actor.member",
            contains="required",
        )
        rejects(statement(actor={"objectType": "Group", "member": []}), "actor.member")

    def test_anonymous_group(self) -> None:
        accepts(
            statement(
                actor={
                    "objectType": "Group",
                    "member": [ACTOR, {"openid": "http://o.example.org/x"}],
                }
            )
        )

    def test_identified_group_without_members(self) -> None:
        accepts(statement(actor={"objectType": "Group", "mbox": "mailto:team@example.com"}))

    def test_identified_group_has_one_ifi(self) -> None:
        group = {
            "objectType": "Group",
            "mbox": "mailto:t@example.com",
            "openid": "http://o.example.org",
        }
        rejects(statement(actor=group), "actor", contains="found 2")

    def test_group_members_are_agents(self) -> None:
        inner = {"objectType": "Group", "mbox": "mailto:inner@example.com"}
        group = {"objectType": "Group", "member": [ACTOR, inner]}
        rejects(statement(actor=group), "actor.member[1].objectType", contains="not Groups")

    def test_group_member_is_validated(self) -> None:
        group = {"objectType": "Group", "member": [ACTOR, {"mbox": "bad"}]}
        rejects(statement(actor=group), "actor.member[1].mbox")

    def test_group_member_must_be_an_array(self) -> None:
        rejects(statement(actor={"objectType": "Group", "member": ACTOR}), "actor.member")


# --- §2.4.3 Verb -------------------------------------------------------------------------------------


class TestVerb:
    def test_verb_id_is_required(self) -> None:
        rejects(statement(verb={"display": {"en": "x"}}), "verb.id", contains="required")

    @pytest.mark.parametrize("value", ["created", "", "/relative/path", "http://exa mple.com", 1])
    def test_verb_id_must_be_an_iri(self, value: Any) -> None:
        rejects(statement(verb={"id": value}), "verb.id", contains="IRI")

    def test_verb_display_is_a_language_map(self) -> None:
        rejects(statement(verb={**VERB, "display": "created"}), "verb.display")
        rejects(statement(verb={**VERB, "display": {"en_US": "x"}}), "verb.display.en_US")
        rejects(statement(verb={**VERB, "display": {"en": 1}}), "verb.display.en")

    def test_verb_display_is_optional(self) -> None:
        accepts(statement(verb={"id": "http://example.com/verbs#done"}))

    def test_voiding_needs_a_statement_ref(self) -> None:
        data = statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"})
        rejects(data, "object.objectType", contains="StatementRef")


# --- §4.2 Language maps (RFC 5646) -----------------------------------------------------------------


class TestLanguageTags:
    @pytest.mark.parametrize(
        "tag",
        [
            "en",
            "en-US",
            "EN-us",
            "zh-Hant",
            "zh-Hant-TW",
            "es-419",
            "sl-rozaj-biske",
            "de-CH-1901",
            "zh-yue-HK",
            "en-US-x-twain",
            "x-whatever",
            "i-klingon",
            "en-a-bbb-x-a-ccc",
            "haw",
        ],
    )
    def test_well_formed_tags(self, tag: str) -> None:
        assert is_language_tag(tag) is True

    @pytest.mark.parametrize(
        "tag",
        [
            "",
            "e",
            "en_US",
            "en-",
            "-en",
            "en--US",
            "en-US-a",
            "de-a-value-a-value",
            "123",
            "é",
            "en-abcdefghi",
            "sl-rozaj-rozaj",
        ],
    )
    def test_malformed_tags(self, tag: str) -> None:
        assert is_language_tag(tag) is False

    def test_language_map_key_path(self) -> None:
        definition = {"name": {"en-US": "ok", "en_GB": "bad"}}
        rejects(with_definition(definition), "object.definition.name.en_GB", contains="RFC 5646")


# --- §2.4.4 Object: Activities and definitions ------------------------------------------------------


class TestActivity:
    def test_object_type_defaults_to_activity(self) -> None:
        accepts(statement(object={"objectType": "Activity", **ACTIVITY}))

    def test_object_type_must_be_known(self) -> None:
        rejects(statement(object={"objectType": "activity", **ACTIVITY}), "object.objectType")

    def test_activity_id_is_required(self) -> None:
        rejects(statement(object={"definition": {}}), "object.id", contains="required")

    @pytest.mark.parametrize("value", ["#fragment", "example.com/a", "", 3])
    def test_activity_id_must_be_an_iri(self, value: Any) -> None:
        rejects(statement(object={"id": value}), "object.id")

    def test_agent_properties_on_an_activity_are_unknown(self) -> None:
        rejects(statement(object=dict(ACTOR)), "object.mbox")

    def test_definition_type_must_be_an_iri(self) -> None:
        rejects(with_definition({"type": "course"}), "object.definition.type")

    def test_definition_more_info_must_be_an_irl(self) -> None:
        rejects(with_definition({"moreInfo": "www.example.com"}), "object.definition.moreInfo")

    def test_definition_description_is_a_language_map(self) -> None:
        rejects(with_definition({"description": ["x"]}), "object.definition.description")

    def test_definition_extensions_keys_are_iris(self) -> None:
        rejects(
            with_definition({"extensions": {"color": "red"}}),
            "object.definition.extensions.color",
        )
        rejects(with_definition({"extensions": []}), "object.definition.extensions")


class TestInteractions:
    def test_interaction_type_must_be_known(self) -> None:
        rejects(with_definition({"interactionType": "Choice"}), "object.definition.interactionType")
        rejects(with_definition({"interactionType": "essay"}), "object.definition.interactionType")

    @pytest.mark.parametrize(
        ("interaction_type", "lists"),
        [
            ("choice", ["choices"]),
            ("sequencing", ["choices"]),
            ("likert", ["scale"]),
            ("matching", ["source", "target"]),
            ("performance", ["steps"]),
        ],
    )
    def test_component_lists_per_type(self, interaction_type: str, lists: list[str]) -> None:
        definition: dict[str, Any] = {
            "interactionType": interaction_type,
            "correctResponsesPattern": ["a"],
        }
        for key in lists:
            definition[key] = [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}]
        accepts(with_definition(definition))

    @pytest.mark.parametrize(
        ("interaction_type", "key"),
        [
            ("true-false", "choices"),
            ("choice", "scale"),
            ("likert", "steps"),
            ("numeric", "source"),
            ("fill-in", "target"),
        ],
    )
    def test_component_list_not_supported_by_type(self, interaction_type: str, key: str) -> None:
        definition = {"interactionType": interaction_type, key: [{"id": "a"}]}
        rejects(with_definition(definition), f"object.definition.{key}", contains="not allowed")

    def test_component_list_needs_interaction_type(self) -> None:
        rejects(with_definition({"choices": [{"id": "a"}]}), "object.definition.interactionType")

    def test_correct_responses_pattern_needs_interaction_type(self) -> None:
        rejects(
            with_definition({"correctResponsesPattern": ["a"]}), "object.definition.interactionType"
        )

    def test_correct_responses_pattern_is_an_array_of_strings(self) -> None:
        base = {"interactionType": "numeric"}
        rejects(
            with_definition({**base, "correctResponsesPattern": "4"}),
            "object.definition.correctResponsesPattern",
        )
        rejects(
            with_definition({**base, "correctResponsesPattern": ["4", 5]}),
            "object.definition.correctResponsesPattern[1]",
        )

    def test_empty_correct_responses_pattern_is_allowed(self) -> None:
        accepts(with_definition({"interactionType": "other", "correctResponsesPattern": []}))

    def test_component_needs_an_id(self) -> None:
        definition = {
            "interactionType": "choice",
            "choices": [{"id": "a"}, {"id": "b"}, {"description": {"en": "c"}}],
        }
        rejects(with_definition(definition), "object.definition.choices[2].id", contains="required")

    def test_component_id_is_a_string(self) -> None:
        definition = {"interactionType": "likert", "scale": [{"id": 1}]}
        rejects(with_definition(definition), "object.definition.scale[0].id")

    def test_component_ids_are_distinct(self) -> None:
        definition = {"interactionType": "performance", "steps": [{"id": "a"}, {"id": "a"}]}
        rejects(with_definition(definition), "object.definition.steps[1].id", contains="distinct")

    def test_component_description_is_a_language_map(self) -> None:
        definition = {"interactionType": "matching", "source": [{"id": "a", "description": "A"}]}
        rejects(with_definition(definition), "object.definition.source[0].description")

    def test_component_rejects_unknown_properties(self) -> None:
        definition = {"interactionType": "matching", "target": [{"id": "a", "name": {"en": "A"}}]}
        rejects(with_definition(definition), "object.definition.target[0].name")


# --- §2.4.4.2 Agents and Groups as object; §2.4.4.3 StatementRef, SubStatement ----------------------


class TestStatementAsObject:
    def test_agent_object(self) -> None:
        accepts(statement(object=agent_object(mbox="mailto:b@example.com")))
        rejects(statement(object=agent_object(name="B")), "object", contains="exactly one")

    def test_group_object(self) -> None:
        accepts(statement(object={"objectType": "Group", "member": [ACTOR]}))

    def test_statement_ref_needs_uuid(self) -> None:
        rejects(
            statement(object={"objectType": "StatementRef", "id": "x"}),
            "object.id",
            contains="UUID",
        )
        rejects(statement(object={"objectType": "StatementRef"}), "object.id", contains="required")

    def test_statement_ref_rejects_other_properties(self) -> None:
        ref = {"objectType": "StatementRef", "id": UUID, "definition": {}}
        rejects(statement(object=ref), "object.definition")

    def test_context_statement_needs_object_type(self) -> None:
        rejects(statement(context={"statement": {"id": UUID}}), "context.statement.objectType")
        accepts(statement(context={"statement": {"objectType": "StatementRef", "id": UUID}}))

    def substatement(self, **changes: Any) -> dict[str, Any]:
        sub: dict[str, Any] = {
            "objectType": "SubStatement",
            "actor": ACTOR,
            "verb": VERB,
            "object": ACTIVITY,
        }
        sub.update(changes)
        return statement(object=sub)

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("id", UUID),
            ("stored", "2024-01-01T00:00:00Z"),
            ("version", "1.0.0"),
            ("authority", ACTOR),
        ],
    )
    def test_substatement_forbidden_properties(self, key: str, value: Any) -> None:
        rejects(
            self.substatement(**{key: value}),
            f"object.{key}",
            contains="not allowed in a SubStatement",
        )

    def test_substatement_cannot_nest(self) -> None:
        inner = {"objectType": "SubStatement", "actor": ACTOR, "verb": VERB, "object": ACTIVITY}
        rejects(
            self.substatement(object=inner), "object.object.objectType", contains="must not contain"
        )

    def test_substatement_is_validated_as_statement(self) -> None:
        rejects(self.substatement(verb={"id": "bad"}), "object.verb.id")
        rejects(self.substatement(actor=None), "object.actor", contains="must not be null")
        sub = self.substatement()
        del sub["object"]["object"]
        rejects(sub, "object.object", contains="required")

    def test_substatement_with_result_context_timestamp(self) -> None:
        accepts(
            self.substatement(
                result={"completion": True},
                context={"platform": "web"},
                timestamp="2030-01-01T00:00:00Z",
            )
        )


# --- §2.4.5 Result, §2.4.5.1 Score, §4.6 Durations --------------------------------------------------


class TestResult:
    def test_full_result(self) -> None:
        result = {
            "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "response": "We agreed on some example actions.",
            "duration": "PT1H0M0S",
            "extensions": {
                "http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:\\meetings"
            },
        }
        accepts(statement(result=result))

    @pytest.mark.parametrize("scaled", [-1.01, 1.5])
    def test_scaled_between_minus_one_and_one(self, scaled: float) -> None:
        rejects(
            statement(result={"score": {"scaled": scaled}}),
            "result.score.scaled",
            contains="between -1 and 1",
        )

    @pytest.mark.parametrize("scaled", [-1, 0, 1, 0.5])
    def test_scaled_bounds_inclusive(self, scaled: float) -> None:
        accepts(statement(result={"score": {"scaled": scaled}}))

    def test_min_less_than_max(self) -> None:
        rejects(statement(result={"score": {"min": 5, "max": 5}}), "result.score.min")

    def test_raw_between_min_and_max(self) -> None:
        rejects(statement(result={"score": {"raw": -1, "min": 0}}), "result.score.raw")
        rejects(statement(result={"score": {"raw": 11, "max": 10}}), "result.score.raw")
        accepts(statement(result={"score": {"raw": 10, "min": 0, "max": 10}}))
        accepts(statement(result={"score": {"raw": 1000}}))

    def test_score_rejects_unknown(self) -> None:
        rejects(statement(result={"score": {"percent": 5}}), "result.score.percent")

    def test_response_is_a_string(self) -> None:
        rejects(statement(result={"response": 5}), "result.response")

    def test_completion_is_boolean(self) -> None:
        rejects(statement(result={"completion": 1}), "result.completion")

    @pytest.mark.parametrize(
        "duration",
        [
            "PT4H35M59.14S",
            "PT16559.14S",
            "P3Y1M29DT4H35M59.14S",
            "P3Y",
            "P4W",
            "PT0S",
            "P1D",
            "PT1,5S",
        ],
    )
    def test_valid_durations(self, duration: str) -> None:
        accepts(statement(result={"duration": duration}))

    @pytest.mark.parametrize(
        "duration",
        [
            "P4W1D",
            "P",
            "PT",
            "1H",
            "PT1H30",
            "P0003-02-01T04:35:59",
            "pt1h",
            "P1.5YT1H",
            "-PT1S",
            60,
        ],
    )
    def test_invalid_durations(self, duration: Any) -> None:
        rejects(statement(result={"duration": duration}), "result.duration")

    def test_result_extensions_keys_are_iris(self) -> None:
        rejects(statement(result={"extensions": {"k": 1}}), "result.extensions.k")


# --- §2.4.6 Context --------------------------------------------------------------------------------


class TestContext:
    def test_full_context(self) -> None:
        context = {
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"name": "Andrew Downes", "mbox": "mailto:andrew@example.com"},
            "team": {"objectType": "Group", "name": "Team PB", "mbox": "mailto:teampb@example.com"},
            "contextActivities": {
                "parent": {"id": "http://example.com/p"},
                "grouping": [{"id": "http://example.com/g", "objectType": "Activity"}],
                "category": [
                    {
                        "id": "http://example.com/c",
                        "definition": {"type": "http://id.tincanapi.com/activitytype/source"},
                    }
                ],
                "other": [],
            },
            "revision": "1",
            "platform": "Example virtual meeting software",
            "language": "tlh",
            "statement": {
                "objectType": "StatementRef",
                "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
            },
            "extensions": {"http://example.com/profiles/meetings/contextextensions/topic": None},
        }
        accepts(statement(context=context))

    def test_registration_is_a_uuid(self) -> None:
        rejects(statement(context={"registration": "abc"}), "context.registration")

    def test_instructor_is_an_agent_or_group(self) -> None:
        accepts(statement(context={"instructor": {"objectType": "Group", "member": [ACTOR]}}))
        rejects(statement(context={"instructor": {"name": "x"}}), "context.instructor")

    def test_team_must_be_a_group(self) -> None:
        rejects(
            statement(context={"team": dict(ACTOR)}), "context.team.objectType", contains="Group"
        )
        rejects(statement(context={"team": "team"}), "context.team")

    def test_context_activities_keys(self) -> None:
        rejects(
            statement(context={"contextActivities": {"parents": [ACTIVITY]}}),
            "context.contextActivities.parents",
        )

    def test_context_activities_values_are_activities(self) -> None:
        rejects(
            statement(context={"contextActivities": {"parent": [ACTIVITY, {"id": "x"}]}}),
            "context.contextActivities.parent[1].id",
        )
        rejects(
            statement(context={"contextActivities": {"other": {"objectType": "Agent", **ACTOR}}}),
            "context.contextActivities.other.objectType",
        )
        rejects(
            statement(context={"contextActivities": {"other": "http://example.com/a"}}),
            "context.contextActivities.other",
        )

    @pytest.mark.parametrize("key", ["revision", "platform"])
    def test_revision_and_platform_only_with_activity_object(self, key: str) -> None:
        data = statement(object=agent_object(mbox="mailto:b@example.com"), context={key: "x"})
        rejects(data, f"context.{key}", contains="only be used when")
        data = statement(object={"objectType": "StatementRef", "id": UUID}, context={key: "x"})
        rejects(data, f"context.{key}")

    def test_revision_is_a_string(self) -> None:
        rejects(statement(context={"revision": 2}), "context.revision")

    def test_language_tag(self) -> None:
        rejects(statement(context={"language": "en_GB"}), "context.language", contains="RFC 5646")

    def test_context_extensions(self) -> None:
        rejects(statement(context={"extensions": {"topic": 1}}), "context.extensions.topic")

    def test_context_agents_are_not_in_1_0_3(self) -> None:
        data = statement(
            context={"contextAgents": [{"objectType": "contextAgent", "agent": ACTOR}]}
        )
        rejects(data, "context.contextAgents", version=V1, contains="is not a property")


class TestContextAgentsV2:
    """xAPI 2.0 (IEEE 9274.1.1): context.contextAgents and context.contextGroups."""

    def test_valid(self) -> None:
        context = {
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": ACTOR,
                    "relevantTypes": ["http://example.com/types/coach"],
                },
                {"objectType": "contextAgent", "agent": {"openid": "http://o.example.org/1"}},
            ],
            "contextGroups": [
                {
                    "objectType": "contextGroup",
                    "group": {"objectType": "Group", "member": [ACTOR]},
                    "relevantTypes": ["http://example.com/types/team"],
                }
            ],
        }
        accepts(statement(context=context), version=V2)

    def test_object_type_required(self) -> None:
        rejects(
            statement(context={"contextAgents": [{"agent": ACTOR}]}),
            "context.contextAgents[0].objectType",
            version=V2,
        )
        rejects(
            statement(
                context={
                    "contextGroups": [
                        {
                            "objectType": "contextAgent",
                            "group": {"objectType": "Group", "member": [ACTOR]},
                        }
                    ]
                }
            ),
            "context.contextGroups[0].objectType",
            version=V2,
        )

    def test_agent_required_and_must_be_an_agent(self) -> None:
        rejects(
            statement(context={"contextAgents": [{"objectType": "contextAgent"}]}),
            "context.contextAgents[0].agent",
            version=V2,
        )
        group = {"objectType": "Group", "member": [ACTOR]}
        rejects(
            statement(context={"contextAgents": [{"objectType": "contextAgent", "agent": group}]}),
            "context.contextAgents[0].agent.objectType",
            version=V2,
        )

    def test_group_must_be_a_group(self) -> None:
        rejects(
            statement(context={"contextGroups": [{"objectType": "contextGroup", "group": ACTOR}]}),
            "context.contextGroups[0].group.objectType",
            version=V2,
        )

    def test_relevant_types_are_iris(self) -> None:
        item = {
            "objectType": "contextAgent",
            "agent": ACTOR,
            "relevantTypes": ["http://example.com/t", "coach"],
        }
        rejects(
            statement(context={"contextAgents": [item]}),
            "context.contextAgents[0].relevantTypes[1]",
            version=V2,
        )
        item = {"objectType": "contextAgent", "agent": ACTOR, "relevantTypes": []}
        rejects(
            statement(context={"contextAgents": [item]}),
            "context.contextAgents[0].relevantTypes",
            version=V2,
        )

    def test_must_be_an_array(self) -> None:
        item = {"objectType": "contextAgent", "agent": ACTOR}
        rejects(statement(context={"contextAgents": item}), "context.contextAgents", version=V2)


# --- §2.4.7 Timestamp, §2.4.8 Stored, §4.5 ISO 8601 timestamps ---------------------------------------


class TestTimestamps:
    @pytest.mark.parametrize(
        "value",
        [
            "2013-05-18T05:32:34.804Z",
            "2013-05-18T05:32:34.804+02:00",
            "2013-05-18T05:32:34Z",
            "2015-11-18T12:17:00+00:00",
            "2013-05-18T05:32:34.123456789-05:30",
        ],
    )
    @BOTH
    def test_rfc3339_timestamps_in_both(self, value: str, version: str) -> None:
        accepts(statement(timestamp=value, stored=value), version=version)

    @pytest.mark.parametrize(
        "value",
        [
            "2013-05-18T05:32:34",
            "2013-05-18T05:32Z",
            "20130518T053234Z",
            "2013-05-18T05:32:34+0200",
            "2013-05-18T05:32:34,5Z",
        ],
    )
    def test_iso8601_only_forms_accepted_in_1_0_3(self, value: str) -> None:
        accepts(statement(timestamp=value), version=V1)

    @pytest.mark.parametrize(
        "value",
        [
            "2013-05-18T05:32:34",
            "2013-05-18T05:32Z",
            "20130518T053234Z",
            "2013-05-18T05:32:34+0200",
        ],
    )
    def test_2_0_requires_rfc3339_with_offset(self, value: str) -> None:
        rejects(statement(timestamp=value), "timestamp", version=V2, contains="RFC 3339")

    @BOTH
    @pytest.mark.parametrize(
        "value",
        [
            "2013-05-18",
            "05/18/2013 05:32",
            "2013-13-18T05:32:34Z",
            "2013-02-30T05:32:34Z",
            "2013-05-18T25:00:00Z",
            "2013-05-18T05:32:34-00:00",
            "",
            1368855154,
        ],
    )
    def test_invalid_timestamps(self, value: Any, version: str) -> None:
        rejects(statement(timestamp=value), "timestamp", version=version)

    def test_future_timestamp_is_accepted(self) -> None:
        accepts(statement(timestamp="2999-01-01T00:00:00Z"))

    def test_stored_is_validated(self) -> None:
        rejects(statement(stored="yesterday"), "stored")


# --- §2.4.9 Authority, §2.4.10 Version -----------------------------------------------------------------


class TestAuthorityAndVersion:
    def test_authority_agent(self) -> None:
        accepts(
            statement(
                authority={
                    "objectType": "Agent",
                    "account": {"homePage": "http://example.com", "name": "lrs"},
                }
            )
        )

    def test_authority_must_be_valid(self) -> None:
        rejects(statement(authority={"name": "nobody"}), "authority", contains="exactly one")
        rejects(statement(authority={"objectType": "Group"}), "authority.member")

    @pytest.mark.parametrize("value", ["1.0.0", "1.0.3", "1.0.99"])
    def test_1_0_versions(self, value: str) -> None:
        accepts(statement(version=value), version=V1)
        accepts(statement(version=value), version=V2)

    @pytest.mark.parametrize("value", ["1.1.0", "0.95", "1.0", "2.0.0", "1.0.0.1", 1.0])
    def test_1_0_3_rejects_other_versions(self, value: Any) -> None:
        rejects(statement(version=value), "version", version=V1)

    def test_2_0_accepts_2_0_0(self) -> None:
        accepts(statement(version="2.0.0"), version=V2)
        rejects(statement(version="3.0.0"), "version", version=V2)


# --- §2.4.11 Attachments ----------------------------------------------------------------------------


def attachment(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": {"en-US": "Signature"},
        "description": {"en-US": "A test signature"},
        "contentType": "application/octet-stream",
        "length": 4235,
        "sha2": "dc9589e454ff375dd5dfd6f556d2583e231e8cafe55ef40102ddd988b79f86f0",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


class TestAttachments:
    def test_valid(self) -> None:
        accepts(
            statement(
                attachments=[
                    attachment(),
                    attachment(
                        usageType="http://example.com/cert",
                        contentType="image/png; q=1",
                        fileUrl="https://example.com/c.png",
                    ),
                ]
            )
        )

    @pytest.mark.parametrize("key", ["usageType", "display", "contentType", "length", "sha2"])
    def test_required(self, key: str) -> None:
        rejects(
            statement(attachments=[attachment(**{key: None})]),
            f"attachments[0].{key}",
            contains="required",
        )

    def test_types_and_formats(self) -> None:
        rejects(
            statement(attachments=[attachment(usageType="signature")]), "attachments[0].usageType"
        )
        rejects(statement(attachments=[attachment(display="Signature")]), "attachments[0].display")
        rejects(statement(attachments=[attachment(length="4235")]), "attachments[0].length")
        rejects(statement(attachments=[attachment(length=-1)]), "attachments[0].length")
        rejects(statement(attachments=[attachment(length=1.5)]), "attachments[0].length")
        rejects(statement(attachments=[attachment(sha2="xyz")]), "attachments[0].sha2")
        rejects(
            statement(attachments=[attachment(contentType="octet")]), "attachments[0].contentType"
        )
        rejects(statement(attachments=[attachment(fileUrl="c.png")]), "attachments[0].fileUrl")
        rejects(statement(attachments=[attachment(), attachment(extra=1)]), "attachments[1].extra")
        rejects(statement(attachments=attachment()), "attachments")

    def test_signature_requires_octet_stream(self) -> None:
        rejects(
            statement(attachments=[attachment(contentType="application/jose")]),
            "attachments[0].contentType",
            contains="octet-stream",
        )


# --- normalize_statement -------------------------------------------------------------------------------


class TestNormalize:
    def test_context_activities_become_arrays_and_defaults_are_set(self) -> None:
        data = statement(
            id=UUID.upper(),
            context={
                "registration": "EC531277-B57B-4C15-8D91-D292C5B2B8F7",
                "contextActivities": {
                    "parent": {"id": "http://example.com/p"},
                    "other": [{"id": "http://example.com/o"}],
                },
                "statement": {
                    "objectType": "StatementRef",
                    "id": "AAAAAAAA-B57B-4C15-8D91-D292C5B2B8F7",
                },
            },
        )
        before = copy.deepcopy(data)
        assert normalize_statement(data, version=V1) == {
            "id": UUID,
            "actor": {"mbox": "mailto:xapi@adlnet.gov", "objectType": "Agent"},
            "verb": VERB,
            "object": {
                "id": "http://example.adlnet.gov/xapi/example/activity",
                "objectType": "Activity",
            },
            "context": {
                "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
                "contextActivities": {
                    "parent": [{"id": "http://example.com/p"}],
                    "other": [{"id": "http://example.com/o"}],
                },
                "statement": {
                    "objectType": "StatementRef",
                    "id": "aaaaaaaa-b57b-4c15-8d91-d292c5b2b8f7",
                },
            },
            "version": "1.0.0",
        }
        assert data == before

    def test_version_kept_when_given(self) -> None:
        assert normalize_statement(statement(version="1.0.3"), version=V1)["version"] == "1.0.3"
        assert normalize_statement(statement(), version=V2)["version"] == "2.0.0"

    def test_2_0_timestamps_in_utc(self) -> None:
        data = statement(
            timestamp="2024-05-10T10:31:00.123+02:00", stored="2024-05-10T10:31:00.5-01:00"
        )
        result = normalize_statement(data, version=V2)
        assert result["timestamp"] == "2024-05-10T08:31:00.123Z"
        assert result["stored"] == "2024-05-10T11:31:00.500Z"

    def test_1_0_3_timestamps_unchanged(self) -> None:
        data = statement(timestamp="2024-05-10T10:31:00.123+02:00")
        assert normalize_statement(data, version=V1)["timestamp"] == "2024-05-10T10:31:00.123+02:00"

    def test_substatement_and_statement_ref(self) -> None:
        sub = {
            "objectType": "SubStatement",
            "actor": ACTOR,
            "verb": VERB,
            "object": ACTIVITY,
            "context": {"contextActivities": {"parent": dict(ACTIVITY)}},
            "timestamp": "2024-05-10T10:31:00+02:00",
        }
        result = normalize_statement(statement(object=sub), version=V2)
        assert result["object"]["actor"]["objectType"] == "Agent"
        assert result["object"]["object"]["objectType"] == "Activity"
        assert result["object"]["context"]["contextActivities"]["parent"] == [ACTIVITY]
        assert result["object"]["timestamp"] == "2024-05-10T08:31:00.000Z"
        ref = normalize_statement(
            statement(object={"objectType": "StatementRef", "id": UUID.upper()}), version=V1
        )
        assert ref["object"] == {"objectType": "StatementRef", "id": UUID}

    def test_group_actor_keeps_its_object_type(self) -> None:
        group = {"objectType": "Group", "member": [ACTOR]}
        assert normalize_statement(statement(actor=group), version=V1)["actor"] == group


# --- speed ---------------------------------------------------------------------------------------------


def test_validation_of_a_typical_statement_is_fast() -> None:
    data = statement(
        object={
            "id": "http://example.com/course/1",
            "definition": {
                "name": {"en-US": "Course"},
                "type": "http://adlnet.gov/expapi/activities/course",
            },
        },
        result={
            "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10},
            "success": True,
            "completion": True,
            "duration": "PT12M3S",
        },
        context={
            "registration": UUID,
            "contextActivities": {"parent": [{"id": "http://example.com/program/1"}]},
            "platform": "Trellis",
        },
        timestamp="2024-05-10T10:31:00.123Z",
    )
    validate_statement(data, version=V2)
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        validate_statement(data, version=V2)
    per_statement = (time.perf_counter() - start) / rounds
    assert per_statement < 0.0005  # measured ~0.02 ms; generous bound for slow CI machines


# --- timefmt: parse_timestamp, format_timestamp, parse_duration ------------------------------------


class TestTimefmt:
    def test_parse_timestamp_is_aware_utc(self) -> None:
        value = parse_timestamp("2024-05-10T10:31:00.1234567+02:00", path="timestamp", version=V2)
        assert value == datetime(2024, 5, 10, 8, 31, 0, 123456, tzinfo=UTC)
        assert value.tzinfo is UTC

    def test_1_0_3_timestamp_without_zone_is_utc(self) -> None:
        value = parse_timestamp("2024-05-10T10:31", path="timestamp", version=V1)
        assert value == datetime(2024, 5, 10, 10, 31, tzinfo=UTC)

    def test_basic_format(self) -> None:
        value = parse_timestamp("20240510T103100.5-0130", path="t", version=V1)
        assert value == datetime(2024, 5, 10, 12, 1, 0, 500000, tzinfo=UTC)

    def test_error_names_the_path(self) -> None:
        with pytest.raises(XapiValidationError) as info:
            parse_timestamp("2024-05-10", path="object.timestamp", version=V1)
        assert info.value.path == "object.timestamp"

    def test_format_timestamp(self) -> None:
        value = datetime(2024, 5, 10, 10, 31, 0, 123999, tzinfo=timezone(timedelta(hours=2)))
        assert format_timestamp(value) == "2024-05-10T08:31:00.123Z"
        assert format_timestamp(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00.000Z"

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            ("PT1H2M3.5S", 3723.5),
            ("P1D", 86400),
            ("P2W", 1209600),
            ("PT16559.14S", 16559.14),
            ("P1Y", 31536000),
            ("P1M", 2592000),
            ("PT0.5H", 1800),
            ("P1DT1S", 86401),
        ],
    )
    def test_parse_duration(self, value: str, seconds: float) -> None:
        assert parse_duration(value, path="result.duration") == pytest.approx(seconds)

    def test_parse_duration_error(self) -> None:
        with pytest.raises(XapiValidationError) as info:
            parse_duration("PT1.5H30M", path="result.duration")
        assert info.value.path == "result.duration"
        assert (
            info.value.message
            == "result.duration: may have a decimal fraction on its smallest unit only"
        )
