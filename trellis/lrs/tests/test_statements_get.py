"""GET statements: single statements and queries (xAPI-Communication.md §2.1.3), the StatementResult
and its ``more`` IRL (xAPI-Data.md §2.5)."""

from __future__ import annotations

import json

import pytest

from trellis.lrs.models import Statement
from trellis.lrs.tests.test_statements_support import (
    lrs_fixture,  # noqa: F401
    new_id,
    statement,
)

pytestmark = pytest.mark.django_db

ADA = {"mbox": "mailto:ada@example.com"}


def ids_of(response) -> list[str]:
    return [s["id"] for s in response.json()["statements"]]


def test_get_single_statement_returns_it_as_stored(lrs):
    statement_id = lrs.post(statement()).json()[0]
    response = lrs.get({"statementId": statement_id})
    assert response.status_code == 200
    assert response.json() == Statement.objects.get().data
    assert response["Last-Modified"]


def test_get_unknown_statement_is_404(lrs):
    assert lrs.get({"statementId": new_id()}).status_code == 404


def test_get_single_with_both_ids_or_other_parameters_is_400(lrs):
    statement_id = lrs.post(statement()).json()[0]
    assert (
        lrs.get({"statementId": statement_id, "voidedStatementId": statement_id}).status_code == 400
    )
    assert lrs.get({"statementId": statement_id, "verb": "http://x.com/v"}).status_code == 400
    ok = lrs.get({"statementId": statement_id, "format": "ids", "attachments": "false"})
    assert ok.status_code == 200


def test_get_single_with_bad_uuid_is_400(lrs):
    response = lrs.get({"statementId": "nope"})
    assert response.status_code == 400
    assert response.json()["property"] == "statementId"


def test_query_without_filters_is_newest_first_and_empty_result_is_200(lrs):
    assert lrs.get().json() == {"statements": [], "more": ""}
    first = lrs.post(statement()).json()[0]
    second = lrs.post(statement()).json()[0]
    assert ids_of(lrs.get()) == [second, first]
    assert ids_of(lrs.get({"ascending": "true"})) == [first, second]


def test_query_filters_agent_verb_activity_registration(lrs):
    registration = new_id()
    a = lrs.post(statement(context={"registration": registration})).json()[0]
    b = lrs.post(statement(email="bo@example.com", verb="http://example.com/verbs/tried")).json()[0]
    c = lrs.post(statement(activity="http://example.com/activities/other")).json()[0]
    assert ids_of(lrs.get({"agent": json.dumps(ADA)})) == [c, a]
    assert ids_of(lrs.get({"verb": "http://example.com/verbs/tried"})) == [b]
    assert ids_of(lrs.get({"activity": "http://example.com/activities/other"})) == [c]
    assert ids_of(lrs.get({"registration": registration})) == [a]
    assert (
        ids_of(lrs.get({"agent": json.dumps(ADA), "verb": "http://example.com/verbs/tried"})) == []
    )


def test_agent_filter_matches_group_members_and_related_agents(lrs):
    grouped = lrs.post(
        statement(actor={"objectType": "Group", "member": [ADA, {"mbox": "mailto:bo@example.com"}]})
    ).json()[0]
    taught = lrs.post(statement(email="bo@example.com", context={"instructor": ADA})).json()[0]
    assert ids_of(lrs.get({"agent": json.dumps(ADA)})) == [grouped]
    assert ids_of(lrs.get({"agent": json.dumps(ADA), "related_agents": "true"})) == [
        taught,
        grouped,
    ]


def test_activity_filter_with_related_activities(lrs):
    parent = "http://example.com/activities/course"
    child = lrs.post(statement(context={"contextActivities": {"parent": [{"id": parent}]}})).json()[
        0
    ]
    direct = lrs.post(statement(activity=parent)).json()[0]
    assert ids_of(lrs.get({"activity": parent})) == [direct]
    assert ids_of(lrs.get({"activity": parent, "related_activities": "true"})) == [direct, child]


@pytest.mark.parametrize("ascending", ["false", "true"])
def test_related_activities_pages_each_statement_once_in_stored_order(lrs, ascending):
    course = "http://example.com/activities/course"
    in_course = {"contextActivities": {"parent": [{"id": course}], "grouping": [{"id": course}]}}
    posted = lrs.post(
        [statement(context=in_course) for _ in range(3)]
        + [statement(activity=course, context=in_course)]  # object and context: listed once
    ).json()
    posted += lrs.post([statement(activity=course), statement()]).json()[:1]
    posted += lrs.post([statement(context=in_course) for _ in range(2)]).json()
    params = {"activity": course, "related_activities": "true", "limit": "2"}
    response = lrs.get({**params, "ascending": ascending})
    seen: list[str] = []
    while True:
        body = response.json()
        assert len(body["statements"]) <= 2
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        response = lrs.client.get(body["more"], **lrs.headers())
    stored_order = [
        str(i)
        for i in Statement.objects.filter(statement_id__in=posted)
        .order_by("stored", "pk")
        .values_list("statement_id", flat=True)
    ]
    assert seen == (stored_order if ascending == "true" else stored_order[::-1])
    assert len(seen) == 7


