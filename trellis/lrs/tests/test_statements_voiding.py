"""Voiding (xAPI-Data.md §2.3.2, xAPI-Communication.md §2.1.4) and the filter conditions for
StatementRefs (xAPI-Communication.md §2.1.3)."""

from __future__ import annotations

import json

import pytest

from trellis.lrs.models import Statement
from trellis.lrs.tests.test_statements_support import (
    lrs_fixture,  # noqa: F401
    new_id,
    statement,
    voiding,
)

pytestmark = pytest.mark.django_db

BEN = {"mbox": "mailto:ben@example.com"}
EXPLOSIVES = "http://example.com/activities/explosives"


def ids_of(response) -> list[str]:
    return [s["id"] for s in response.json()["statements"]]


def test_voided_statement_is_only_returned_by_voided_statement_id(lrs):
    target = lrs.post(statement()).json()[0]
    voider = lrs.post(voiding(target)).json()[0]
    assert Statement.objects.get(statement_id=target).is_voided is True
    assert lrs.get({"statementId": target}).status_code == 404
    response = lrs.get({"voidedStatementId": target})
    assert response.status_code == 200 and response.json()["id"] == target
    assert ids_of(lrs.get()) == [voider]


def test_voided_statement_id_of_a_statement_not_voided_is_404(lrs):
    target = lrs.post(statement()).json()[0]
    assert lrs.get({"voidedStatementId": target}).status_code == 404


def test_voiding_a_voiding_statement_is_400_and_changes_nothing(lrs):
    target = lrs.post(statement()).json()[0]
    voider = lrs.post(voiding(target)).json()[0]
    response = lrs.post(voiding(voider))
    assert response.status_code == 400
    assert response.json()["property"] == "object.id"
    assert Statement.objects.count() == 2
    assert Statement.objects.get(statement_id=voider).is_voided is False


def test_voiding_within_one_batch(lrs):
    target = new_id()
    lrs.post([statement(id=target), voiding(target)])
    assert Statement.objects.get(statement_id=target).is_voided is True


def test_voiding_before_the_target_arrives_voids_it_on_arrival(lrs):
    target = new_id()
    assert lrs.post(voiding(target)).status_code == 200
    lrs.post(statement(id=target))
    assert Statement.objects.get(statement_id=target).is_voided is True
    assert lrs.get({"statementId": target}).status_code == 404


def test_voiding_object_must_be_a_statement_ref(lrs):
    body = statement(verb="http://adlnet.gov/expapi/verbs/voided")
    response = lrs.post(body)
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_statements_targeting_a_match_are_returned_with_filters(lrs):
    passed = lrs.post(
        statement(
            email="ben@example.com",
            verb="http://adlnet.gov/expapi/verbs/passed",
            activity=EXPLOSIVES,
        )
    ).json()[0]
    confirmed = lrs.post(
        statement(
            email="andrew@example.com",
            verb="http://example.com/verbs/confirmed",
            object={"objectType": "StatementRef", "id": passed},
        )
    ).json()[0]
    lrs.post(statement(email="carl@example.com"))
    assert ids_of(lrs.get({"agent": json.dumps(BEN)})) == [confirmed, passed]
    assert ids_of(lrs.get({"activity": EXPLOSIVES})) == [confirmed, passed]
    assert ids_of(lrs.get({"verb": "http://adlnet.gov/expapi/verbs/passed"})) == [confirmed, passed]


def test_statement_ref_chains_match_recursively_even_when_stored_out_of_order(lrs):
    c, b = new_id(), new_id()
    a = lrs.post(
        statement(email="x@example.com", object={"objectType": "StatementRef", "id": b})
    ).json()[0]
    lrs.post(statement(id=b, email="y@example.com", object={"objectType": "StatementRef", "id": c}))
    lrs.post(statement(id=c, email="ben@example.com", activity=EXPLOSIVES))
    assert ids_of(lrs.get({"activity": EXPLOSIVES, "ascending": "true"})) == [a, b, c]


def test_voiding_statement_is_returned_for_the_voided_statements_filters(lrs):
    target = lrs.post(statement(email="ben@example.com")).json()[0]
    voider = lrs.post(voiding(target)).json()[0]
    assert ids_of(lrs.get({"agent": json.dumps(BEN)})) == [voider]


def test_time_filters_apply_to_the_targeting_statement(lrs):
    target = lrs.post(statement(email="ben@example.com")).json()[0]
    stored = Statement.objects.get(statement_id=target).data["stored"]
    ref = lrs.post(
        statement(email="z@example.com", object={"objectType": "StatementRef", "id": target})
    ).json()[0]
    assert ids_of(lrs.get({"agent": json.dumps(BEN), "since": stored})) == [ref]
    assert ids_of(lrs.get({"agent": json.dumps(BEN), "until": stored})) == [target]
