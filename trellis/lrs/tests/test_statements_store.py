"""Storing statements: xAPI-Data.md §2.3-2.4 (id, stored, timestamp, authority, version), batches,
immutability, and the index rows behind the query parameters."""

from __future__ import annotations

import uuid

import pytest

from trellis.lrs.models import Statement, StatementActivity, StatementAgent
from trellis.lrs.tests.test_statements_support import (
    lrs_fixture,  # noqa: F401
    new_id,
    statement,
)

pytestmark = pytest.mark.django_db


def test_post_single_statement_stores_it_with_lrs_properties(lrs):
    response = lrs.post(statement())
    assert response.status_code == 200
    ids = response.json()
    assert len(ids) == 1 and uuid.UUID(ids[0]).version == 4
    stored = Statement.objects.get()
    assert str(stored.statement_id) == ids[0]
    assert stored.data["id"] == ids[0]
    assert stored.data["version"] == "1.0.0"
    assert stored.data["timestamp"] == stored.data["stored"]
    assert stored.data["authority"] == {
        "objectType": "Agent",
        "name": "Course tool",
        "account": {"homePage": "http://127.0.0.1:8000", "name": lrs.lrs_client.key},
    }


def test_batch_gets_one_stored_time_and_keeps_given_ids_and_timestamps(lrs):
    given = new_id()
    response = lrs.post(
        [
            statement(id=given, timestamp="2024-05-01T10:00:00.000Z"),
            statement(email="bo@example.com"),
        ]
    )
    assert response.status_code == 200
    ids = response.json()
    assert ids[0] == given
    first, second = (Statement.objects.get(statement_id=i) for i in ids)
    assert first.data["stored"] == second.data["stored"]
    assert first.stored == second.stored
    assert first.data["timestamp"] == "2024-05-01T10:00:00.000Z"
    assert second.data["timestamp"] == second.data["stored"]


def test_client_sent_authority_and_stored_are_overwritten(lrs):
    sent = statement(authority={"mbox": "mailto:forger@example.com"}, stored="2000-01-01T00:00:00Z")
    statement_id = lrs.post(sent).json()[0]
    data = Statement.objects.get(statement_id=statement_id).data
    assert data["authority"]["account"]["name"] == lrs.lrs_client.key
    assert data["stored"] != "2000-01-01T00:00:00Z"


def test_statement_version_is_kept_when_given(lrs):
    statement_id = lrs.post(statement(version="1.0.2")).json()[0]
    assert Statement.objects.get(statement_id=statement_id).data["version"] == "1.0.2"


def test_duplicate_ids_in_a_batch_reject_the_whole_batch(lrs):
    same = new_id()
    response = lrs.post([statement(id=same), statement(id=new_id()), statement(id=same)])
    assert response.status_code == 400
    assert response.json()["property"] == "[2].id"
    assert Statement.objects.count() == 0


def test_invalid_statement_names_its_index_and_nothing_is_stored(lrs):
    bad = statement()
    del bad["verb"]
    response = lrs.post([statement(), bad])
    assert response.status_code == 400
    assert response.json()["property"].startswith("[1]")
    assert Statement.objects.count() == 0


def test_same_statement_again_is_accepted_and_not_stored_twice(lrs):
    body = statement(id=new_id())
    assert lrs.post(body).status_code == 200
    again = lrs.post(body)
    assert again.status_code == 200
    assert again.json() == [body["id"]]
    assert Statement.objects.count() == 1


def test_different_statement_with_a_stored_id_is_a_conflict_and_batch_is_rejected(lrs):
    taken = new_id()
    lrs.post(statement(id=taken))
    response = lrs.post([statement(id=new_id()), statement(id=taken, verb="http://example.com/v")])
    assert response.status_code == 409
    assert Statement.objects.count() == 1
    assert Statement.objects.get().verb_id == "http://adlnet.gov/expapi/verbs/completed"


