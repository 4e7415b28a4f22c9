"""Database helpers shared by the write-heavy paths."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

_SQLITE_WRITERS = threading.Lock()


@contextmanager
def sqlite_writer(using: str = "default") -> Iterator[None]:
    """Queue this thread's write transaction behind the other threads of the process (SQLite only).

    SQLite has one writer at a time. Threads that all ``BEGIN IMMEDIATE`` at once wait for the lock in
    SQLite's busy handler, which sleeps 1, 2, 5, 10 … ms between tries; queued on a Python lock
    instead, the next writer starts the moment the last one commits. Other processes still wait in
    the busy handler. Does nothing on PostgreSQL, or inside a transaction (which already holds
    SQLite's lock: waiting here could deadlock with a thread that waits for it).
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with _SQLITE_WRITERS:
        yield
