"""Benchmark the xAPI LRS over real HTTP: ingest and query, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_lrs.py [--db sqlite|postgres|both] [--stored 1000000]
        [--batches 200] [--queries 200] [--threads 8] [--workers 1] [--data-dir DIR]
        [--pg-db NAME] [--explain] [--split] [--peer ralph [--ralph-fixes]]

For each database it migrates a fresh one (a temporary data folder, or a new PostgreSQL database
``bench_lrs_<pid>``), preloads ``--stored`` realistic statements in a separate process through
``statements_store(..., project=False)`` in batches of 1,000, creates an LRS client with
``trellis lrs client create --name … --scope all``, starts ``trellis serve --threads 8`` as a
subprocess (``--workers`` processes) and waits for ``/healthz``. Then, over keep-alive ``http.client`` connections (one per
client thread, request bodies encoded before the clock starts):

- baseline: ``GET /xapi/about`` (the HTTP floor of the same server: routing, middleware, waitress);
- queries: ``GET /xapi/statements`` with agent, verb, activity (and combined) filters, limit 100;
- ingest: ``POST /xapi/statements`` batches of 100 statements, with 1 and with 4 concurrent clients;
- baseline: the same batches stored in-process by ``statements_store`` (no HTTP), one at a time.

It prints statements per second, p50/p95 latencies, the server's CPU time per request (user +
system of its processes, from /proc: unlike wall time it does not grow when other work shares the
machine) and ratios against the baselines. ``--workers N`` serves with N processes; ``--split``
adds where the time of one POST of 100 statements goes, phase by phase (``internal_split``). ``--data-dir``
(SQLite) and ``--pg-db`` (PostgreSQL) reuse a preloaded database (topped up to ``--stored``); the
statements the run adds are deleted again at the end so the next run starts from the same N.
Temporary databases are removed. ``--explain`` prints the query plans (SQLite ``EXPLAIN QUERY
PLAN``, PostgreSQL ``EXPLAIN ANALYZE``) of the query scenarios. Nothing is asserted.

``--peer ralph`` also drives a peer LRS in the same run, Ralph 5.1.0 (PyPI ``ralph-malph``, in its
own ``.bench-venv/ralph``, see ``peer_ralph.py``) on its filesystem backend, the only one of its
backends that runs without an outside server: the same ``--stored`` statements (bulk-loaded with
``ralph write``), the same query requests and the same ingest batches; it prints Ralph's figures
beside Trellis's with the throughput ratio Trellis/Ralph, and ``n/a (reason)`` where Ralph cannot
run a scenario. ``--ralph-fixes`` patches the two fs-backend bugs that stop most scenarios.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
TRELLIS = str(ROOT / ".venv" / "bin" / "trellis")
PG_URL = "postgres://postgres@127.0.0.1:5432/{}"
HOST = "127.0.0.1"
BATCH = 100
PRELOAD_BATCH = 1000
LIMIT = 100
XAPI_VERSION = "1.0.3"
PRELOAD_AUTHORITY = {
    "objectType": "Agent",
    "name": "LRS benchmark preload",
    "account": {"homePage": "https://bench.example.com", "name": "preload"},
}

# --- realistic statements -----------------------------------------------------------------------

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = [  # (verb IRI, weight): what a corporate LRS receives
    (ADL + "launched", 14),
    (ADL + "initialized", 6),
    (ADL + "progressed", 20),
    (ADL + "completed", 14),
    (ADL + "passed", 6),
    (ADL + "failed", 3),
    (ADL + "answered", 10),
    (ADL + "experienced", 6),
    (ADL + "terminated", 6),
    ("http://id.tincanapi.com/verb/viewed", 12),
    ("http://id.tincanapi.com/verb/rated", 3),
]
ACTIVITY_TYPES = [
    "http://adlnet.gov/expapi/activities/module",
    "http://adlnet.gov/expapi/activities/assessment",
    "http://adlnet.gov/expapi/activities/media",
    "http://adlnet.gov/expapi/activities/cmi.interaction",
    "http://adlnet.gov/expapi/activities/lesson",
    "http://adlnet.gov/expapi/activities/link",
]
N_ACTORS = 600
N_ACTIVITIES = 3000
N_COURSES = 150
N_PROGRAMS = 20
N_REGISTRATIONS = 20000
SPAN_DAYS = 180
END = datetime(2025, 6, 1, tzinfo=UTC)
TOPICS = [
    "Python",
    "SQL",
    "statistics",
    "prompting",
    "privacy",
    "negotiation",
    "leadership",
    "security",
    "Excel",
    "ethics",
]


class Pools:
    """The same actors, activities, courses and registrations in every process (fixed seed)."""

    def __init__(self) -> None:
        rng = random.Random(1234)
        self.actors: list[dict[str, Any]] = []
        for n in range(N_ACTORS):
            if n % 7 == 6:  # some tools identify people by an SSO account
                actor = {
                    "objectType": "Agent",
                    "name": f"Learner {n:04d}",
                    "account": {"homePage": "https://sso.example.com", "name": f"u{n:05d}"},
                }
            else:
                actor = {
                    "objectType": "Agent",
                    "name": f"Learner {n:04d}",
                    "mbox": f"mailto:learner{n:04d}@example.com",
                }
            self.actors.append(actor)
        self.courses = [
            {
                "objectType": "Activity",
                "id": f"https://learn.example.com/courses/{n:04d}",
                "definition": {
                    "name": {"en-US": f"Course {n}: {rng.choice(TOPICS)}"},
                    "type": "http://adlnet.gov/expapi/activities/course",
                },
            }
            for n in range(N_COURSES)
        ]
        self.programs = [
            {"objectType": "Activity", "id": f"https://learn.example.com/programs/{n:03d}"}
            for n in range(N_PROGRAMS)
        ]
        self.activities = []
        self.parent_of = []
        for n in range(N_ACTIVITIES):
            kind = rng.choice(ACTIVITY_TYPES)
            self.activities.append(
                {
                    "objectType": "Activity",
                    "id": f"https://learn.example.com/activities/{n:05d}",
                    "definition": {
                        "name": {"en-US": f"{rng.choice(TOPICS).title()} unit {n}"},
                        "description": {
                            "en-US": f"Unit {n} of a course about {rng.choice(TOPICS)}"
                        },
                        "type": kind,
                    },
                }
            )
            self.parent_of.append(rng.randrange(N_COURSES))
        self.registrations = [
            str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(N_REGISTRATIONS)
        ]
        self.verbs = [v for v, _ in VERBS]
        self.weights = [w for _, w in VERBS]


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(1, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def make_statements(pools: Pools, seed: int, count: int, first: int, total: int) -> list[dict]:
    """``count`` statements (indexes first … first+count of ``total``), timestamps spread over
    SPAN_DAYS in index order, so stored order follows time as it does in a live LRS."""
    rng = random.Random(seed)
    out = []
    for i in range(first, first + count):
        actor = rng.choice(pools.actors)
        verb = rng.choices(pools.verbs, pools.weights)[0]
        index = rng.randrange(N_ACTIVITIES)
        activity = pools.activities[index]
        moment = END - timedelta(seconds=SPAN_DAYS * 86400 * (1 - i / max(total, 1)))
        statement: dict[str, Any] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "actor": actor,
            "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
            "object": activity,
            "timestamp": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "context": {
                "registration": pools.registrations[rng.randrange(N_REGISTRATIONS)],
                "platform": "Trellis bench",
                "language": "en-US",
                "contextActivities": {
                    "parent": [pools.courses[pools.parent_of[index]]],
                    "grouping": [pools.programs[index % N_PROGRAMS]],
                    "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
                },
                "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": f"s{i}"},
            },
        }
        name = verb.rsplit("/", 1)[1]
        if name in ("passed", "failed", "answered", "completed", "rated"):
            scaled = round(min(1.0, max(0.0, rng.gauss(0.75, 0.15))), 2)
            result: dict[str, Any] = {
                "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100},
                "duration": _duration(rng.randint(30, 5400)),
            }
            if name in ("passed", "failed", "answered"):
                result["success"] = name != "failed" and scaled >= 0.5
            if name == "completed":
                result["completion"] = True
            if name == "answered":
                result["response"] = rng.choice(["a", "b", "c", "d", "a[,]c"])
            statement["result"] = result
        elif name == "progressed":
            statement["result"] = {
                "duration": _duration(rng.randint(60, 3600)),
                "extensions": {
                    "https://w3id.org/xapi/cmi5/result/extensions/progress": rng.randint(1, 99)
                },
            }
        out.append(statement)
    return out


# --- helpers ------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def run(cmd: list[str], env: dict[str, str], timeout: float, *, show_stderr: bool = False) -> str:
    done = subprocess.run(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None if show_stderr else subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def internal(command: str, env: dict[str, str], timeout: float, *args: str) -> dict[str, Any]:
    """Run one of this file's in-process steps in a separate Python process; its last stdout line
    is a JSON summary."""
    out = run([PYTHON, __file__, "--internal", command, *args], env, timeout, show_stderr=True)
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- in-process steps (run with --internal, in their own process) -------------------------------


def _django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # after PYTHONPATH, so a patched checkout can be compared
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def internal_preload(total: int) -> dict[str, Any]:
    """Top the database up to ``total`` preloaded statements (deterministic batches)."""
    _django()
    from django.db import connection

    from trellis.lrs.models import Statement
    from trellis.lrs.statements import statements_store
    from trellis.lrs.xapi.agents import agent_ifi

    have = Statement.objects.filter(authority_ifi=agent_ifi(PRELOAD_AUTHORITY)).count()
    pools = Pools()
    started = time.monotonic()
    first_batch = have // PRELOAD_BATCH
    n_batches = (total + PRELOAD_BATCH - 1) // PRELOAD_BATCH
    stored = 0
    for batch in range(first_batch, n_batches):
        first = batch * PRELOAD_BATCH
        count = min(PRELOAD_BATCH, total - first)
        statements = make_statements(pools, 10_000_000 + batch, count, first, total)
        if batch == first_batch and have % PRELOAD_BATCH:
            statements = statements[have % PRELOAD_BATCH :]
        statements_store(
            statements, version=XAPI_VERSION, authority=PRELOAD_AUTHORITY, project=False
        )
        stored += len(statements)
        if batch % 50 == 0 or batch == n_batches - 1:
            rate = stored / max(time.monotonic() - started, 1e-9)
            log(f"  preload {have + stored:,} / {total:,} ({rate:,.0f} statements/s)")
    seconds = time.monotonic() - started
    if stored and connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; without it the first plans use stale stats.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "stored": stored,
        "before": have,
        "seconds": round(seconds, 1),
        "per_second": round(stored / seconds) if stored else None,
    }


def internal_inprocess(key: str, batches: int, seed: int) -> dict[str, Any]:
    """Baseline: the ingest batches stored by ``statements_store`` in this process, no HTTP (the same
    call the POST view makes: the client's credential, projection scheduled on commit)."""
    _django()
    from trellis.lrs.auth import Credential
    from trellis.lrs.models import LrsClient
    from trellis.lrs.statements import statements_store

    credential = Credential(client=LrsClient.objects.get(key=key))
    pools = Pools()
    bodies = [make_statements(pools, seed + n, BATCH, 0, 1) for n in range(batches)]
    latencies = []
    cpu = time.process_time()
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        statements_store(body, version=XAPI_VERSION, credential=credential)
        latencies.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "latencies": latencies,
        "statements": batches * BATCH,
    }


