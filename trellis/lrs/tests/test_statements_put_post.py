"""PUT and POST statements: xAPI-Communication.md §2.1.1 and §2.1.2."""

from __future__ import annotations

import pytest

from trellis.lrs.models import Statement
from trellis.lrs.tests.test_statements_support import (
    URL,
    lrs_fixture,  # noqa: F401
    new_id,
    statement,
)

pytestmark = pytest.mark.django_db


def test_put_stores_under_the_statement_id_and_answers_204(lrs):
    statement_id = new_id()
    response = lrs.put(statement(), statement_id)
    assert response.status_code == 204
    assert response.content == b""
    assert Statement.objects.get().data["id"] == statement_id


def test_put_with_matching_id_in_body_is_accepted(lrs):
    statement_id = new_id()
    assert lrs.put(statement(id=statement_id.upper()), statement_id).status_code == 204
    assert str(Statement.objects.get().statement_id) == statement_id


def test_put_with_a_different_id_in_body_is_400_and_stores_nothing(lrs):
    response = lrs.put(statement(id=new_id()), new_id())
    assert response.status_code == 400
    assert response.json()["property"] == "id"
    assert Statement.objects.count() == 0


def test_put_without_statement_id_is_400(lrs):
    response = lrs.client.put(URL, data="{}", content_type="application/json", **lrs.headers())
    assert response.status_code == 400
    assert response.json()["property"] == "statementId"


def test_put_same_statement_again_is_204_and_different_is_409(lrs):
    statement_id = new_id()
    assert lrs.put(statement(), statement_id).status_code == 204
    assert lrs.put(statement(), statement_id).status_code == 204
    conflict = lrs.put(statement(verb="http://example.com/verbs/other"), statement_id)
    assert conflict.status_code == 409
    assert Statement.objects.count() == 1
    assert Statement.objects.get().verb_id == "http://adlnet.gov/expapi/verbs/completed"


def test_put_of_an_array_is_400(lrs):
    response = lrs.put([statement()], new_id())
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_post_array_returns_ids_in_order(lrs):
    given = [new_id(), new_id(), new_id()]
    response = lrs.post([statement(id=i) for i in given])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == given


def test_post_with_query_parameters_is_400(lrs):
    response = lrs.client.post(
        f"{URL}?statementId={new_id()}", data="{}", content_type="application/json", **lrs.headers()
    )
    assert response.status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", "42", "not json", '"text"'])
def test_post_of_no_statement_is_400(lrs, body):
    response = lrs.client.post(URL, data=body, content_type="application/json", **lrs.headers())
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_post_with_another_content_type_is_400(lrs):
    response = lrs.client.post(URL, data="x", content_type="text/plain", **lrs.headers())
    assert response.status_code == 400
    assert "Content-Type" in response.json()["error"]


def test_delete_is_405(lrs):
    response = lrs.client.delete(URL, **lrs.headers())
    assert response.status_code == 405


def test_a_batch_over_the_size_limit_is_413_and_stores_nothing(lrs, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = lrs.post([statement() for _ in range(20)])
    assert response.status_code == 413
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert Statement.objects.count() == 0