@pytest.mark.parametrize("ascending", ["false", "true"])
def test_agent_queries_page_each_statement_once_in_stored_order(lrs, ascending):
    # Ada as actor and as instructor of the same statement; as object (an Agent object); as
    # instructor only; and a statement that does not mention her.
    ada_object = {"objectType": "Agent", **ADA}
    posted = lrs.post(
        [statement(context={"instructor": ADA}) for _ in range(3)]
        + [statement(email="bo@example.com", context={"instructor": ADA})]
    ).json()
    posted += lrs.post([statement(email="bo@example.com", object=ada_object), statement()]).json()
    lrs.post(statement(email="cy@example.com"))
    expected = {
        "false": [posted[0], posted[1], posted[2], posted[4], posted[5]],
        "true": posted,
    }
    for related, ids in expected.items():
        params = {"agent": json.dumps(ADA), "related_agents": related, "limit": "2"}
        response = lrs.get({**params, "ascending": ascending})
        seen: list[str] = []
        while True:
            body = response.json()
            assert len(body["statements"]) <= 2
            seen += [s["id"] for s in body["statements"]]
            if not body["more"]:
                break
            response = lrs.client.get(body["more"], **lrs.headers())
        stored_order = [
            str(i)
            for i in Statement.objects.filter(statement_id__in=ids)
            .order_by("stored", "pk")
            .values_list("statement_id", flat=True)
        ]
        assert seen == (stored_order if ascending == "true" else stored_order[::-1])
        assert len(seen) == len(ids)


def test_since_is_exclusive_and_until_inclusive_on_stored(lrs):
    first = lrs.post(statement()).json()[0]
    second = lrs.post(statement()).json()[0]
    stored_first = Statement.objects.get(statement_id=first).data["stored"]
    assert ids_of(lrs.get({"since": stored_first})) == [second]
    assert ids_of(lrs.get({"until": stored_first})) == [first]


@pytest.mark.parametrize(
    "params, prop",
    [
        ({"agent": "{not json"}, "agent"),
        ({"agent": '{"name": "no ifi"}'}, "agent"),
        ({"registration": "nope"}, "registration"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"ascending": "yes"}, "ascending"),
        ({"format": "full"}, "format"),
        ({"since": "yesterday"}, "since"),
        ({"verb": "no scheme"}, "verb"),
    ],
)
def test_invalid_query_parameters_are_400_naming_them(lrs, params, prop):
    response = lrs.get(params)
    assert response.status_code == 400
    assert response.json()["property"] == prop


def test_unknown_query_parameter_is_400(lrs):
    response = lrs.get({"actor": json.dumps(ADA)})
    assert response.status_code == 400
    assert "actor" in response.json()["error"]


def test_limit_and_more_page_through_everything_once(lrs):
    posted = lrs.post([statement() for _ in range(5)]).json()  # one batch: the same stored time
    posted += lrs.post([statement() for _ in range(2)]).json()
    seen: list[str] = []
    response = lrs.get({"limit": "3", "agent": json.dumps(ADA)})
    pages = 0
    while True:
        pages += 1
        body = response.json()
        assert len(body["statements"]) <= 3
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?")
        assert "agent=" in body["more"] and "limit=3" in body["more"]
        lrs.post(statement())  # stored after the first page: not in this listing
        response = lrs.client.get(body["more"], **lrs.headers())
        assert response.status_code == 200
    assert pages == 3
    assert sorted(seen) == sorted(posted)
    assert len(seen) == len(set(seen)) == 7


def test_limit_zero_means_the_server_maximum(lrs):
    lrs.post([statement() for _ in range(3)])
    body = lrs.get({"limit": "0"}).json()
    assert len(body["statements"]) == 3 and body["more"] == ""


def test_tampered_cursor_is_400(lrs):
    response = lrs.get({"cursor": "garbage"})
    assert response.status_code == 400


def test_format_ids_and_canonical_are_accepted(lrs):
    lrs.post(statement())
    assert lrs.get({"format": "ids"}).status_code == 200
    canonical = lrs.get({"format": "canonical"}, HTTP_ACCEPT_LANGUAGE="en-US")
    assert canonical.status_code == 200
    assert len(canonical.json()["statements"]) == 1
