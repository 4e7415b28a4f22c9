"""Statement comparison (xAPI-Data.md §2.3.1, "Statement Comparison Requirements")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trellis.lrs.xapi.compare import statements_equivalent

UUID = "12345678-1234-5678-1234-567812345678"


def base() -> dict[str, Any]:
    return {
        "id": UUID,
        "actor": {"mbox": "mailto:Ada@Example.com", "name": "Ada"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {
            "id": "http://example.com/course/1",
            "definition": {"name": {"en-US": "Course"}},
        },
        "result": {"completion": True, "duration": "PT1M3.141S", "score": {"scaled": 0.5}},
        "context": {
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "contextActivities": {"parent": {"id": "http://example.com/program/1"}},
        },
        "timestamp": "2024-05-10T10:31:00.123+02:00",
    }


def changed(**changes: Any) -> dict[str, Any]:
    data = base()
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def test_identical_statements_are_equivalent() -> None:
    a, b = base(), base()
    assert statements_equivalent(a, b) is True
    assert a == base()


class TestExceptionsToImmutability:
    """Differences the LRS may cause (§2.3.1) are ignored."""

    @pytest.mark.parametrize(
        "changes",
        [
            {"authority": {"mbox": "mailto:lrs@example.com"}},
            {"stored": "2024-05-10T09:00:00Z"},
            {"version": "1.0.0"},
            {"id": None},
            {"timestamp": None},
        ],
    )
    def test_lrs_assigned_properties(self, changes: dict[str, Any]) -> None:
        assert statements_equivalent(base(), changed(**changes)) is True

    def test_timestamp_in_another_time_zone(self) -> None:
        assert statements_equivalent(base(), changed(timestamp="2024-05-10T08:31:00.123Z")) is True

    def test_timestamp_beyond_milliseconds(self) -> None:
        a = changed(timestamp="2024-05-10T08:31:00.123456Z")
        assert statements_equivalent(a, changed(timestamp="2024-05-10T08:31:00.123Z")) is True

    def test_activity_definition_and_verb_display(self) -> None:
        other = base()
        other["object"]["definition"] = {"name": {"en-GB": "Another name"}}
        other["verb"]["display"] = {"fr": "terminé"}
        assert statements_equivalent(base(), other) is True

    def test_context_activity_single_object_or_array(self) -> None:
        other = base()
        other["context"]["contextActivities"]["parent"] = [
            {"id": "http://example.com/program/1", "objectType": "Activity"}
        ]
        assert statements_equivalent(base(), other) is True

    def test_object_type_defaults(self) -> None:
        other = base()
        other["actor"]["objectType"] = "Agent"
        other["object"]["objectType"] = "Activity"
        assert statements_equivalent(base(), other) is True

    def test_case_insensitive_values(self) -> None:
        other = base()
        other["actor"]["mbox"] = "mailto:Ada@EXAMPLE.COM"
        other["context"]["registration"] = "EC531277-B57B-4C15-8D91-D292C5B2B8F7"
        assert statements_equivalent(base(), other) is True

    def test_group_members_are_unordered(self) -> None:
        members = [{"mbox": "mailto:a@example.com"}, {"openid": "http://o.example.org/b"}]
        a = changed(actor={"objectType": "Group", "member": members})
        b = changed(actor={"objectType": "Group", "member": list(reversed(members))})
        assert statements_equivalent(a, b) is True

    def test_duration_precision_beyond_hundredths(self) -> None:
        other = base()
        other["result"]["duration"] = "PT1M3.14S"
        assert statements_equivalent(base(), other) is True

    def test_statement_ref_uuid_case(self) -> None:
        ref = {"objectType": "StatementRef", "id": UUID}
        upper = {"objectType": "StatementRef", "id": UUID.upper()}
        assert statements_equivalent(changed(object=ref), changed(object=upper)) is True


class TestDifferencesThatCount:
    def test_different_verb(self) -> None:
        other = base()
        other["verb"]["id"] = "http://adlnet.gov/expapi/verbs/passed"
        assert statements_equivalent(base(), other) is False

    def test_different_actor_local_part_case(self) -> None:
        other = base()
        other["actor"]["mbox"] = "mailto:ada@example.com"
        assert statements_equivalent(base(), other) is False

    def test_different_actor_name(self) -> None:
        other = base()
        other["actor"]["name"] = "Ada L."
        assert statements_equivalent(base(), other) is False

    def test_different_result(self) -> None:
        other = base()
        other["result"]["score"] = {"scaled": 0.6}
        assert statements_equivalent(base(), other) is False

    def test_duration_is_a_string_not_a_quantity(self) -> None:
        other = base()
        other["result"]["duration"] = "PT63.141S"
        assert statements_equivalent(base(), other) is False

    def test_different_timestamp_instant(self) -> None:
        assert statements_equivalent(base(), changed(timestamp="2024-05-10T10:31:00.123Z")) is False

    def test_context_activity_order(self) -> None:
        acts = [{"id": "http://example.com/a"}, {"id": "http://example.com/b"}]
        a = changed(context={"contextActivities": {"other": acts}})
        b = changed(context={"contextActivities": {"other": list(reversed(acts))}})
        assert statements_equivalent(a, b) is False

    def test_extra_context(self) -> None:
        other = base()
        other["context"]["platform"] = "web"
        assert statements_equivalent(base(), other) is False

    def test_extensions(self) -> None:
        a = changed(result={"extensions": {"http://example.com/x": 1}})
        b = changed(result={"extensions": {"http://example.com/x": 2}})
        assert statements_equivalent(a, b) is False

    def test_attachments(self) -> None:
        att = {
            "usageType": "http://example.com/u",
            "display": {"en-US": "A"},
            "contentType": "text/plain",
            "length": 1,
            "sha2": "ab" * 32,
        }
        other = copy.deepcopy(att)
        other["length"] = 2
        assert (
            statements_equivalent(changed(attachments=[att]), changed(attachments=[other])) is False
        )
        lang = copy.deepcopy(att)
        lang["display"] = {"EN-us": "A"}
        assert (
            statements_equivalent(changed(attachments=[att]), changed(attachments=[lang])) is True
        )

    def test_substatement_content(self) -> None:
        sub = {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://example.com/v"},
            "object": {"id": "http://example.com/a"},
        }
        other = copy.deepcopy(sub)
        other["object"]["id"] = "http://example.com/b"
        assert statements_equivalent(changed(object=sub), changed(object=other)) is False
        display = copy.deepcopy(sub)
        display["verb"]["display"] = {"en": "v"}
        assert statements_equivalent(changed(object=sub), changed(object=display)) is True
