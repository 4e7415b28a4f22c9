"""One SQLite writer at a time across the processes of ``trellis serve --workers N``.

``trellis.core.db.sqlite_writer`` queues the threads of one process on a Python lock; this queues
the processes on an advisory lock file beside the database (``flock``), taken inside that lock.
Without it, the writers of several processes meet in SQLite's busy handler, which sleeps 1, 2, 5,
10 … ms between tries: a process that just missed the lock sleeps while the database is free. A
blocked ``flock`` wakes the moment the holder lets go.

Nothing else needs this lock to be correct: SQLite's own lock still decides (a writer that does not
take it, such as the task worker, just waits in the busy handler as before).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

_FILES: dict[tuple[int, str], int] = {}
_FILES_GUARD = threading.Lock()


def _lock_file(path: str) -> int:
    # Keyed by process id: a forked process must open its own file description (flock locks belong
    # to the description, which fork shares, so parent and child would not exclude each other).
    key = (os.getpid(), path)
    with _FILES_GUARD:
        fd = _FILES.get(key)
        if fd is None:
            fd = _FILES[key] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return fd


@contextmanager
def sqlite_process_writer(using: str = "default") -> Iterator[None]:
    """Hold the database's writer lock file while the block runs (SQLite on a file only; nothing
    on PostgreSQL, on an in-memory database, or inside a transaction, which already holds SQLite's
    lock). Call it inside ``sqlite_writer`` so that one thread per process waits here."""
    connection = connections[using]
    name = str(connection.settings_dict.get("NAME") or "")
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or not name
        or name == ":memory:"
        or name.startswith("file:")
    ):
        yield
        return
    fd = _lock_file(name + "-writer.lock")
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
