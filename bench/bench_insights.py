"""Benchmark the insights dashboards at 10,000 employees and 5,000,000 statements on PostgreSQL.

    .venv/bin/python bench/bench_insights.py [--pg-db NAME] [--keep] [--employees 10000]
        [--statements 5000000] [--requests 15]

Builds (or, with ``--pg-db NAME`` naming a database that already holds the data, reuses) a PostgreSQL
database: 12 departments, 30 job roles, 6 locations, 10,000 employees in a hierarchy (CEO, department
heads, 100 managers of about 100 people each), 400 catalog items (AI-literacy tags on some), role
profiles, self-rated evidence, four programs activated through the programs services (enrollments,
then start dates spread and a share completed), and 5,000,000 xAPI statements written with COPY
straight into the LRS statement table (sessions of launched → progressed … → completed over 26
weeks with cumulative durations, one registration per attempt) plus the progress projection's rows
(COPY too; the statement index tables are not filled: insights does not read them).

Then: the full refresh (``insights_refresh(full=True)``, timed per step), an incremental refresh
after 20,000 more statements, and each dashboard page requested ``--requests`` times with the Django
test client, logged in as an L&D admin and as a manager (about 100 people in their line): p50/p95
in ms. Baseline in the same run: the home page ("/") for the same users; the ratio page/baseline is
printed. Also the load average. Without ``--keep`` a database it created is dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/{}"
PAGES = ["home", "planned", "learning", "skills", "readiness", "content", "personalization"]
VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "progressed": "http://adlnet.gov/expapi/verbs/progressed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", PG.format(db), "-tAc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def _iso(seconds: float) -> str:
    s = int(seconds)
    return f"PT{s // 60}M{s % 60}S"


def build(n_employees: int, n_statements: int) -> None:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from trellis.catalog.models import Item, ItemSkill, Provider
    from trellis.people.models import Department, Employee, JobRole, Location
    from trellis.programs import services
    from trellis.programs.models import Enrollment, Program
    from trellis.skills.models import RoleSkill, Skill, SkillEvidence

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(20261128)
    now = timezone.now()
    today = timezone.localdate(now)
    User = get_user_model()
    depts = []
    for i in range(12):
        d = Department.objects.create(name=f"Department {i + 1:02d}", code=f"dept-{i + 1}")
        d.path = f"/{d.pk}/"
        d.save(update_fields=["path"])
        depts.append(d)
    roles = [JobRole.objects.create(title=f"Role {i + 1:02d}") for i in range(30)]
    locations = [Location.objects.create(name=f"City {i + 1}") for i in range(6)]
    names = [
        "bench-mgr" if i == 13 else "bench-ld" if i == 113 else f"u{i}" for i in range(n_employees)
    ]
    User.objects.bulk_create(
        [User(username=u, email=f"{u}@bench.example", password="!") for u in names], batch_size=2000
    )
    uids = dict(User.objects.values_list("username", "pk"))
    lena_user = User.objects.get(username="bench-ld")
    lena_user.groups.add(Group.objects.get_or_create(name="ld_admin")[0])
    # hierarchy: CEO -> 12 heads -> 100 managers -> the rest
    people: list[Employee] = []

    def person(i: int, dept: Department, role: JobRole) -> Employee:
        return Employee(
            user_id=uids[names[i]],
            employee_id=f"E{i:06d}",
            full_name=f"Person {i:05d}",
            email=f"e{i}@bench.example",
            department=dept,
            job_role=role,
            location=locations[i % len(locations)],
            hire_date=today - dt.timedelta(days=400 + i % 900),
        )

    ceo = person(0, depts[0], roles[0])
    ceo.save()
    ceo.manager_path = f"/{ceo.pk}/"
    ceo.save(update_fields=["manager_path"])
    heads = []
    for h in range(12):
        e = person(1 + h, depts[h], roles[h % 30])
        e.manager = ceo
        e.save()
        e.manager_path = f"{ceo.manager_path}{e.pk}/"
        e.save(update_fields=["manager_path"])
        heads.append(e)
    managers = []
    for m in range(100):
        head = heads[m % 12]
        e = person(13 + m, head.department, roles[(m * 7) % 30])
        e.manager = head
        e.save()
        e.manager_path = f"{head.manager_path}{e.pk}/"
        e.save(update_fields=["manager_path"])
        managers.append(e)
    rest = n_employees - 113
    for i in range(rest):
        mgr = managers[i % 100]
        e = person(113 + i, mgr.department, roles[rng.randrange(30)])
        e.manager = mgr
        people.append(e)
    Employee.objects.bulk_create(people, batch_size=2000)
    with connection.cursor() as c:
        c.execute(
            "UPDATE people_employee e SET manager_path = m.manager_path || e.id || '/' "
            "FROM people_employee m WHERE e.manager_id = m.id AND e.manager_path = ''"
        )
    print(f"  people: {Employee.objects.count():,} ({time.perf_counter() - t0:.1f} s)")
    provider = Provider.objects.create(slug="bench", name="Bench")
    items = Item.objects.bulk_create(
        [
            Item(
                provider=provider,
                external_id=f"i{i}",
                title=f"Item {i:03d}",
                format="course",
                duration_minutes=10 + (i % 6) * 10,
                level=1 + i % 5,
            )
            for i in range(400)
        ]
    )
    skills = [
        Skill.objects.create(uri=f"bench:skill:{s}", source="trellis", label=f"Skill {s:02d}")
        for s in range(40)
    ]
    ItemSkill.objects.bulk_create(
        [
            ItemSkill(item=it, skill=skills[(k * 3 + j) % 40], weight=0.6)
            for k, it in enumerate(items)
            for j in range(2)
        ]
    )
    RoleSkill.objects.bulk_create(
        [
            RoleSkill(job_role=r, skill=skills[(k * 5 + j) % 40], target_level=3)
            for k, r in enumerate(roles)
            for j in range(6)
        ]
    )
    all_ids = list(Employee.objects.values_list("pk", flat=True))
    SkillEvidence.objects.bulk_create(
        [
            SkillEvidence(
                employee_id=pk,
                skill=skills[rng.randrange(40)],
                level=rng.randint(1, 5),
                observed_on=today - dt.timedelta(days=rng.randrange(180)),
            )
            for pk in all_ids
            for _ in range(3)
        ],
        batch_size=5000,
    )
    print(f"  catalog, skills: ({time.perf_counter() - t0:.1f} s)")
    actor = lena_user
    programs = []
    for p in range(4):
        program = services.program_create(
            actor=actor,
            name=["AI fluency", "Data privacy", "Security basics", "AI in sales"][p],
            due_policy=Program.DuePolicy.RELATIVE,
            due_days=60,
            planned_hours=3,
        )
        rules = [{}] if p < 2 else [{"departments": [d.pk for d in depts[p * 3 : p * 3 + 3]]}]
        services.audience_set(actor=actor, program=program, rules=rules)
        for k in range(3):
            services.requirement_add(actor=actor, program=program, item=items[p * 10 + k])
        services.program_activate(actor=actor, program=program, confirm_over_budget=True)
        start = today - dt.timedelta(days=20 + p * 15)
        Program.objects.filter(pk=program.pk).update(starts_on=start)
        Enrollment.objects.filter(program=program).update(
            starts_on=start, due_on=start + dt.timedelta(days=60)
        )
        programs.append(program)
    enr = list(Enrollment.objects.values_list("pk", "program_id"))
    done = [pk for pk, _ in enr if rng.random() < 0.35]
    Enrollment.objects.filter(pk__in=done).update(
        completed_at=now - dt.timedelta(days=3), started_at=now - dt.timedelta(days=10)
    )
    print(f"  programs: {len(enr):,} enrollments ({time.perf_counter() - t0:.1f} s)")
    write_statements(n_statements, all_ids, items, now, rng)
    print(f"  built in {time.perf_counter() - t0:.1f} s")


def write_statements(
    n: int,
    employee_ids: list[int],
    items: list,
    now: object,
    rng: random.Random,
    *,
    progress: bool = True,
    start_days: int = 182,
    stored_now: bool = False,
) -> None:  # type: ignore[type-arg]
    import datetime as dt

    from django.conf import settings
    from django.db import connection

    site = settings.SITE_URL.rstrip("/")
    emails = dict(
        __import__("trellis.people.models", fromlist=["Employee"])
        .Employee.objects.filter(pk__in=employee_ids)
        .values_list("pk", "email")
    )
    activity = {it.pk: f"{site}/catalog/item/{it.uid}" for it in items}
    t0 = time.perf_counter()
    per_session = 5
    sessions = n // per_session
    cols = (
        "statement_id, data, version, actor_ifi, verb_id, object_type, object_activity_id, "
        "object_agent_ifi, registration, timestamp, stored, is_voided, authority_ifi, has_attachments"
    )
    pcols = (
        "employee_id, activity_id, item_id, status, time_spent_seconds, attempts, first_activity_at, "
        "last_activity_at, completed_at, last_statement_id, updated_at"
    )
    progress_rows: dict[tuple[int, int], list] = {}  # type: ignore[type-arg]
    buf = io.StringIO()
    written = 0
    base = now - dt.timedelta(days=start_days)  # type: ignore[operator]
    span = start_days * 86400

    def flush() -> None:
        buf.seek(0)
        with connection.cursor() as c:
            _copy(c, f"COPY lrs_statement ({cols}) FROM STDIN", buf)
        buf.seek(0)
        buf.truncate()

    for _ in range(sessions):
        emp = employee_ids[rng.randrange(len(employee_ids))]
        item = items[rng.randrange(len(items))]
        reg = uuid.uuid4()
        start = base + dt.timedelta(seconds=rng.randrange(span))
        total = (item.duration_minutes or 20) * 60 * rng.uniform(0.4, 1.4)
        ifi = f"mbox:mailto:{emails[emp]}"
        act = activity[item.pk]
        last_id = None
        for k in range(per_session):
            verb = "launched" if k == 0 else ("completed" if k == per_session - 1 else "progressed")
            spent = total * k / (per_session - 1)
            at = start + dt.timedelta(seconds=spent)
            sid = uuid.uuid4()
            last_id = sid
            dur = _iso(spent) if k else None
            done = ',"completion":true' if verb == "completed" else ""
            result = f',"result":{{"duration":"{dur}"{done}}}' if dur else ""
            data = (
                f'{{"id":"{sid}","actor":{{"mbox":"mailto:{emails[emp]}"}},"verb":{{"id":"{VERBS[verb]}"}},'
                f'"object":{{"id":"{act}"}},"context":{{"registration":"{reg}"}}{result},'
                f'"timestamp":"{at.isoformat()}"}}'
            )
            ts = at.isoformat()
            stored = now.isoformat() if stored_now else ts  # type: ignore[attr-defined]
            buf.write(
                f"{sid}\t{data.replace(chr(92), chr(92) * 2)}\t1.0.3\t{ifi}\t{VERBS[verb]}\tActivity\t{act}\t\t{reg}\t{ts}\t{stored}\tf\t\tf\n"
            )
            written += 1
        if progress:
            key = (emp, item.pk)
            end = start + dt.timedelta(seconds=total)
            row = progress_rows.get(key)
            if row is None:
                progress_rows[key] = [
                    emp,
                    act,
                    item.pk,
                    "completed",
                    int(total),
                    1,
                    start,
                    end,
                    end,
                    last_id,
                    end,
                ]
            else:
                row[4] += int(total)
                row[5] += 1
                row[6] = min(row[6], start)
                row[7] = max(row[7], end)
        if written % 100_000 < per_session:
            flush()
            if written % 1_000_000 < per_session:
                print(f"    {written:,} statements ({time.perf_counter() - t0:.0f} s)", flush=True)
    flush()
    if progress:
        pbuf = io.StringIO()
        for r in progress_rows.values():
            pbuf.write(
                "\t".join(str(v) if not hasattr(v, "isoformat") else v.isoformat() for v in r)
                + "\n"
            )
        pbuf.seek(0)
        with connection.cursor() as c:
            _copy(c, f"COPY lrs_progress ({pcols}) FROM STDIN", pbuf)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    print(
        f"  statements: {written:,}, progress rows: {len(progress_rows):,} ({time.perf_counter() - t0:.1f} s)"
    )


def _copy(cursor: object, sql: str, buf: io.StringIO) -> None:  # psycopg 3
    with cursor.cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        copy.write(buf.getvalue())


def timed_pages(label: str, user: object, requests: int) -> list[tuple[str, float, float]]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    out = []
    for page in ["__home__", *PAGES]:
        url = "/" if page == "__home__" else reverse(f"insights:{page}")
        client.get(url)  # warm
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        out.append((page, statistics.median(times), p95))
    base = out[0][1]
    print(f"\n  {label}: page, p50 ms, p95 ms, p50 / baseline (home page {base:.1f} ms)")
    for page, p50, p95 in out:
        print(
            f"    {('home page (baseline)' if page == '__home__' else page):26s} {p50:8.1f} {p95:8.1f} {p50 / base:6.2f}x"
        )
    return out


def inner(args: argparse.Namespace, fresh: bool) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from trellis.insights.refresh import insights_refresh
    from trellis.lrs.models import Statement
    from trellis.people.models import Employee

    if fresh:
        print("building …")
        build(args.employees, args.statements)
    print(f"statements: {Statement.objects.count():,}; employees: {Employee.objects.count():,}")
    t = time.perf_counter()
    later = timezone.now() + __import__("datetime").timedelta(minutes=5)
    out = insights_refresh(full=True, stdout=sys.stdout, now=later)
    print(f"full refresh: {time.perf_counter() - t:.1f} s {out['seconds']}")
    # 20,000 more statements, then the incremental job
    from trellis.catalog.models import Item

    ids = list(Employee.objects.values_list("pk", flat=True))
    write_statements(
        20_000,
        ids,
        list(Item.objects.all()),
        timezone.now(),
        random.Random(7),
        progress=False,
        start_days=2,
        stored_now=True,
    )
    t = time.perf_counter()
    later = timezone.now() + __import__("datetime").timedelta(minutes=5)
    out = insights_refresh(full=False, now=later)
    print(
        f"incremental refresh after 20,000 statements: {time.perf_counter() - t:.1f} s {out['seconds']} {out['learning']}"
    )
    User = get_user_model()
    ld = User.objects.get(username="bench-ld")
    mgr = User.objects.get(username="bench-mgr")
    timed_pages("L&D admin (whole organisation)", ld, args.requests)
    timed_pages(
        f"manager ({Employee.objects.filter(manager__user=mgr).count()} people in the line)",
        mgr,
        args.requests,
    )
    print(f"\nload average: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-db", default="")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args, args.fresh)
        return
    name = args.pg_db or "bench_insights"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    fresh = not exists
    if fresh:
        psql(f'CREATE DATABASE "{name}"')
    print(f"database {name} ({'new' if fresh else 'reused'}); load average {os.getloadavg()}")
    env = {**os.environ, "DATABASE_URL": PG.format(name), "DEBUG": "0"}
    cmd = [
        sys.executable,
        __file__,
        "--inner",
        "--employees",
        str(args.employees),
        "--statements",
        str(args.statements),
        "--requests",
        str(args.requests),
    ]
    try:
        subprocess.run([*cmd, *(["--fresh"] if fresh else [])], check=True, env=env, cwd=ROOT)
    finally:
        if fresh and not args.keep and not args.pg_db:
            psql(f'DROP DATABASE IF EXISTS "{name}"')
            print(f"dropped {name}")


if __name__ == "__main__":
    main()