SPLIT_PHASES = [
    "JSON decode",
    "validation",
    "preparation (normalise, ids, index rows)",
    "immutability check (SELECT of the ids)",
    "row encoding (JSON, UUIDs, timestamps)",
    "activity definitions (plan)",
    "write lock + BEGIN",
    "SQL inserts (statements, agent and activity index rows)",
    "activity definitions (merge)",
    "projection job (enqueue)",
    "COMMIT (WAL write + fsync)",
]


def internal_split(key: str, auth: str, batches: int, seed: int) -> dict[str, Any]:
    """Where the time of one 100-statement POST goes: CPU (``time.process_time``, which does not
    grow when other work shares the machine) and wall time per batch, for the whole request through
    Django's WSGI handler (no socket), and phase by phase for the steps of ``statements_store``
    (``validate_statement`` is timed alone, then ``_prepare``, which runs it again: the preparation
    is ``_prepare``'s time less the validation's of the same batch). The
    connection is tuned as ``trellis serve`` tunes it."""
    _django()
    import io

    from django.db import connection, transaction
    from django.utils import timezone

    from config.wsgi import application
    from trellis.core.db import sqlite_writer
    from trellis.core.management.commands.serve import tune_database
    from trellis.lrs import statements as store
    from trellis.lrs.auth import Credential
    from trellis.lrs.documents import activity_definitions_merge, activity_definitions_plan
    from trellis.lrs.models import LrsClient
    from trellis.lrs.projection import project_statements_later
    from trellis.lrs.writelock import sqlite_process_writer
    from trellis.lrs.xapi.timefmt import format_timestamp
    from trellis.lrs.xapi.validation import validate_statement

    tune_database()
    pools = Pools()
    bodies = ingest_bodies(pools, seed, 2 * batches + 3)

    def post(body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/xapi/statements",
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "HTTP_HOST": HOST,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "HTTP_X_EXPERIENCE_API_VERSION": XAPI_VERSION,
            "HTTP_AUTHORIZATION": auth,
        }
        status: list[str] = []
        answer = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"split: POST answered {status[0]}: {answer[:300]!r}")

    for body in bodies[:3]:  # warm up: imports, caches, the connection
        post(body)
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies[3 : 3 + batches]:
        post(body)
    request = {
        "cpu": (time.process_time() - cpu) * 1000 / batches,
        "wall": (time.perf_counter() - wall) * 1000 / batches,
    }

    credential = Credential(client=LrsClient.objects.get(key=key))
    phases = {name: [0.0, 0.0] for name in SPLIT_PHASES}
    clock = [0.0, 0.0]

    def lap(name: str | None) -> None:
        now = (time.process_time(), time.perf_counter())
        if name is not None:
            phases[name][0] += (now[0] - clock[0]) * 1000 / batches
            phases[name][1] += (now[1] - clock[1]) * 1000 / batches
        clock[0], clock[1] = now

    for body in bodies[3 + batches :]:
        lap(None)
        statements = json.loads(body.decode("utf-8"))
        lap("JSON decode")
        before = list(phases["validation"])
        for index, raw in enumerate(statements):
            validate_statement(raw, version=XAPI_VERSION, path=f"[{index}]")
        lap("validation")
        validated = [phases["validation"][0] - before[0], phases["validation"][1] - before[1]]
        now = timezone.now()
        stored_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        prepared = store._prepare(
            statements,
            version=XAPI_VERSION,
            authority=credential.authority(),
            payloads={},
            single=False,
            stored=format_timestamp(stored_at),
        )
        # _prepare validates again before it normalises: its time less this batch's validation
        lap("preparation (normalise, ids, index rows)")
        phases["preparation (normalise, ids, index rows)"][0] -= validated[0]
        phases["preparation (normalise, ids, index rows)"][1] -= validated[1]
        existing = store._existing(prepared, single=False)
        lap("immutability check (SELECT of the ids)")
        new = [item for item in prepared if item.statement_id not in existing]
        rows = store._statement_rows(
            new, version=XAPI_VERSION, credential=credential, stored_at=stored_at, single=False
        )
        lap("row encoding (JSON, UUIDs, timestamps)")
        definitions = activity_definitions_plan(
            [a for item in new for a in store._activity_objects(item.data)], can_define=True
        )
        lap("activity definitions (plan)")
        with sqlite_writer(), sqlite_process_writer():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                if connection.vendor == "sqlite":
                    with connection.cursor() as cursor:  # BEGIN IMMEDIATE is deferred to here
                        cursor.execute("SELECT 1")
                lap("write lock + BEGIN")
                pks = store._insert(new, rows, payloads={}, single=False)
                lap("SQL inserts (statements, agent and activity index rows)")
                if definitions:
                    activity_definitions_merge(definitions, can_define=True)
                lap("activity definitions (merge)")
                project_statements_later(pks)
                lap("projection job (enqueue)")
            except BaseException:
                atomic.__exit__(*sys.exc_info())
                raise
            atomic.__exit__(None, None, None)
            lap("COMMIT (WAL write + fsync)")
    return {
        "batches": batches,
        "request": request,
        "phases": {name: {"cpu": c, "wall": w} for name, (c, w) in phases.items()},
        "load": os.getloadavg()[0],
    }