def test_index_rows_cover_actor_object_context_substatement_and_authority(lrs):
    body = {
        "actor": {
            "objectType": "Group",
            "mbox": "mailto:team@example.com",
            "member": [{"mbox": "mailto:ada@example.com"}],
        },
        "verb": {"id": "http://example.com/verbs/planned"},
        "object": {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:sub@example.com"},
            "verb": {"id": "http://example.com/verbs/attend"},
            "object": {"id": "http://example.com/activities/sub"},
        },
        "context": {
            "registration": "6f6b2a4e-0b1e-4c3a-9a0d-2c4c2f1c9b10",
            "instructor": {"mbox": "mailto:teacher@example.com"},
            "contextActivities": {
                "parent": [{"id": "http://example.com/activities/parent"}],
                "grouping": {"id": "http://example.com/activities/group"},
            },
        },
    }
    statement_id = lrs.post(body).json()[0]
    stored = Statement.objects.get(statement_id=statement_id)
    assert stored.actor_ifi == "mbox:mailto:team@example.com"
    assert stored.object_type == "SubStatement"
    assert str(stored.registration) == "6f6b2a4e-0b1e-4c3a-9a0d-2c4c2f1c9b10"
    agents = set(StatementAgent.objects.values_list("agent_ifi", "relation"))
    assert agents == {
        ("mbox:mailto:team@example.com", "actor"),
        ("mbox:mailto:ada@example.com", "actor"),
        ("mbox:mailto:sub@example.com", "related"),
        ("mbox:mailto:teacher@example.com", "related"),
        (f"account:http://127.0.0.1:8000|{lrs.lrs_client.key}", "related"),
    }
    activities = set(StatementActivity.objects.values_list("activity_id", "relation"))
    assert activities == {
        ("http://example.com/activities/sub", "related"),
        ("http://example.com/activities/parent", "related"),
        ("http://example.com/activities/group", "related"),
    }


def test_projection_is_scheduled_after_commit_with_new_pks(
    lrs, monkeypatch, django_capture_on_commit_callbacks
):
    from trellis.lrs.auth import Credential
    from trellis.lrs.statements import statements_store

    calls = []
    monkeypatch.setattr("trellis.lrs.statements.project_statements_later", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        ids = statements_store(
            [statement(), statement(email="bo@example.com")],
            version="1.0.3",
            credential=Credential(client=lrs.lrs_client),
        )
    pks = list(
        Statement.objects.filter(statement_id__in=ids).order_by("pk").values_list("pk", flat=True)
    )
    assert calls == [pks]
    with django_capture_on_commit_callbacks(execute=True):
        statements_store(
            [statement(id=ids[0])], version="1.0.3", credential=Credential(client=lrs.lrs_client)
        )
    assert calls == [pks]  # nothing new stored, nothing scheduled


def test_store_for_trellis_itself_uses_the_given_authority(db):
    from trellis.lrs.statements import statements_store

    authority = {
        "objectType": "Agent",
        "account": {"homePage": "https://trellis", "name": "trellis"},
    }
    (statement_id,) = statements_store([statement()], version="1.0.3", authority=authority)
    stored = Statement.objects.get(statement_id=statement_id)
    assert stored.data["authority"] == authority
    assert stored.authority_ifi == "account:https://trellis|trellis"
    assert stored.client is None


def test_with_the_database_task_backend_the_projection_job_commits_with_the_statements(
    lrs, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ids = lrs.post([statement(), statement(email="bo@example.com")]).json()
    job = DBTaskResult.objects.get()
    assert job.task_path == "trellis.lrs.tasks.project_statements_task"
    assert job.args_kwargs["args"] == [
        sorted(Statement.objects.filter(statement_id__in=ids).values_list("pk", flat=True))
    ]
    # A batch that fails stores neither its statements nor a job.
    assert lrs.post([statement(), {"actor": "nobody"}]).status_code == 400
    assert (Statement.objects.count(), DBTaskResult.objects.count()) == (2, 1)
