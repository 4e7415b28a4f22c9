"""The moving parts of the crash test (test_crash.py).

- ``sqlite_target`` / ``postgres_target``: a database of its own for a ``trellis serve`` subprocess (a
  SQLite file in a data folder, or a PostgreSQL database created next to the test database and
  dropped afterwards), migrated, with an LRS client made by ``trellis lrs client create``.
- ``Server``: ``trellis serve`` in its own process group, started until ``/xapi/about`` answers,
  killed with SIGKILL.
- ``Poster``: client threads that POST batches of statements with known ids and record, per batch,
  what the client saw: ``acked`` (a 200 naming the batch's ids), ``unknown`` (sent, no answer: in
  flight at the kill), ``not_sent`` (the connection was refused: nothing was sent) or ``rejected``
  (any other answer).
- ``Target.stored``: every stored statement read straight from the database with a connection of
  its own, with the index rows that must have been written in the same transaction.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings

from trellis.lrs.models import Statement, StatementActivity, StatementAgent

# Variables of the test run that must not leak into the server subprocess.
_DROPPED_ENV = ("DATABASE_URL", "TEST_SQLITE_NAME", "REDIS_URL", "TRELLIS_PRODUCTION")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def trellis(*args: str, env: dict[str, str], timeout: float = 60) -> str:
    """Run ``trellis <args>`` (the console script's module) with ``env``; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "trellis.cli", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"trellis {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


@dataclass
class Target:
    """The server subprocess's database: its environment and a direct way to read it."""

    env: dict[str, str]
    vendor: str
    sqlite_path: Path | None = None
    pg_conninfo: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    secret: str = ""

    @property
    def authorization(self) -> str:
        return "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()

    def migrate(self) -> None:
        trellis("migrate", "--skip-checks", "--verbosity", "0", env=self.env, timeout=120)

    def create_client(self) -> None:
        """``trellis lrs client create``: the key and secret the posters authenticate with."""
        out = trellis("lrs", "client", "create", "--name", "crash", "--scope", "all", env=self.env)
        key = re.search(r"^key:\s+(\S+)$", out, re.MULTILINE)
        secret = re.search(r"^secret:\s+(\S+)$", out, re.MULTILINE)
        if key is None or secret is None:
            raise RuntimeError(f"trellis lrs client create printed no key and secret:\n{out}")
        self.key, self.secret = key.group(1), secret.group(1)

    def stored(self) -> dict[uuid.UUID, tuple[int, int]]:
        """Every stored statement id with its number of actor index rows and of context-activity
        index rows (both written in the statement's transaction: 1 and 1 for the test's
        statements, whose context has one parent activity)."""
        sql = (
            f"SELECT s.statement_id,"
            f" (SELECT COUNT(*) FROM {StatementAgent._meta.db_table} a"
            f"  WHERE a.statement_id = s.id AND a.relation = 'actor'),"
            f" (SELECT COUNT(*) FROM {StatementActivity._meta.db_table} c"
            f"  WHERE c.statement_id = s.id AND c.relation = 'related')"
            f" FROM {Statement._meta.db_table} s"
        )
        if self.vendor == "sqlite":
            assert self.sqlite_path is not None
            db = sqlite3.connect(self.sqlite_path, timeout=20)
            try:
                rows = db.execute(sql).fetchall()
            finally:
                db.close()
        else:
            import psycopg

            with psycopg.connect(**self.pg_conninfo, connect_timeout=10) as db:
                rows = db.execute(sql).fetchall()
        return {uuid.UUID(str(sid)): (int(actors), int(objects)) for sid, actors, objects in rows}

    def integrity(self) -> str:
        """SQLite's own check of the database file after the crash ("ok"); PostgreSQL: "ok"."""
        if self.vendor != "sqlite":
            return "ok"
        assert self.sqlite_path is not None
        db = sqlite3.connect(self.sqlite_path, timeout=20)
        try:
            return "; ".join(str(row[0]) for row in db.execute("PRAGMA integrity_check"))
        finally:
            db.close()


def _base_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    data_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        TRELLIS_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def sqlite_target(data_dir: Path) -> Target:
    """SQLite in a data folder of its own (WAL, synchronous=FULL, as config/settings.py sets it)."""
    env = _base_env(data_dir)
    return Target(env=env, vendor="sqlite", sqlite_path=data_dir / "trellis.sqlite3")


@contextmanager
def postgres_target(data_dir: Path, database: dict[str, Any]) -> Iterator[Target]:
    """A database ``trellis_crash_<random>`` on the server of ``database`` (Django's settings of the
    test run's connection), dropped afterwards; the test database itself is never touched."""
    import psycopg
    from psycopg import sql

    server = {
        "host": database.get("HOST") or "127.0.0.1",
        "port": int(database.get("PORT") or 5432),
        "user": database.get("USER") or "postgres",
        "password": database.get("PASSWORD") or None,
    }
    name = f"trellis_crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**server, dbname="postgres", autocommit=True, connect_timeout=10) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env = _base_env(data_dir)
        password = f":{quote(server['password'], safe='')}" if server["password"] else ""
        env["DATABASE_URL"] = (
            f"postgres://{quote(server['user'], safe='')}{password}"
            f"@{server['host']}:{server['port']}/{name}"
        )
        yield Target(env=env, vendor="postgresql", pg_conninfo={**server, "dbname": name})
    finally:
        with psycopg.connect(
            **server, dbname="postgres", autocommit=True, connect_timeout=10
        ) as db:
            db.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# System checks are skipped on each (re)start: the same code, half a second less each time.
SERVE = [sys.executable, "-m", "trellis.cli", "serve", "--skip-checks", "--host", "127.0.0.1"]


class Server:
    """``trellis serve`` as a subprocess in its own session (process group), on a fresh port."""

    def __init__(self, env: dict[str, str], log_dir: Path, workers: tuple[int, ...] = (1,)) -> None:
        self.env = env
        # ``--workers`` of each start in turn: (1, 2) alternates one process and two.
        self.workers = workers
        self.log_dir = log_dir
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self.log_path = log_dir / "serve-0.log"

    def start(self, timeout: float = 30) -> float:
        """Start and wait until GET /xapi/about answers 200; the seconds it took."""
        assert self.proc is None, "the server is already running"
        began = time.monotonic()
        self.port = free_port()
        self.starts += 1
        self.log_path = self.log_dir / f"serve-{self.starts}.log"
        workers = self.workers[(self.starts - 1) % len(self.workers)]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [*SERVE, "--port", str(self.port), "--workers", str(workers)],
                env=self.env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"trellis serve exited {self.proc.returncode}:\n{self.log()}")
            try:
                status, _ = self.request("GET", "/xapi/about", timeout=2)
                if status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"trellis serve did not answer within {timeout} s:\n{self.log()}")

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, timeout: float = 10
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def kill(self) -> None:
        """SIGKILL to the whole process group (no clean shutdown of anything), then reap it."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        finally:
            self.proc = None

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


VERB = "http://adlnet.gov/expapi/verbs/completed"


@dataclass
class Batch:
    """One POST of ``ids`` (context.registration ``registration``) and what the client saw."""

    registration: uuid.UUID
    ids: list[uuid.UUID]
    outcome: str = "unknown"  # acked | unknown | not_sent | rejected
    detail: str = ""


def make_batch(thread: int, number: int, size: int) -> tuple[Batch, list[dict[str, Any]]]:
    registration = uuid.uuid4()
    ids = [uuid.uuid4() for _ in range(size)]
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    statements = [
        {
            "id": str(sid),
            "actor": {
                "objectType": "Agent",
                "mbox": f"mailto:crash-{thread}-{i % 7}@example.com",
                "name": f"Crash learner {thread}-{i % 7}",
            },
            "verb": {"id": VERB, "display": {"en-US": "completed"}},
            "object": {
                "objectType": "Activity",
                "id": f"https://trellis.example/crash/activities/{(number * size + i) % 97}",
                "definition": {"name": {"en-US": f"Crash activity {(number * size + i) % 97}"}},
            },
            "result": {"completion": True, "success": True, "score": {"scaled": 0.8}},
            "context": {
                "registration": str(registration),
                "contextActivities": {"parent": [{"id": "https://trellis.example/crash/course"}]},
            },
            "timestamp": now,
        }
        for i, sid in enumerate(ids)
    ]
    return Batch(registration=registration, ids=ids), statements


class Poster:
    """``threads`` clients, each posting batches of ``size`` statements one after the other on a
    keep-alive connection until stopped, ``max_batches`` are sent, ``seconds`` pass, or its server
    stops answering (then the thread records that batch and ends)."""

    def __init__(
        self,
        *,
        port: int,
        authorization: str,
        threads: int = 4,
        size: int = 50,
        max_batches: int = 400,
        seconds: float = 15,
        timeout: float = 15,
    ) -> None:
        self.port = port
        self.authorization = authorization
        self.size = size
        self.max_batches = max_batches
        self.seconds = seconds
        self.timeout = timeout
        self.stop = threading.Event()
        self.first_ack = threading.Event()
        self.per_thread: list[list[Batch]] = [[] for _ in range(threads)]
        self.errors: list[BaseException] = []
        self._threads = [
            threading.Thread(target=self._run, args=(n,), name=f"crash-poster-{n}", daemon=True)
            for n in range(threads)
        ]

    @property
    def batches(self) -> list[Batch]:
        return [batch for batches in self.per_thread for batch in batches]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wait_for_ack(self, timeout: float = 20) -> bool:
        """Until a first batch is acknowledged (True), or every thread has ended or time is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.first_ack.wait(0.05):
                return True
            if not any(thread.is_alive() for thread in self._threads):
                return self.first_ack.is_set()
        return False

    def join(self, timeout: float = 20) -> None:
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"poster threads still running after {timeout} s: {alive}")

    def _run(self, n: int) -> None:
        try:
            self._post_until_stopped(n)
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)

    def _post_until_stopped(self, n: int) -> None:
        headers = {
            "Authorization": self.authorization,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        }
        deadline = time.monotonic() + self.seconds
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            for number in range(self.max_batches):
                if self.stop.is_set() or time.monotonic() > deadline:
                    return
                batch, statements = make_batch(n, number, self.size)
                body = json.dumps(statements).encode()
                self.per_thread[n].append(batch)
                if conn.sock is None:
                    try:
                        conn.connect()
                    except OSError as exc:
                        batch.outcome, batch.detail = "not_sent", repr(exc)
                        return
                try:
                    conn.request("POST", "/xapi/statements", body=body, headers=headers)
                    response = conn.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    batch.outcome, batch.detail = "unknown", repr(exc)
                    return
                expected = [str(sid) for sid in batch.ids]
                if response.status == 200 and _json_or_none(answer) == expected:
                    batch.outcome = "acked"
                    self.first_ack.set()
                else:
                    batch.outcome = "rejected"
                    batch.detail = f"{response.status}: {answer[:500]!r}"
                    return
        finally:
            conn.close()


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