def internal_cleanup(key: str) -> dict[str, Any]:
    """Delete what the run added (statements of the bench client, queued projection tasks)."""
    _django()
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from trellis.lrs.models import LrsClient, Statement, StatementActivity, StatementAgent

    client = LrsClient.objects.get(key=key)
    pks = list(Statement.objects.filter(client=client).values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(pks), 5000):
            chunk = pks[start : start + 5000]
            StatementAgent.objects.filter(statement_id__in=chunk).delete()
            StatementActivity.objects.filter(statement_id__in=chunk).delete()
            Statement.objects.filter(pk__in=chunk).delete()
        DBTaskResult.objects.all().delete()  # the projection tasks queued by the ingest
        client.delete()
    return {"deleted": len(pks)}


def query_params(pools: Pools, kind: str, rng: random.Random) -> dict[str, str]:
    actor = rng.choice(pools.actors)
    agent = {k: v for k, v in actor.items() if k != "name"}
    verb = rng.choices(pools.verbs, pools.weights)[0]
    activity = rng.choice(pools.activities)["id"]
    params: dict[str, str] = {"limit": str(LIMIT)}
    if kind in ("agent", "agent+verb"):
        params["agent"] = json.dumps(agent, separators=(",", ":"))
    if kind in ("verb", "agent+verb"):
        params["verb"] = verb
    if kind == "activity":
        params["activity"] = activity
    if kind == "course (related)":
        params["activity"] = rng.choice(pools.courses)["id"]
        params["related_activities"] = "true"
    return params


