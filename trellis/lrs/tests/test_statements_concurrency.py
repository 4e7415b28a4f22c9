"""Two writers posting the same batch at the same time: both succeed, each statement is stored once
(on SQLite the second writer waits for the first; on PostgreSQL the loser of the insert race re-checks
and finds the same statements)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from trellis.lrs.auth import Credential
from trellis.lrs.models import Statement, StatementAgent
from trellis.lrs.statements import statements_store
from trellis.lrs.tests.test_statements_support import make_lrs, new_id, statement


@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_at_once_store_each_statement_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file database (TEST_SQLITE_NAME) or PostgreSQL")
    lrs = make_lrs(["all"])
    credential = Credential(client=lrs.lrs_client)
    batch = [statement(id=new_id(), email=f"user{i}@example.com") for i in range(200)]
    start = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        from django.db import connections

        try:
            start.wait()
            results.append(statements_store(batch, version="1.0.3", credential=credential))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = [s["id"] for s in batch]
    assert results == [expected, expected]
    assert Statement.objects.count() == 200
    assert StatementAgent.objects.filter(relation="actor").count() == 200
