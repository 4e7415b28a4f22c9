"""§3.1 Concurrency with real concurrent writers: two threads, each on its own database connection,
write one document with the same ETag at the same moment. Exactly one wins; the other gets 412 and
changes nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from trellis.lrs.documents import DocumentKey, Preconditions, document_post, document_put, etag_of
from trellis.lrs.models import Document
from trellis.lrs.xapi.errors import XapiError

KEY = DocumentKey(
    kind=Document.Kind.AGENT_PROFILE,
    agent_ifi="mbox:mailto:ada@example.com",
    document_id="preferences",
)


def needs_a_shared_database() -> None:
    # SQLite's in-memory test database is shared between threads through its shared cache, which
    # answers "database table is locked" at once instead of waiting. A file database (WAL, busy
    # timeout: TEST_SQLITE_NAME=/tmp/t.sqlite3) or PostgreSQL runs these tests.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("concurrent writers need a file SQLite database or PostgreSQL")


def race(writers: list[Any]) -> list[Any]:
    """Run each writer in its own thread, released together; returns each one's result or error."""
    barrier = threading.Barrier(len(writers))
    results: list[Any] = [None] * len(writers)

    def run(index: int, writer: Any) -> None:
        try:
            barrier.wait()
            results[index] = writer()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", [document_put, document_post])
def test_two_writers_with_one_etag_exactly_one_wins(write):
    needs_a_shared_database()
    document_put(
        key=KEY,
        content=b'{"v": "start"}',
        content_type="application/json",
        preconditions=Preconditions(if_none_match="*"),
    )
    etag = '"' + etag_of(b'{"v": "start"}') + '"'

    def writer(value: str) -> Any:
        return lambda: write(
            key=KEY,
            content=f'{{"v": "{value}"}}'.encode(),
            content_type="application/json",
            preconditions=Preconditions(if_match=etag),
        )

    results = race([writer("a"), writer("b")])
    winners = [r for r in results if isinstance(r, Document)]
    losers = [r for r in results if isinstance(r, XapiError)]
    assert len(winners) == 1, results
    assert [e.status for e in losers] == [412], results
    stored = Document.objects.get()
    assert bytes(stored.content) == bytes(winners[0].content)
    assert stored.etag == winners[0].etag


@pytest.mark.django_db(transaction=True)
def test_two_creators_with_if_none_match_star_exactly_one_wins():
    needs_a_shared_database()

    def creator(value: str) -> Any:
        return lambda: document_put(
            key=KEY,
            content=value.encode(),
            content_type="text/plain",
            preconditions=Preconditions(if_none_match="*"),
        )

    results = race([creator("a"), creator("b")])
    winners = [r for r in results if isinstance(r, Document)]
    losers = [r for r in results if isinstance(r, XapiError)]
    assert len(winners) == 1, results
    assert [e.status for e in losers] == [412], results
    assert [bytes(d.content) for d in Document.objects.all()] == [bytes(winners[0].content)]