QUERY_KINDS = ["agent", "verb", "activity", "agent+verb", "course (related)"]


def internal_explain() -> dict[str, Any]:
    """The SQL each query scenario runs and its plan."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.lrs.statements import StatementQuery, statements_query
    from trellis.lrs.xapi.agents import agent_ifi

    pools = Pools()
    rng = random.Random(99)
    plans = {}
    for kind in QUERY_KINDS:
        params = query_params(pools, kind, rng)
        query = StatementQuery(
            agent_ifi=agent_ifi(json.loads(params["agent"])) if "agent" in params else None,
            verb=params.get("verb"),
            activity=params.get("activity"),
            related_activities=params.get("related_activities") == "true",
            limit=LIMIT,
        )
        with CaptureQueriesContext(connection) as captured:
            statements_query(query=query)
        entries = []
        for item in captured.captured_queries:
            sql = item["sql"]
            prefix = (
                "EXPLAIN QUERY PLAN "
                if connection.vendor == "sqlite"
                else "EXPLAIN (ANALYZE, BUFFERS) "
            )
            # The captured SQL has its parameters inlined by Django for display; good enough to
            # EXPLAIN (every value here is a quoted string or a number).
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                rows = cursor.fetchall()
            plan = [" | ".join(str(c) for c in row) for row in rows]
            entries.append({"sql": sql, "ms": float(item["time"]) * 1000, "plan": plan})
        plans[kind] = entries
    return plans


# --- HTTP load ----------------------------------------------------------------------------------


class Client:
    """One keep-alive connection (one per load thread)."""

    def __init__(self, port: int, auth: str | None) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.headers = {"X-Experience-API-Version": XAPI_VERSION}
        if auth:
            self.headers["Authorization"] = auth

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


def load(
    port: int,
    auth: str | None,
    requests: list[tuple[str, str, bytes | None]],
    clients: int,
    deadline: float,
    expect: int = 200,
    *,
    warmup: str = "/xapi/about",
    keep: bool = False,
) -> dict[str, Any]:
    """Send ``requests`` from ``clients`` threads (round-robin split), each over its own keep-alive
    connection opened with a GET of ``warmup``; stops at ``deadline`` (monotonic). Returns wall
    time, per-request latencies and (``keep``) the response bodies."""
    shares = [requests[n::clients] for n in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    payloads: list[list[bytes]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start_line = threading.Barrier(clients + 1)

    def worker(n: int) -> None:
        client = Client(port, auth)
        try:
            client.request("GET", warmup)  # open the connection before the clock starts
            start_line.wait(timeout=30)
            for method, path, body in shares[n]:
                if time.monotonic() > deadline:
                    errors.append(DEADLINE)
                    return
                t0 = time.perf_counter()
                status, payload = client.request(method, path, body)
                latencies[n].append(time.perf_counter() - t0)
                if keep:
                    payloads[n].append(payload)
                if status != expect:
                    errors.append(
                        f"{method} {path[:60]} → {status}: {payload[:300].decode(errors='replace')}"
                    )
                    return
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait(timeout=30)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 60))
    seconds = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    outcome = {"seconds": seconds, "latencies": flat, "errors": errors}
    if keep:
        outcome["payloads"] = [x for per in payloads for x in per]
    return outcome


def statement_counts(payloads: list[bytes]) -> list[int]:
    """How many statements each GET /statements answer held (to check that a peer found them)."""
    return [len(json.loads(payload).get("statements", [])) for payload in payloads]


def query_plan(queries: int) -> list[tuple[str, list[str]]]:
    """The query strings of each query scenario, the same for Trellis and the peer."""
    pools = Pools()
    rng = random.Random(7)
    return [
        (kind, [urlencode(query_params(pools, kind, rng)) for _ in range(queries)])
        for kind in QUERY_KINDS
    ]


def ingest_bodies(pools: Pools, seed: int, batches: int) -> list[bytes]:
    return [
        json.dumps(make_statements(pools, seed + n, BATCH, 0, 1)).encode() for n in range(batches)
    ]


INGEST = ((1, 4_000_000), (4, 5_000_000))  # (clients, seed of the first batch)


# --- one database ---------------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str], threads: int, workers: int = 1) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs
        self.proc = subprocess.Popen(
            [
                TRELLIS,
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--threads",
                str(threads),
                *(["--workers", str(workers)] if workers > 1 else []),
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        self.log.seek(0)
        raise SystemExit(f"the server did not answer /healthz:\n{self.log.read().decode()[-3000:]}")

    def cpu(self) -> float:
        """CPU seconds (user + system) used so far by the server's processes (its session: the
        waitress processes and their reaped children). Unlike wall time, this does not grow when
        other work shares the machine."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # fields[3] is the session id (field 6 of stat); 11..14: utime stime cutime cstime
            if int(fields[3]) == self.proc.pid:
                total += sum(int(x) for x in fields[11:15]) / tick
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def bench_database(
    db: str, args: argparse.Namespace, plan: list[tuple[str, list[str]]]
) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.pop("DATABASE_URL", None)
    cleanup: list[Callable[[], None]] = []
    reused = False
    if db == "sqlite":
        if args.data_dir:
            data_dir = Path(args.data_dir)
            data_dir.mkdir(parents=True, exist_ok=True)
            reused = True
        else:
            data_dir = Path(tempfile.mkdtemp(prefix="bench-lrs-"))
            cleanup.append(lambda: shutil.rmtree(data_dir, ignore_errors=True))
        env["TRELLIS_DATA_DIR"] = str(data_dir)
        where = str(data_dir)
    else:
        name = args.pg_db or f"bench_lrs_{os.getpid()}"
        if name == "test" or name.startswith("test_"):
            raise SystemExit("--pg-db: the databases 'test' and 'test_*' belong to test runs")
        exists = subprocess.run(
            [
                "psql",
                "-h",
                HOST,
                "-U",
                "postgres",
                "-Atc",
                f"SELECT 1 FROM pg_database WHERE datname='{name}'",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
        if not exists:
            run(["createdb", "-h", HOST, "-U", "postgres", name], env, 60)
        if args.pg_db:
            reused = True
        else:
            cleanup.append(
                lambda: subprocess.run(
                    ["dropdb", "-h", HOST, "-U", "postgres", "--if-exists", name],
                    timeout=120,
                    check=False,
                )
            )
        env["TRELLIS_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-lrs-pg-")
        data_dir_pg = env["TRELLIS_DATA_DIR"]
        cleanup.append(lambda: shutil.rmtree(data_dir_pg, ignore_errors=True))
        env["DATABASE_URL"] = PG_URL.format(name)
        where = env["DATABASE_URL"]
    result: dict[str, Any] = {"db": db, "where": where, "stored": args.stored, "rows": []}
    server: Server | None = None
    key = None
    try:
        log(f"{db}: migrate ({where})")
        run([TRELLIS, "migrate", "--noinput"], env, 600)
        log(f"{db}: preload up to {args.stored:,} statements")
        result["preload"] = internal("preload", env, args.preload_timeout, str(args.stored))
        out = run(
            [
                TRELLIS,
                "lrs",
                "client",
                "create",
                "--name",
                f"bench {os.getpid()}",
                "--scope",
                "all",
            ],
            env,
            120,
        )
        key = re.search(r"^key:\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
        secret = re.search(r"^secret:\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
        auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        if args.explain:
            result["explain"] = internal("explain", env, 600)

        server = Server(env, args.threads, args.workers)
        server.wait()
        log(f"{db}: server on port {server.port}")
        pools = Pools()
        deadline = lambda: time.monotonic() + args.scenario_timeout  # noqa: E731

        about = load(
            server.port, None, [("GET", "/xapi/about", None)] * args.queries, 1, deadline()
        )
        about_p50 = percentile(about["latencies"], 50)
        result["rows"].append(
            row("baseline: GET /xapi/about", about, about_p50=about_p50, key="floor")
        )
        for kind, queries in plan:
            requests = [("GET", "/xapi/statements?" + query, None) for query in queries]
            cpu_before = server.cpu()
            outcome = load(server.port, auth, requests, 1, deadline(), keep=True)
            outcome["cpu"] = server.cpu() - cpu_before
            result["rows"].append(
                row(
                    f"query {kind}, limit {LIMIT}",
                    outcome,
                    about_p50=about_p50,
                    key=f"query {kind}",
                    counts=statement_counts(outcome["payloads"]),
                )
            )
            log(
                f"{db}: {result['rows'][-1]['name']}: p95 {result['rows'][-1]['p95']:.1f} ms, "
                f"server CPU {result['rows'][-1]['cpu_ms']:.1f} ms/request, "
                f"load {os.getloadavg()[0]:.2f}"
            )

        log(f"{db}: in-process baseline ({args.batches} batches of {BATCH})")
        inproc = internal(
            "inprocess", env, args.scenario_timeout + 120, key, str(args.batches), "3000000"
        )
        inproc_rate = inproc["statements"] / inproc["seconds"]
        result["rows"].append(
            row(
                f"baseline: statements_store in-process, {BATCH}/batch",
                {**inproc, "errors": []},
                statements=inproc["statements"],
                inproc_rate=inproc_rate,
            )
        )
        for clients, seed in INGEST:
            bodies = ingest_bodies(pools, seed, args.batches)
            requests = [("POST", "/xapi/statements", body) for body in bodies]
            cpu_before = server.cpu()
            outcome = load(server.port, auth, requests, clients, deadline())
            outcome["cpu"] = server.cpu() - cpu_before
            done = len(outcome["latencies"]) * BATCH
            result["rows"].append(
                row(
                    f"ingest POST {BATCH}/batch, {clients} client{'s' if clients > 1 else ''}",
                    outcome,
                    statements=done,
                    inproc_rate=inproc_rate,
                    key=f"ingest {clients}",
                )
            )
            log(
                f"{db}: {result['rows'][-1]['name']}: {result['rows'][-1]['rate']:,.0f} statements/s, "
                f"server CPU {result['rows'][-1]['cpu_ms']:.1f} ms/batch, "
                f"load {os.getloadavg()[0]:.2f}"
            )
        if args.split:
            log(f"{db}: phase split ({args.batches // 2} batches of {BATCH})")
            result["split"] = internal(
                "split",
                env,
                args.scenario_timeout + 120,
                key,
                auth,
                str(args.batches // 2),
                "6000000",
            )
    finally:
        if server is not None:
            server.stop()
        if key and reused:
            log(f"{db}: deleting the statements this run added")
            try:
                internal("cleanup", env, 900, key)
            except (SystemExit, subprocess.TimeoutExpired) as exc:
                log(f"{db}: cleanup failed: {exc}")
        for step in cleanup:
            step()
    return result


def row(
    name: str,
    outcome: dict[str, Any],
    *,
    statements: int | None = None,
    about_p50: float | None = None,
    inproc_rate: float | None = None,
    key: str = "",
    counts: list[int] | None = None,
) -> dict[str, Any]:
    latencies = outcome["latencies"]
    p50 = percentile(latencies, 50) * 1000
    p95 = percentile(latencies, 95) * 1000
    rate = statements / outcome["seconds"] if statements else None
    cpu = outcome.get("cpu")
    if statements and inproc_rate:
        ratio = f"{rate / inproc_rate:.2f}x in-process"
    elif about_p50:
        ratio = f"{p50 / (about_p50 * 1000):.1f}x about"
    else:
        ratio = ""
    return {
        "key": key,
        "name": name,
        "requests": len(latencies),
        "rps": len(latencies) / outcome["seconds"] if latencies else None,
        "counts": counts,
        "rate": rate,
        "p50": p50,
        "p95": p95,
        "ratio": ratio,
        "cpu_ms": cpu * 1000 / len(latencies) if cpu is not None and latencies else None,
        "errors": outcome["errors"][:3],
    }


def print_table(result: dict[str, Any]) -> None:
    preload = result.get("preload") or {}
    print()
    print(
        f"## {result['db']}: {result['stored']:,} statements stored "
        f"(preloaded now: {preload.get('stored', 0):,}"
        + (
            f" at {preload['per_second']:,} statements/s in-process"
            if preload.get("per_second")
            else ""
        )
        + ")"
    )
    print()
    print(
        "| scenario | requests | statements/s | p50 ms | p95 ms | server CPU ms/request | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in result["rows"]:
        rate = f"{r['rate']:,.0f}" if r["rate"] else ""
        cpu = f"{r['cpu_ms']:.1f}" if r.get("cpu_ms") is not None else ""
        print(
            f"| {r['name']} | {r['requests']} | {rate} | {r['p50']:.1f} | {r['p95']:.1f} | {cpu} "
            f"| {r['ratio']} |"
        )
    split = result.get("split")
    if split:
        print()
        print(
            f"Where one POST of {BATCH} statements goes ({split['batches']} batches, in-process "
            f"through Django's WSGI handler; load average {split['load']:.2f}):"
        )
        print()
        print("| phase | CPU ms/batch | wall ms/batch |")
        print("|---|---:|---:|")
        total = [0.0, 0.0]
        for name, times in split["phases"].items():
            total[0] += times["cpu"]
            total[1] += times["wall"]
            print(f"| {name} | {times['cpu']:.1f} | {times['wall']:.1f} |")
        print(f"| statements_store, sum of the phases | {total[0]:.1f} | {total[1]:.1f} |")
        request = split["request"]
        print(
            f"| whole request (WSGI: Django, authentication, the view, statements_store) "
            f"| {request['cpu']:.1f} | {request['wall']:.1f} |"
        )
    for r in result["rows"]:
        for error in r["errors"]:
            print(f"  ! {r['name']}: {error}")
    for kind, entries in (result.get("explain") or {}).items():
        print(f"\n### plan: query {kind}")
        for entry in entries:
            print(f"\n{entry['ms']:.0f} ms (Django's timer)  {entry['sql']}")
            for line in entry["plan"]:
                print(f"    {line}")


# --- a peer LRS in the same run (--peer ralph) ----------------------------------------------------


def ralph_preload_lines(total: int, ids: list[str]) -> Iterator[bytes]:
    """The statements Trellis preloads (same seeds and batches), as JSON lines with what Ralph's
    POST adds (``stored``, ``authority``); the first and last ids are appended to ``ids``."""
    pools = Pools()
    stored = datetime.now(UTC).isoformat()
    n_batches = (total + PRELOAD_BATCH - 1) // PRELOAD_BATCH
    for batch in range(n_batches):
        first = batch * PRELOAD_BATCH
        count = min(PRELOAD_BATCH, total - first)
        statements = make_statements(pools, 10_000_000 + batch, count, first, total)
        if batch == 0:
            ids.append(statements[0]["id"])
        if batch == n_batches - 1:
            ids.append(statements[-1]["id"])
        for statement in statements:
            statement["stored"] = stored
            statement["authority"] = PRELOAD_AUTHORITY
        yield b"".join(json.dumps(st, separators=(",", ":")).encode() + b"\n" for st in statements)


DEADLINE = "deadline reached"


def _failures(outcome: dict[str, Any]) -> list[str]:
    """The errors other than --scenario-timeout, without the request line: "500: {...}"."""
    return [e.split(" → ", 1)[-1] for e in outcome["errors"] if e != DEADLINE]


def bench_ralph(
    args: argparse.Namespace, plan: list[tuple[str, list[str]]], trellis: list[dict[str, Any]]
) -> dict[str, Any]:
    """The same scenarios on Ralph (fs backend): rows keyed like Trellis's, with ``na`` set to the
    reason where Ralph could not run a scenario, and the checks that it stored what it was sent."""
    from peer_ralph import VERSION, RalphPeer

    peer = RalphPeer(fixes=args.ralph_fixes, log=log)
    result: dict[str, Any] = {
        "version": VERSION,
        "fixes": args.ralph_fixes,
        "rows": [],
        "notes": [],
    }
    notes = result["notes"]
    trellis_counts = {r["key"]: r["counts"] for r in trellis[0]["rows"] if r.get("counts")}
    try:
        auth = peer.create_user()
        log(f"ralph: bulk load of {args.stored:,} statements with `ralph write -b fs`")
        ids: list[str] = []
        started = time.monotonic()
        peer.bulk_load(ralph_preload_lines(args.stored, ids), args.preload_timeout)
        seconds = time.monotonic() - started
        stored = peer.count_stored()
        result["preload"] = {"stored": stored, "seconds": seconds}
        size = peer.statements_file.stat().st_size / 1e6 if stored else 0
        notes.append(
            f"bulk load: {stored:,} statements ({size:,.0f} MB of JSON lines) with `ralph write "
            f"-b fs -o append` in {seconds:.1f} s ({stored / max(seconds, 1e-9):,.0f} "
            "statements/s; a raw append, no validation), the same statements as Trellis's preload"
        )
        peer.start()
        peer.wait()
        log(f"ralph: server on port {peer.port} (uvicorn, 1 worker, fs backend)")
        found = [statement_id for statement_id in ids if peer.has_statement(statement_id)]
        notes.append(
            f"check: GET ?statementId= finds {len(found)} of the first and last bulk-loaded "
            f"statements ({len(ids)} asked)"
        )
        deadline = lambda: time.monotonic() + args.scenario_timeout  # noqa: E731

        floor = load(
            peer.port,
            None,
            [("GET", "/__lbheartbeat__", None)] * args.queries,
            1,
            deadline(),
            warmup="/__lbheartbeat__",
        )
        result["rows"].append(row("HTTP floor", floor, key="floor"))
        for kind, queries in plan:
            requests = [("GET", "/xAPI/statements?" + query, None) for query in queries]
            outcome = load(
                peer.port, auth, requests, 1, deadline(), warmup="/__lbheartbeat__", keep=True
            )
            failures = _failures(outcome)
            counts = [] if failures else statement_counts(outcome["payloads"])
            entry = row(f"query {kind}", outcome, key=f"query {kind}", counts=counts)
            theirs = trellis_counts.get(entry["key"]) or []
            if failures:
                entry["na"] = f"answered {failures[0][:160]}"
            elif sum(counts) == 0 and sum(theirs) > 0:
                entry["na"] = (
                    f"answered 200 with no statement to all {len(counts)} requests, where Trellis "
                    f"found {sum(theirs):,}: the filter matches nothing"
                )
            else:
                differ = sum(1 for a, b in zip(counts, theirs, strict=False) if a != b)
                remarks = []
                if differ:
                    remarks.append(
                        f"statement counts differ from Trellis's in {differ} of {len(counts)} "
                        "requests"
                    )
                if len(counts) < len(queries):
                    remarks.append(
                        f"{len(counts)} of {len(queries)} requests before --scenario-timeout"
                    )
                entry["note"] = "; ".join(remarks)
            result["rows"].append(entry)
            log(f"ralph: query {kind}: " + (entry.get("na") or f"p95 {entry['p95']:.1f} ms"))

        pools = Pools()
        for clients, seed in INGEST:
            bodies = ingest_bodies(pools, seed, args.batches)
            requests = [("POST", "/xAPI/statements", body) for body in bodies]
            before = peer.count_stored()
            outcome = load(
                peer.port, auth, requests, clients, deadline(), warmup="/__lbheartbeat__"
            )
            done = len(outcome["latencies"]) * BATCH
            entry = row(f"ingest {clients}", outcome, statements=done, key=f"ingest {clients}")
            added = peer.count_stored() - before
            failures = _failures(outcome)
            if failures:
                hint = [
                    line
                    for line in peer.log_tail(4000).splitlines()
                    if line.strip() and "Failed to index" not in line
                ]
                entry["na"] = f"POST answered {failures[0][:120]}" + (
                    f"; server log: {hint[-1].strip().replace(str(peer.dir), '…')[:200]}"
                    if hint
                    else ""
                )
            else:
                complete = len(outcome["latencies"]) == len(requests)
                probe = json.loads(bodies[-1 if complete else 0])[0]["id"]
                notes.append(
                    f"check after ingest with {clients} client{'s' if clients > 1 else ''}: "
                    f"{added:,} lines added to the statements file ({done:,} statements sent), "
                    f"GET ?statementId= of the {'last' if complete else 'first'} batch's first "
                    f"statement: {'found' if peer.has_statement(probe) else 'NOT FOUND'}"
                )
                if len(outcome["latencies"]) < len(requests):
                    entry["note"] = (
                        f"{len(outcome['latencies'])} of {len(requests)} batches before "
                        "--scenario-timeout"
                    )
            result["rows"].append(entry)
            log(
                f"ralph: ingest {clients}: "
                + (entry.get("na") or f"{entry['rate']:,.0f} statements/s")
            )
    finally:
        peer.remove()
    return result


def _cell_rate(r: dict[str, Any]) -> str:
    if r.get("rate"):
        return f"{r['rate']:,.0f} st/s"
    return f"{r['rps']:,.1f} req/s" if r.get("rps") else ""


def _speed(r: dict[str, Any]) -> float | None:
    return r.get("rate") or r.get("rps")


def print_peer_table(trellis: dict[str, Any], ralph: dict[str, Any]) -> None:
    how = "with the bench's two fixes (--ralph-fixes)" if ralph["fixes"] else "as released"
    print()
    print(
        f"## Trellis ({trellis['db']}) beside Ralph {ralph['version']} (fs backend, {how}), "
        f"{trellis['stored']:,} statements stored in each"
    )
    print()
    print(
        "| scenario | Trellis /s | p50 ms | p95 ms | Ralph /s | p50 ms | p95 ms | Trellis/Ralph |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    theirs = {r["key"]: r for r in ralph["rows"]}
    names = {"floor": "HTTP floor: Trellis GET /xapi/about, Ralph GET /__lbheartbeat__"}
    for mine in trellis["rows"]:
        other = theirs.get(mine["key"])
        if other is None:
            continue
        name = names.get(mine["key"], mine["name"])
        left = f"{_cell_rate(mine)} | {mine['p50']:.1f} | {mine['p95']:.1f}"
        if other.get("na"):
            right, ratio = f"n/a ({other['na']}) | | ", "n/a"
        else:
            right = f"{_cell_rate(other)} | {other['p50']:.1f} | {other['p95']:.1f}"
            a, b = _speed(mine), _speed(other)
            ratio = f"{a / b:.2f}x" if a and b else ""
        print(f"| {name} | {left} | {right} | {ratio} |")
    print()
    print(
        "/s: requests per second for the floor and the queries (1 client), statements per second "
        "for ingest; Trellis/Ralph: that throughput divided, above 1 = Trellis faster."
    )
    for r in ralph["rows"]:
        if r.get("note"):
            print(f"  ! Ralph {r['name']}: {r['note']}")
    print()
    print("Ralph notes:")
    for line in [
        *RALPH_CAVEATS,
        (
            "fixes applied (--ralph-fixes; POST appends, verb and activity ids compared as "
            "strings; nothing else changed) for two fs-backend bugs of the release: "
            if ralph["fixes"]
            else "as released, with two fs-backend bugs (--ralph-fixes patches them): "
        )
        + RALPH_BUGS,
        *ralph["notes"],
    ]:
        print(f"- {line}")


RALPH_CAVEATS = [
    "backend: fs, the only Ralph LRS backend that runs here without an outside server (its others "
    "are Elasticsearch, MongoDB and ClickHouse; none on PostgreSQL or SQLite). It appends JSON "
    "lines to one file and reads that file from the start for every query and for every POST's "
    "check of already-stored ids: a weak baseline that says what a file-backed LRS costs, not what "
    "Ralph on Elasticsearch would do.",
    "server: uvicorn with one worker (one file; the fs backend's calls are synchronous and run on "
    "the event loop, so concurrent clients are served one at a time); Trellis: waitress in one "
    "process with --threads.",
    "order: Ralph's fs backend returns the first matches in file order (oldest first, stopping at "
    "the limit); Trellis returns the newest first, as xAPI requires. Queries with many matches "
    "stop early on Ralph; queries with few matches read the whole file.",
]
RALPH_BUGS = (
    "POST writes with operation_type CREATE, which refuses the existing statements file (once it "
    "exists, after one POST or a bulk load, every POST answers 500); the verb and activity filters "
    "compare the stored id with a pydantic IRI model, which never equals a string (no statement "
    "matches)."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--stored", type=int, default=1_000_000, help="statements stored before")
    parser.add_argument("--batches", type=int, default=200, help="POST batches per ingest scenario")
    parser.add_argument("--queries", type=int, default=200, help="requests per query scenario")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--workers", type=int, default=1, help="server processes (trellis serve)")
    parser.add_argument("--data-dir", help="SQLite: reuse (and keep) this data folder")
    parser.add_argument("--pg-db", help="PostgreSQL: reuse (and keep) this database")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--split",
        action="store_true",
        help="also split one POST of 100 statements into its phases (CPU and wall ms per batch)",
    )
    parser.add_argument("--scenario-timeout", type=float, default=300, help="seconds per scenario")
    parser.add_argument("--preload-timeout", type=float, default=1800, help="seconds for preload")
    parser.add_argument(
        "--peer",
        choices=["ralph"],
        help="also run the scenarios on a peer LRS: Ralph on its filesystem backend",
    )
    parser.add_argument(
        "--ralph-fixes",
        action="store_true",
        help="with --peer ralph: patch the two fs-backend bugs that stop most scenarios",
    )
    parser.add_argument("--internal", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal:
        command, *rest = args.internal
        if command == "preload":
            summary = internal_preload(int(rest[0]))
        elif command == "inprocess":
            summary = internal_inprocess(rest[0], int(rest[1]), int(rest[2]))
        elif command == "cleanup":
            summary = internal_cleanup(rest[0])
        elif command == "split":
            summary = internal_split(rest[0], rest[1], int(rest[2]), int(rest[3]))
        else:
            summary = internal_explain()
        print(json.dumps(summary))
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"LRS benchmark: {args.batches} batches of {BATCH} per ingest scenario, {args.queries} "
        f"requests per query scenario, waitress --threads {args.threads}, {os.cpu_count()} CPUs"
    )
    plan = query_plan(args.queries)
    results = []
    for db in databases:
        load_before = os.getloadavg()[0]
        result = bench_database(db, args, plan)
        results.append(result)
        print_table(result)
        # Other work on the machine shows up here: the figures are only comparable at a similar load.
        print(f"\nload average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        sys.stdout.flush()
    if args.peer == "ralph":
        load_before = os.getloadavg()[0]
        ralph = bench_ralph(args, plan, results)
        for result in results:
            print_peer_table(result, ralph)
        print(
            f"\nload average (1 min): {load_before:.2f} before Ralph, {os.getloadavg()[0]:.2f} after"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
