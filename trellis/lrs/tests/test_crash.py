"""The crash test (issue 3, "Proof"): a batch in flight when the server process is killed is either
fully stored or not at all, and every acknowledged statement is there after the restart.

``trellis serve`` (waitress) runs as a subprocess on a database of its own: a SQLite file in a data
folder (WAL, ``synchronous=FULL``, as config/settings.py sets it) or, when the suite runs on
PostgreSQL, a database ``trellis_crash_<random>`` created on the same server and dropped afterwards.
Four client threads POST batches of 50 statements with known ids; after the first acknowledgement
and a short random delay the server's process group gets SIGKILL; the server restarts on the same
database. The server alternates one process and two (``--workers 2``, writing through one SQLite
database or PostgreSQL at once). Then every batch so far is checked in the database (a connection of the test's own) and a
sample of them through GET /xapi/statements of the restarted server:

- acknowledged (200 naming the batch's ids): every statement is there, with its index rows;
- in flight at the kill (sent, no answer): all 50 statements or none;
- refused (the connection was refused after the kill, nothing sent): none;
- nothing is stored that no batch sent; SQLite's ``PRAGMA integrity_check`` answers ok.

Three rounds; each round checks the batches of the earlier rounds again. ``TRELLIS_CRASH_SEED``
replays a run's random delays (the seed is printed and named in every failure).

What a process kill cannot show: the operating system keeps the killed process's written pages, so
this proves the transaction boundaries and the commit-before-acknowledge order, not that the data
reaches the disk before a power cut (that rests on SQLite's ``synchronous=FULL`` and PostgreSQL's
``fsync``/``synchronous_commit``, which are configuration).
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from trellis.lrs.tests.crash_client import (
    Batch,
    Poster,
    Server,
    Target,
    postgres_target,
    sqlite_target,
)

ROUNDS = 3
THREADS = 4
BATCH_SIZE = 50
HTTP_SAMPLE = 12  # batches checked through GET /xapi/statements on each restart


@contextmanager
def crash_target(tmp_path: Path) -> Iterator[Target]:
    if connection.vendor == "postgresql":
        with postgres_target(tmp_path / "data", connection.settings_dict) as target:
            yield target
    else:
        yield sqlite_target(tmp_path / "data")


@pytest.mark.django_db(transaction=True)
def test_a_killed_server_keeps_every_acknowledged_batch_and_no_partial_one(tmp_path):
    seed = int(os.environ.get("TRELLIS_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    began = time.monotonic()
    with crash_target(tmp_path) as target:
        target.migrate()
        # Rounds 1 and 3 kill one server process, round 2 two (``--workers 2``) and their parent.
        server = Server(target.env, tmp_path, workers=(1, 2))
        batches: list[Batch] = []
        rounds: list[str] = []
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:  # two subprocesses, side by side
                client_created = pool.submit(target.create_client)
                server.start()
                client_created.result(timeout=60)
            check_after_restart(target, server, batches, rng, f"seed {seed}, before round 1")
            for number in range(1, ROUNDS + 1):
                poster = Poster(
                    port=server.port,
                    authorization=target.authorization,
                    threads=THREADS,
                    size=BATCH_SIZE,
                )
                poster.start()
                delay = rng.uniform(0.05, 0.6)
                try:
                    acked = poster.wait_for_ack(timeout=20)
                    if acked:
                        time.sleep(delay)
                finally:
                    server.kill()
                    poster.join()
                batches.extend(poster.batches)
                context = f"seed {seed}, round {number}"
                assert poster.errors == [], f"{context}: {poster.errors!r}"
                assert acked, (
                    f"{context}: no batch acknowledged: {outcomes(poster.batches)}\n{server.log()}"
                )
                restart = server.start()
                present = check_after_restart(target, server, batches, rng, context)
                in_flight = [b for b in poster.batches if b.outcome == "unknown"]
                stored_in_flight = sum(1 for b in in_flight if present[b.registration])
                rounds.append(
                    f"round {number}: killed {delay:.2f} s after the first acknowledgement; "
                    f"{outcomes(poster.batches)}; in flight: {stored_in_flight} stored whole, "
                    f"{len(in_flight) - stored_in_flight} absent; restart {restart:.1f} s"
                )
        finally:
            server.kill()
    total = sum(len(b.ids) for b in batches if b.outcome == "acked")
    print(
        f"\ncrash test on {target.vendor} (seed {seed}): {total} acknowledged statements "
        f"survived {ROUNDS} kills in {time.monotonic() - began:.1f} s\n  " + "\n  ".join(rounds)
    )


def outcomes(batches: list[Batch]) -> str:
    counts: dict[str, int] = {}
    for batch in batches:
        counts[batch.outcome] = counts.get(batch.outcome, 0) + 1
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no batches"


def check_after_restart(
    target: Target, server: Server, batches: list[Batch], rng: random.Random, context: str
) -> dict[uuid.UUID, bool]:
    """Check every batch in the database and a sample through the restarted server; returns, per
    batch (its registration), whether it is stored."""
    stored = target.stored()
    problems: list[str] = []
    present: dict[uuid.UUID, bool] = {}
    known = {sid for batch in batches for sid in batch.ids}
    unknown_rows = sorted(str(sid) for sid in set(stored) - known)
    if unknown_rows:
        problems.append(f"{len(unknown_rows)} stored statements no batch sent: {unknown_rows[:3]}")
    for batch in batches:
        here = [sid for sid in batch.ids if sid in stored]
        present[batch.registration] = bool(here)
        name = f"batch {batch.registration} ({batch.outcome} {batch.detail})"
        if batch.outcome == "rejected":
            problems.append(f"{name}: the server answered with an error")
        if batch.outcome == "acked" and len(here) != len(batch.ids):
            problems.append(f"{name}: acknowledged, but {len(batch.ids) - len(here)} are missing")
        elif 0 < len(here) < len(batch.ids):
            problems.append(f"{name}: partly stored ({len(here)} of {len(batch.ids)})")
        elif batch.outcome == "not_sent" and here:
            problems.append(f"{name}: never sent, yet stored")
        half_indexed = [str(sid) for sid in here if stored[sid] != (1, 1)]
        if half_indexed:
            problems.append(f"{name}: statements without their index rows: {half_indexed[:3]}")
    integrity = target.integrity()
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    problems += check_through_http(server, target, batches, present, rng)
    assert problems == [], f"{context}:\n" + "\n".join(problems[:20])
    return present


def check_through_http(
    server: Server,
    target: Target,
    batches: list[Batch],
    present: dict[uuid.UUID, bool],
    rng: random.Random,
) -> list[str]:
    """What the restarted server answers: every sampled batch's statements by registration (all or
    none, as stored), and one acknowledged statement by statementId."""
    headers = {"Authorization": target.authorization, "X-Experience-API-Version": "1.0.3"}
    in_flight = [b for b in batches if b.outcome != "acked"]
    acked = [b for b in batches if b.outcome == "acked"]
    sample = in_flight[: HTTP_SAMPLE // 2]
    sample += rng.sample(acked, min(len(acked), HTTP_SAMPLE - len(sample)))
    problems = []
    for batch in sample:
        status, body = server.request(
            "GET",
            f"/xapi/statements?registration={batch.registration}&limit=100&format=ids",
            headers=headers,
        )
        expected = {str(sid) for sid in batch.ids} if present[batch.registration] else set()
        got = {s["id"] for s in json.loads(body)["statements"]} if status == 200 else None
        if got != expected:
            problems.append(
                f"GET registration={batch.registration} ({batch.outcome}): {status}, "
                f"{len(got or ())} statements, expected {len(expected)}"
            )
    if acked:
        sid = str(rng.choice(acked).ids[-1])
        status, body = server.request("GET", f"/xapi/statements?statementId={sid}", headers=headers)
        if status != 200 or json.loads(body).get("id") != sid:
            problems.append(f"GET statementId={sid}: {status} {body[:200]!r}")
    return problems
