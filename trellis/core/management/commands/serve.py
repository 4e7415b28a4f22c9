from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

# SQLite, for the server's own connections (see ``tune_sqlite``): 64 MB of page cache per
# connection, and WAL checkpoints left to one background thread instead of the request that happens
# to commit the 1,000th page.
SQLITE_CACHE_KIB = 65_536
SQLITE_AUTOCHECKPOINT_PAGES = 50_000  # a safety net only: the checkpointer runs far more often
CHECKPOINT_EVERY = 1.0  # seconds
PERSISTENT_CONNECTIONS = 600  # seconds (CONN_MAX_AGE), unless CONN_MAX_AGE is set


def start_worker() -> subprocess.Popen[bytes]:
    """The database-backed task worker as a child process, stopped when serving stops."""
    proc = subprocess.Popen([sys.executable, "-m", "trellis.cli", "worker"])
    atexit.register(proc.terminate)
    return proc


def tune_database() -> None:
    """What a long-running server wants of its database connections, on SQLite and PostgreSQL.

    - Persistent connections (``CONN_MAX_AGE``, unless the environment sets it): opening a
      connection per request costs its PRAGMAs and an empty page cache, and on SQLite closing the
      last connection of the database checkpoints the whole WAL (a copy of every page written since
      and an fsync of the database file), which with one client happened after every request.
    - SQLite: a 64 MB page cache per connection, and the WAL checkpoint moved off the request path
      to ``checkpointer`` (commits still fsync the WAL: ``synchronous`` is unchanged, so what was
      answered 200 stays durable).
    """
    from django.db import connections
    from django.db.backends.signals import connection_created

    settings_dict = connections["default"].settings_dict
    if "CONN_MAX_AGE" not in os.environ and not settings_dict.get("CONN_MAX_AGE"):
        settings_dict["CONN_MAX_AGE"] = PERSISTENT_CONNECTIONS
    if connections["default"].vendor != "sqlite":
        return

    def tune_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite" and connection.alias == "default":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
                cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")

    connection_created.connect(tune_sqlite, weak=False)


def checkpointer(stop: threading.Event) -> None:
    """Checkpoint the SQLite WAL every ``CHECKPOINT_EVERY`` seconds (PASSIVE: it never waits for or
    blocks readers and writers; what it cannot copy yet is copied next time). One checkpoint copies
    each page once however often the batches since the last one wrote it."""
    import sqlite3

    from django.db import connections

    name = connections["default"].settings_dict["NAME"]
    db = sqlite3.connect(str(name), timeout=5, check_same_thread=False, isolation_level=None)
    try:
        while not stop.wait(CHECKPOINT_EVERY):
            # busy (another checkpoint): the next round does it
            with contextlib.suppress(sqlite3.Error):
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    finally:
        db.close()


def start_checkpointer() -> threading.Event | None:
    from django.db import connections

    if connections["default"].vendor != "sqlite":
        return None
    stop = threading.Event()
    threading.Thread(
        target=checkpointer, args=(stop,), name="wal-checkpointer", daemon=True
    ).start()
    return stop


class Command(BaseCommand):
    help = "Serve Trellis with the waitress WSGI server (production-grade, pure Python)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)"
        )
        parser.add_argument(
            "--threads", type=int, default=8, help="Worker threads per process (default 8)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Server processes sharing the port (default 1); use one per CPU core",
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run the background worker"
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        threads: int,
        workers: int = 1,
        with_worker: bool,
        **options: Any,
    ) -> None:
        from waitress import serve

        from config.wsgi import application

        if workers < 1:
            raise CommandError("--workers: at least 1")
        tune_database()
        if with_worker:
            start_worker()
        self.stdout.write(
            f"Trellis is serving on http://{host}:{port}/"
            + (f" with {workers} processes" if workers > 1 else "")
            + "  (Ctrl+C to stop)"
        )
        self.stdout.flush()
        if workers == 1:
            start_checkpointer()
            serve(application, host=host, port=port, threads=threads, ident="trellis")
            return
        serve_processes(application, host=host, port=port, threads=threads, workers=workers)


def serve_processes(application: Any, *, host: str, port: int, threads: int, workers: int) -> None:
    """``workers`` forked processes, each a waitress server with ``threads`` threads, accepting on
    one listening socket bound here; this process checkpoints the WAL (SQLite), restarts a worker
    that dies and stops them all on SIGTERM / SIGINT."""
    from django.db import connections
    from waitress import serve

    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(info[4])
    sock.listen(1024)
    connections.close_all()  # no connection may cross a fork

    def spawn() -> int:
        pid = os.fork()
        if pid == 0:  # the worker process
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                serve(application, sockets=[sock], threads=threads, ident="trellis")
            finally:
                os._exit(0)
        return pid

    children = {spawn() for _ in range(workers)}
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stop_checkpoints = start_checkpointer()
    try:
        while children:
            try:
                pid, _status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if pid not in children:
                continue  # the task worker (--with-worker)
            children.discard(pid)
            if not stopping:
                time.sleep(0.5)
                children.add(spawn())
    finally:
        if stop_checkpoints is not None:
            stop_checkpoints.set()
        sock.close()
