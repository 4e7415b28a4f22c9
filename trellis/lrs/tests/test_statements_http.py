"""The Statement resource over HTTP: authentication and scopes (xAPI-Communication.md §4), headers
(§1.2, X-Experience-API-Consistent-Through, Last-Modified), HEAD (§1.1), CORS, the alternate request
syntax (§1.3), and the xAPI 2.0 differences."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.utils.http import http_date

from trellis.lrs.models import Statement
from trellis.lrs.tests.test_statements_support import (
    URL,
    lrs_fixture,  # noqa: F401
    make_lrs,
    new_id,
    statement,
)

pytestmark = pytest.mark.django_db


def test_missing_or_wrong_credentials_are_401(lrs):
    response = lrs.client.get(URL, HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert response.status_code == 401
    wrong = lrs.client.get(
        URL, HTTP_X_EXPERIENCE_API_VERSION="1.0.3", HTTP_AUTHORIZATION="Basic eDp5"
    )
    assert wrong.status_code == 401


def test_read_only_client_cannot_write(db):
    reader = make_lrs(["statements/read"])
    response = reader.post(statement())
    assert response.status_code == 403
    assert Statement.objects.count() == 0
    assert reader.get().status_code == 200


def test_write_only_client_cannot_read(db):
    writer = make_lrs(["statements/write"])
    assert writer.post(statement()).status_code == 200
    assert writer.get().status_code == 403


def test_read_mine_sees_only_its_own_statements(db):
    mine = make_lrs(["statements/write", "statements/read/mine"], name="Mine")
    other = make_lrs(["statements/write"], name="Other")
    own = mine.post(statement()).json()[0]
    foreign = other.post(statement()).json()[0]
    assert [s["id"] for s in mine.get().json()["statements"]] == [own]
    assert mine.get({"statementId": foreign}).status_code == 404
    assert mine.get({"statementId": own}).status_code == 200


def test_authority_of_a_client_acting_for_a_person_is_a_group(personas):
    acting = make_lrs(["all"], user=personas.alice.user)
    statement_id = acting.post(statement()).json()[0]
    authority = Statement.objects.get(statement_id=statement_id).data["authority"]
    assert authority["objectType"] == "Group"
    assert authority["member"][1]["mbox"] == f"mailto:{personas.alice.user.email}"


def test_consistent_through_on_every_response_and_last_modified_on_gets(lrs):
    post = lrs.post(statement())
    assert post["X-Experience-API-Consistent-Through"].endswith("Z")
    error = lrs.get({"bogus": "1"})
    assert error.status_code == 400 and error["X-Experience-API-Consistent-Through"]
    statement_id = post.json()[0]
    stored = Statement.objects.get(statement_id=statement_id).stored
    single = lrs.get({"statementId": statement_id})
    assert single["Last-Modified"] == http_date(stored.timestamp())
    assert lrs.get()["Last-Modified"] == http_date(stored.timestamp())


def test_head_answers_like_get_without_a_body(lrs):
    statement_id = lrs.post(statement()).json()[0]
    response = lrs.client.head(URL, {"statementId": statement_id}, **lrs.headers())
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Experience-API-Consistent-Through"]
    assert lrs.client.head(URL, {"statementId": new_id()}, **lrs.headers()).status_code == 404


def test_cors_preflight_and_headers(lrs):
    preflight = lrs.client.options(URL, HTTP_ORIGIN="https://course.example.com")
    assert preflight.status_code == 200
    assert "PUT" in preflight["Access-Control-Allow-Methods"]
    response = lrs.get(HTTP_ORIGIN="https://course.example.com")
    assert response["Access-Control-Allow-Origin"] == "https://course.example.com"
    assert "X-Experience-API-Consistent-Through" in response["Access-Control-Expose-Headers"]


def test_missing_version_header_is_400(lrs):
    response = lrs.client.get(URL, HTTP_AUTHORIZATION=lrs.authorization)
    assert response.status_code == 400
    assert response["X-Experience-API-Consistent-Through"]


def test_alternate_syntax_put_and_get(lrs):
    statement_id = new_id()
    form = {
        "Authorization": lrs.authorization,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "statementId": statement_id,
        "content": json.dumps(statement()),
    }
    response = lrs.client.post(
        f"{URL}?method=PUT", data=urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 204
    get_form = {
        "Authorization": lrs.authorization,
        "X-Experience-API-Version": "1.0.3",
        "verb": "http://adlnet.gov/expapi/verbs/completed",
    }
    listing = lrs.client.post(
        f"{URL}?method=GET",
        data=urlencode(get_form),
        content_type="application/x-www-form-urlencoded",
    )
    assert listing.status_code == 200
    assert [s["id"] for s in listing.json()["statements"]] == [statement_id]


def test_version_2_stores_version_2_and_utc_timestamps(lrs):
    lrs.version = "2.0.0"
    response = lrs.post(statement(timestamp="2024-05-01T12:00:00+02:00"))
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "2.0.0"
    data = Statement.objects.get().data
    assert data["version"] == "2.0.0"
    assert Statement.objects.get().timestamp.isoformat() == "2024-05-01T10:00:00+00:00"


def test_version_2_context_agents_are_related_agents(lrs):
    lrs.version = "2.0.0"
    coach = {"objectType": "Agent", "mbox": "mailto:coach@example.com"}
    body = statement(context={"contextAgents": [{"objectType": "contextAgent", "agent": coach}]})
    response = lrs.post(body)
    assert response.status_code == 200, response.content
    related = lrs.get({"agent": json.dumps(coach), "related_agents": "true"})
    assert [s["id"] for s in related.json()["statements"]] == response.json()
    assert lrs.get({"agent": json.dumps(coach)}).json()["statements"] == []


def test_version_2_refuses_the_alternate_syntax(lrs):
    form = {"Authorization": lrs.authorization, "X-Experience-API-Version": "2.0.0"}
    response = lrs.client.post(
        f"{URL}?method=GET", data=urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
