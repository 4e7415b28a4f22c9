"""Bulk enrichment (embedding, skill suggestions) never holds up user-facing tasks: it runs one
chunk per task at a priority below every other task, so the worker takes a notification or an LRS
projection enqueued meanwhile before the next chunk (run by the real database worker)."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker

from trellis.discovery import search
from trellis.discovery.models import SearchDocument
from trellis.discovery.tests.searchkit import make_catalog, use_hashing
from trellis.lrs.tasks import project_statements_task
from trellis.notify.tasks import deliveries_dispatch_task


@pytest.fixture
def db_queue(settings: Any) -> Any:
    use_hashing(settings)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield
    search.search_state_reset()


def _run_worker() -> list[str]:
    ran: list[str] = []

    def finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
        ran.append(task_result.task.name)

    task_finished.connect(finished)
    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        ).run()
    finally:
        task_finished.disconnect(finished)
    return ran


@pytest.mark.django_db(transaction=True)
def test_a_notification_enqueued_during_bulk_embedding_runs_before_the_embedding_ends(
    db_queue, monkeypatch
):
    make_catalog(vectors=False)  # 4 items indexed for full text, none embedded yet
    monkeypatch.setattr(search, "ENRICH_CHUNK", 1)
    real_enrich = search._enrich
    calls: list[list[int]] = []

    def enrich(item_ids: list[int]) -> dict[str, int]:
        calls.append(item_ids)
        if len(calls) == 1:  # while the first chunk is being embedded, people act
            deliveries_dispatch_task.enqueue()
            project_statements_task.enqueue([])
        return real_enrich(item_ids)

    monkeypatch.setattr(search, "_enrich", enrich)
    search.search_enrich_task.enqueue()

    ran = _run_worker()

    assert ran == [
        "search_enrich_task",  # chunk 1 (the other two were enqueued meanwhile)
        "deliveries_dispatch_task",
        "project_statements_task",
        "search_enrich_task",  # chunks 2, 3, 4
        "search_enrich_task",
        "search_enrich_task",
        "search_enrich_task",  # finds nothing left and stops the chain
    ]
    assert len(calls) == 4
    assert SearchDocument.objects.filter(vector_model="hashing-1024").count() == 4


@pytest.mark.django_db(transaction=True)
def test_an_import_indexes_at_once_and_enriches_in_low_priority_chunks(db_queue, monkeypatch):
    items = make_catalog(vectors=False)
    monkeypatch.setattr(search, "ENRICH_CHUNK", 2)
    ids = sorted(i.pk for i in items.values())
    search.search_index_update_task.enqueue(ids)
    deliveries_dispatch_task.enqueue()  # enqueued after the import, runs before its enrichment
    ran = _run_worker()
    assert ran == [
        "deliveries_dispatch_task",
        "search_index_update_task",
        "search_enrich_task",
        "search_enrich_task",
        "search_enrich_task",
    ]
    assert SearchDocument.objects.filter(vector_model="hashing-1024").count() == 4


def test_without_a_worker_the_chunks_run_in_a_loop_not_a_recursion(settings, db, monkeypatch):
    use_hashing(settings)  # tests run tasks at once (the immediate backend)
    make_catalog(vectors=False)
    monkeypatch.setattr(search, "ENRICH_CHUNK", 1)
    result = search.search_enrich_task.enqueue()
    assert result.return_value == {
        "skills_embedded": 0,
        "embedded": 4,
        "suggested": 0,
        "next": None,
    }
    search.search_state_reset()
