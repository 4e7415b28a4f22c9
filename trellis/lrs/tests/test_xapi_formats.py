"""The ``format`` parameter of GET statements (xAPI-Communication.md §2.1.3) and Accept-Language."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trellis.lrs.xapi.errors import XapiError
from trellis.lrs.xapi.formats import format_statement, parse_accept_language, pick_language

UUID = "12345678-1234-5678-1234-567812345678"


def stored() -> dict[str, Any]:
    return {
        "id": UUID,
        "actor": {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.com"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/answered",
            "display": {"en-US": "answered", "de": "beantwortet"},
        },
        "object": {
            "objectType": "Activity",
            "id": "http://example.com/q1",
            "definition": {
                "name": {"en-US": "Question 1", "de-DE": "Frage 1", "fr": "Question un"},
                "description": {"de": "Beschreibung", "en-GB": "Description"},
                "interactionType": "choice",
                "choices": [{"id": "a", "description": {"en-US": "A", "de": "A (de)"}}],
            },
        },
        "context": {
            "instructor": {
                "objectType": "Group",
                "name": "Tutors",
                "member": [
                    {"name": "Tom", "mbox": "mailto:tom@example.com"},
                    {"account": {"homePage": "http://example.com", "name": "t2"}},
                ],
            },
            "team": {
                "objectType": "Group",
                "name": "Team",
                "mbox": "mailto:team@example.com",
                "member": [{"mbox": "mailto:x@example.com"}],
            },
            "contextActivities": {
                "parent": [
                    {
                        "objectType": "Activity",
                        "id": "http://example.com/quiz",
                        "definition": {"name": {"en-US": "Quiz", "de": "Quiz (de)"}},
                    }
                ]
            },
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"name": "Coach", "openid": "http://o.example.org/c"},
                }
            ],
        },
        "authority": {
            "objectType": "Agent",
            "name": "LRS client",
            "account": {"homePage": "http://lrs.example.com", "name": "client-1"},
        },
        "timestamp": "2024-05-10T08:31:00.123Z",
        "stored": "2024-05-10T08:31:01.000Z",
        "version": "1.0.0",
    }


def test_exact_returns_the_statement_as_stored() -> None:
    data = stored()
    assert format_statement(data, fmt="exact", languages=["de"]) is data
    assert data == stored()


def test_unknown_format_is_a_400() -> None:
    with pytest.raises(XapiError) as info:
        format_statement(stored(), fmt="full", languages=[])
    assert info.value.status == 400
    assert info.value.message == "format: must be one of exact, ids, canonical, not 'full'"


def test_ids_reduces_agents_activities_and_verbs() -> None:
    data = stored()
    assert format_statement(data, fmt="ids", languages=[]) == {
        "id": UUID,
        "actor": {"objectType": "Agent", "mbox": "mailto:ada@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"objectType": "Activity", "id": "http://example.com/q1"},
        "context": {
            "instructor": {
                "objectType": "Group",
                "member": [
                    {"objectType": "Agent", "mbox": "mailto:tom@example.com"},
                    {
                        "objectType": "Agent",
                        "account": {"homePage": "http://example.com", "name": "t2"},
                    },
                ],
            },
            "team": {"objectType": "Group", "mbox": "mailto:team@example.com"},
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": "http://example.com/quiz"}]
            },
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"objectType": "Agent", "openid": "http://o.example.org/c"},
                }
            ],
        },
        "authority": {
            "objectType": "Agent",
            "account": {"homePage": "http://lrs.example.com", "name": "client-1"},
        },
        "timestamp": "2024-05-10T08:31:00.123Z",
        "stored": "2024-05-10T08:31:01.000Z",
        "version": "1.0.0",
    }
    assert data == stored()


def test_ids_inside_a_substatement() -> None:
    data = stored()
    data["object"] = {
        "objectType": "SubStatement",
        "actor": data["actor"],
        "verb": data["verb"],
        "object": {"id": "http://example.com/a", "definition": {"name": {"en": "A"}}},
    }
    result = format_statement(data, fmt="ids", languages=[])
    assert result["object"] == {
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:ada@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"objectType": "Activity", "id": "http://example.com/a"},
    }


def test_ids_keeps_statement_refs() -> None:
    data = stored()
    data["object"] = {"objectType": "StatementRef", "id": UUID}
    assert format_statement(data, fmt="ids", languages=[])["object"] == {
        "objectType": "StatementRef",
        "id": UUID,
    }


def test_canonical_picks_one_language_per_map() -> None:
    data = stored()
    result = format_statement(data, fmt="canonical", languages=["de", "en"])
    assert result["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/answered",
        "display": {"de": "beantwortet"},
    }
    assert result["object"]["definition"] == {
        "name": {"de-DE": "Frage 1"},
        "description": {"de": "Beschreibung"},
        "interactionType": "choice",
        "choices": [{"id": "a", "description": {"de": "A (de)"}}],
    }
    assert result["context"]["contextActivities"]["parent"][0]["definition"] == {
        "name": {"de": "Quiz (de)"}
    }
    assert result["actor"] == stored()["actor"]
    assert result["context"]["instructor"] == stored()["context"]["instructor"]
    assert data == stored()


def test_canonical_falls_back_to_the_first_entry() -> None:
    result = format_statement(stored(), fmt="canonical", languages=["ja"])
    assert result["object"]["definition"]["name"] == {"en-US": "Question 1"}
    assert result["verb"]["display"] == {"en-US": "answered"}


def test_canonical_uses_the_lrs_definitions_when_given() -> None:
    definitions = {
        "http://example.com/q1": {
            "name": {"en-US": "Q1 (canonical)", "fr": "Q1 (fr)"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        }
    }
    displays = {"http://adlnet.gov/expapi/verbs/answered": {"fr": "a répondu", "en-US": "answered"}}
    result = format_statement(
        stored(),
        fmt="canonical",
        languages=["fr"],
        activity_definitions=definitions,
        verb_displays=displays,
    )
    assert result["object"]["definition"] == {
        "name": {"fr": "Q1 (fr)"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
    }
    assert result["verb"]["display"] == {"fr": "a répondu"}
    assert definitions["http://example.com/q1"]["name"] == {
        "en-US": "Q1 (canonical)",
        "fr": "Q1 (fr)",
    }


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["en-GB"], {"en-GB": "colour"}),
        (["en"], {"en-US": "color"}),
        (["EN-gb"], {"en-GB": "colour"}),
        (["en-AU"], {"en-US": "color"}),
        (["fr", "en-GB"], {"en-GB": "colour"}),
        (["*"], {"en-US": "color"}),
        ([], {"en-US": "color"}),
        (["es"], {"en-US": "color"}),
    ],
)
def test_pick_language(languages: list[str], expected: dict[str, str]) -> None:
    assert (
        pick_language({"en-US": "color", "en-GB": "colour", "de": "Farbe"}, languages) == expected
    )


def test_pick_language_of_empty_map() -> None:
    assert pick_language({}, ["en"]) == {}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.8", ["en-US", "en"]),
        ("da, en-gb;q=0.8, en;q=0.7", ["da", "en-gb", "en"]),
        ("en;q=0.5, fr;q=0.9, de", ["de", "fr", "en"]),
        ("fr;q=0, en", ["en"]),
        ("fr;q=abc, en", ["en"]),
        ("", []),
        (None, []),
        (" , en", ["en"]),
    ],
)
def test_parse_accept_language(header: str | None, expected: list[str]) -> None:
    assert parse_accept_language(header) == expected


def test_formats_do_not_modify_the_input() -> None:
    data = stored()
    before = copy.deepcopy(data)
    for fmt in ("ids", "canonical"):
        format_statement(data, fmt=fmt, languages=["de"])
    assert data == before
