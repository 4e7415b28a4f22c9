"""Benchmark programs at scale: enrolling an audience and evaluating every notification rule.

    .venv/bin/python bench/bench_programs.py [--db sqlite|postgres|both] [--sizes 1000 10000]

For each database (a fresh SQLite file in a temporary folder, or a new PostgreSQL database
``bench_programs_<pid>`` that is dropped at the end) it migrates, creates 1,000 + 10,000 people in
two departments (bulk), and for each size N, with a program whose audience is one department:

- **enroll**: ``program_activate`` — audience rules → N enrollments, events, the audit entry and the
  "program launched" notifications handed to the notify app (``notifications_send``);
- **rules**: with the due dates spread so a third is due soon, a third overdue past the escalation
  line and a third later, ``reminders_evaluate`` — due soon, overdue, escalation per manager,
  delivered through ``notifications_send`` — and, separately, the pure evaluation
  ``rule_notices`` (no delivery);
- **completion**: ``enrollments_recompute`` over every enrollment (progress rows for a third).

Baselines from the same run: a bare ``COUNT(*)`` query, and inserting N plain rows with
``bulk_create`` (audit events). It prints seconds and the number of queries of each; the query
counts at 1,000 and 10,000 show that they do not grow per person. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/{}"


PROFILE: list[str] = []  # labels starting with one of these are profiled (``--profile``)


def measure(label: str, fn, rows: list) -> object:  # type: ignore[no-untyped-def]
    import cProfile
    import pstats
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profile = cProfile.Profile() if any(label.startswith(p) for p in PROFILE) else None
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        if profile:
            profile.enable()
        result = fn()
        if profile:
            profile.disable()
        seconds = time.perf_counter() - started
    rows.append((label, seconds, len(ctx.captured_queries)))
    if profile:
        print(f"--- profile of {label!r}: {seconds:.3f} s, {len(ctx.captured_queries)} queries")
        kinds = Counter(" ".join(q["sql"].split()[:3])[:60] for q in ctx.captured_queries)
        for kind, count in kinds.most_common(12):
            print(f"    {count:5d} x {kind}")
        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats("trellis/", 30)  # Trellis's own functions
        stats.sort_stats("tottime").print_stats(15)
    return result


def inner(sizes: list[int]) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from trellis.core.models import AuditEvent
    from trellis.lrs.models import Progress
    from trellis.people.models import Department, Employee
    from trellis.programs import reminders, services
    from trellis.programs.completion import enrollments_recompute
    from trellis.programs.models import Enrollment, Program

    call_command("migrate", verbosity=0)
    from django.urls import reverse

    reverse("programs:assigned")  # load the URLconf once, as a running server has
    from trellis.catalog.tests.factories import ItemFactory

    User = get_user_model()
    item = ItemFactory(title="Bench item", duration_minutes=30)
    boss_user = User.objects.create(username="boss", email="boss@bench.example")
    boss = Employee.objects.create(
        user=boss_user, employee_id="B0", full_name="Boss", email="boss@bench.example"
    )
    boss.manager_path = f"/{boss.pk}/"
    boss.save(update_fields=["manager_path"])
    rows: list[tuple[str, float, int]] = []
    now = timezone.now()
    today = timezone.localdate(now)
    for n in sizes:
        dept = Department.objects.create(name=f"Dept {n}", code=f"dept-{n}")
        dept.path = f"/{dept.pk}/"
        dept.save(update_fields=["path"])
        users = [
            User(username=f"u{n}-{i}", email=f"u{n}-{i}@bench.example", password="!")
            for i in range(n)
        ]
        User.objects.bulk_create(users, batch_size=1000)
        uids = dict(
            User.objects.filter(username__startswith=f"u{n}-").values_list("username", "pk")
        )
        # teams of 10 under 1 manager each (managers report to the boss)
        people = [
            Employee(
                user_id=uids[f"u{n}-{i}"],
                employee_id=f"E{n}-{i}",
                full_name=f"Person {n}-{i}",
                email=f"u{n}-{i}@bench.example",
                department=dept,
            )
            for i in range(n)
        ]
        Employee.objects.bulk_create(people, batch_size=1000)
        people = list(Employee.objects.filter(department=dept).order_by("pk"))
        for i, p in enumerate(people):
            lead = people[i - i % 10]
            p.manager_id = None if p is lead else lead.pk
            p.manager_path = f"{boss.manager_path}{lead.pk}/" + ("" if p is lead else f"{p.pk}/")
            if p is lead:
                p.manager_id = boss.pk
        Employee.objects.bulk_update(people, ["manager", "manager_path"], batch_size=1000)

        measure(f"baseline: COUNT(*) of people (N={n})", lambda: Employee.objects.count(), rows)
        measure(
            f"baseline: bulk_create {n} plain rows",
            lambda n=n: AuditEvent.objects.bulk_create(
                [AuditEvent(code="bench", data={}) for _ in range(n)], batch_size=1000
            ),
            rows,
        )
        Program.objects.filter(status=Program.Status.ACTIVE).update(status=Program.Status.CLOSED)
        program = services.program_create(
            actor=None, name=f"Bench {n}", due_policy="relative", due_days=60, category="compliance"
        )
        services.audience_set(actor=None, program=program, rules=[{"departments": [dept]}])
        services.requirement_add(actor=None, program=program, item=item)
        result = measure(
            f"enroll an audience of {n}",
            lambda program=program: services.program_activate(actor=None, program=program),
            rows,
        )
        assert len(result.enrolled) == n  # type: ignore[attr-defined]
        ids = list(
            Enrollment.objects.filter(program=program).order_by("pk").values_list("pk", flat=True)
        )
        third = len(ids) // 3
        Enrollment.objects.filter(pk__in=ids[:third]).update(due_on=today + dt.timedelta(days=3))
        Enrollment.objects.filter(pk__in=ids[third : 2 * third]).update(
            due_on=today - dt.timedelta(days=10)
        )
        Progress.objects.bulk_create(
            [
                Progress(
                    employee_id=p.pk,
                    activity_id=f"https://bench.example/{item.uid}",
                    item=item,
                    status="completed",
                    first_activity_at=now,
                    last_activity_at=now,
                    completed_at=now,
                    last_statement_id="00000000-0000-0000-0000-000000000001",
                )
                for p in people[2 * third :]
            ],
            batch_size=1000,
        )
        measure(f"completion: recompute {n} enrollments", enrollments_recompute, rows)
        notices = measure(
            f"rules: evaluate only ({n} enrollments)",
            lambda: reminders.rule_notices(now=now),
            rows,
        )
        counts = {}
        for notice in notices[0]:  # type: ignore[index]
            counts[notice.category] = counts.get(notice.category, 0) + 1
        measure(
            f"rules: evaluate and deliver ({n}; {dict(sorted(counts.items()))})",
            lambda: reminders.reminders_evaluate(now=now),
            rows,
        )
    width = max(len(r[0]) for r in rows)
    for label, seconds, queries in rows:
        print(f"  {label:<{width}}  {seconds:8.3f} s  {queries:6d} queries")
    print(f"  load average (1, 5, 15 min) at the end: {load_average()}")


def load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--profile",
        nargs="+",
        default=[],
        metavar="LABEL",
        help="cProfile the measurements whose label starts with LABEL (e.g. 'enroll'), and "
        "count their queries by kind",
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        PROFILE.extend(args.profile)
        inner(args.sizes)
        return
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as tmp:
            env["TRELLIS_DATA_DIR"] = tmp
            env.pop("DATABASE_URL", None)
            name = f"bench_programs_{os.getpid()}"
            if db == "postgres":
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
                env["DATABASE_URL"] = PG.format(name)
            print(f"{db}: load average (1, 5, 15 min) at the start: {load_average()}", flush=True)
            try:
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--inner",
                        "--sizes",
                        *map(str, args.sizes),
                        *(["--profile", *args.profile] if args.profile else []),
                    ],
                    env=env,
                    check=True,
                )
            finally:
                if db == "postgres":
                    subprocess.run(
                        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name],
                        check=False,
                    )


if __name__ == "__main__":
    main()
