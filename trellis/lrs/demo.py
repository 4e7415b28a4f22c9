"""Six months of simulated learning statements for the demo organisation (about 300,000).

Rhythms: sessions fall in each person's working hours in their own time zone (peaks mid-morning and
mid-afternoon), a Monday peak, fewer on Fridays, few at weekends. Roles: Technology & Data people
learn most and take more AI-literacy content; Customer Service and Operations the least. A session is
viewed → launched → progressed … → completed (durations close to the item's), then for courses and
interactive items often passed or failed with a score, and sometimes a rating. OpenStax readers work
through a book section by section. Fixed seed: the same organisation gives the same statements.

Statements go through ``statements_store`` (validated, indexed) in batches of 5,000 without the
per-batch projection, then ``reproject_all`` builds the progress rows once. While it runs, the
generated statements are kept out of the garbage collector's passes (``gc.freeze``) and SQLite gets
a larger page cache (``SQLITE_CACHE_KIB``): together they take about a third off the step.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

from trellis.lrs.events import ACTIVITY_TYPES, DEFAULT_ACTIVITY_TYPE
from trellis.lrs.models import Statement
from trellis.lrs.projection import item_activity_id, reproject_all
from trellis.lrs.statements import statements_store
from trellis.lrs.xapi.agents import agent_ifi

SEED = 20250601
DAYS = 182
BATCH = 5000
#: SQLite page cache while the step runs (KiB, an upper bound; the connection's default is 2 MiB).
#: The step writes ~800 MB of tables and indexes in one transaction, with random inserts into the
#: statement-id and registration indexes: with a small cache every batch re-reads pages and spills
#: dirty ones to the WAL (measured: 20 s of SQLite time with 2 MiB … 15 s with 1 GiB).
SQLITE_CACHE_KIB = 1_048_576
ADL = "http://adlnet.gov/expapi/verbs/"
VIEWED = "http://id.tincanapi.com/verb/viewed"
RATED = "http://id.tincanapi.com/verb/rated"
#: sessions per working week, and the share of AI-literacy content, by job family
FAMILY_RATE = {
    "Technology & Data": (3.4, 0.45),
    "Leadership": (2.0, 0.4),
    "Marketing": (2.2, 0.3),
    "Finance": (1.8, 0.25),
    "Legal & Compliance": (1.8, 0.25),
    "People & HR": (2.0, 0.3),
    "Sales": (1.4, 0.2),
    "Operations": (1.1, 0.15),
    "Customer Service": (0.9, 0.15),
}
DEFAULT_RATE = (1.5, 0.25)
#: Monday … Sunday
WEEKDAY_FACTOR = (1.35, 1.05, 1.0, 0.95, 0.75, 0.12, 0.08)
#: local hour → weight (working hours, peaks at 10:00 and 14:00, a little in the evening)
HOUR_WEIGHTS = [
    0,
    0,
    0,
    0,
    0,
    0,
    0.1,
    0.4,
    1.2,
    2.2,
    2.8,
    2.2,
    1.0,
    1.8,
    2.6,
    2.0,
    1.5,
    0.9,
    0.4,
    0.4,
    0.5,
    0.4,
    0.1,
    0,
]


def demo_authority() -> dict[str, Any]:
    """The authority of the simulated statements (as if sent by the company's learning tools)."""
    return {
        "objectType": "Agent",
        "name": "Demo learning tools",
        "account": {"homePage": settings.SITE_URL, "name": "demo-statements"},
    }


def _duration(seconds: float) -> str:
    seconds = max(1, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


class _Simulator:
    def __init__(self, *, end: datetime) -> None:
        from trellis.catalog.models import Item
        from trellis.people.models import Employee

        self.rng = random.Random(SEED)
        self.end = end
        self.start = end - timedelta(days=DAYS)
        self.employees = list(
            Employee.objects.filter(is_active=True)
            .select_related("job_role")
            .order_by("pk")
            .only("pk", "email", "full_name", "timezone", "hire_date", "job_role__family")
        )
        items = list(
            Item.objects.filter(is_published=True)
            .order_by("pk")
            .only(
                "pk",
                "uid",
                "title",
                "format",
                "duration_minutes",
                "level",
                "language",
                "collection",
                "sequence",
                "provider_id",
            )
        )
        ai_ids = set(
            Item.objects.filter(skill_links__skill__family__slug="ai-literacy").values_list(
                "pk", flat=True
            )
        )
        self.ai_items = [i for i in items if i.pk in ai_ids]
        self.academy = [i for i in items if i.pk not in ai_ids and not i.collection]
        books: dict[str, list[Any]] = defaultdict(list)
        for item in items:
            if item.collection and item.pk not in ai_ids:
                books[item.collection].append(item)
        self.books = {k: sorted(v, key=lambda i: (i.sequence, i.pk)) for k, v in books.items()}
        self.book_names = sorted(self.books)
        self.other = [i for i in items if i.pk not in ai_ids]
        self.activity = {
            i.pk: {
                "objectType": "Activity",
                "id": item_activity_id(i),
                "definition": {
                    "name": {i.language or "en": i.title[:500]},
                    "type": ACTIVITY_TYPES.get(i.format, DEFAULT_ACTIVITY_TYPE),
                },
            }
            for i in items
        }
        self.hours = list(range(24))
        # random.choices accumulates the weights on every call; given once, the draws are the same
        self.hour_cum_weights = list(itertools.accumulate(HOUR_WEIGHTS))

    def _pick_item(self, person: dict[str, Any], ai_share: float) -> Any:
        roll = self.rng.random()
        if self.ai_items and roll < ai_share:
            return self.rng.choice(self.ai_items)
        if self.academy and roll < ai_share + 0.2:
            return self.rng.choice(self.academy)
        if person["book"] is not None:
            sections = self.books[person["book"]]
            if person["position"] < len(sections):
                person["position"] += 1
                return sections[person["position"] - 1]
        if self.book_names and self.rng.random() < 0.5:
            person["book"] = self.rng.choice(self.book_names)
            person["position"] = 0
        return self.rng.choice(self.other or self.ai_items)

    def sessions(self) -> Any:
        """Yield (start time UTC, employee, item) for every simulated session, in time order per day."""
        rng = self.rng
        people = []
        for employee in self.employees:
            rate, ai_share = FAMILY_RATE.get(
                employee.job_role.family if employee.job_role else "", DEFAULT_RATE
            )
            people.append(
                {
                    "employee": employee,
                    "rate": 1.45
                    * rate
                    * rng.lognormvariate(0, 0.45),  # some people learn a lot more
                    "ai": ai_share,
                    "tz": ZoneInfo(employee.timezone or "UTC"),
                    "book": None,
                    "position": 0,
                }
            )
        day = self.start.date()
        while day < self.end.date():
            factor = WEEKDAY_FACTOR[day.weekday()]
            for person in people:
                expected = person["rate"] / 5 * factor
                count = _poisson(rng, expected)
                for _ in range(count):
                    hour = rng.choices(self.hours, cum_weights=self.hour_cum_weights)[0]
                    local = datetime(
                        day.year,
                        day.month,
                        day.day,
                        hour,
                        rng.randrange(60),
                        rng.randrange(60),
                        tzinfo=person["tz"],
                    )
                    start = local.astimezone(UTC)
                    if self.start <= start < self.end:
                        yield start, person["employee"], self._pick_item(person, person["ai"])
            day += timedelta(days=1)

    def statements(self, start: datetime, employee: Any, item: Any) -> list[dict[str, Any]]:
        rng = self.rng
        actor = {
            "objectType": "Agent",
            "name": employee.full_name,
            "mbox": f"mailto:{employee.email}",
        }
        activity = self.activity[item.pk]
        out: list[dict[str, Any]] = []

        def add(
            verb: str, at: datetime, result: dict[str, Any] | None = None, reg: str | None = None
        ) -> None:
            statement: dict[str, Any] = {
                "id": _uuid4(rng),
                "actor": actor,
                "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
                "object": activity,
                "timestamp": at.isoformat().replace("+00:00", "Z"),
            }
            if reg:
                statement["context"] = {"registration": reg, "platform": "Trellis"}
            if result:
                statement["result"] = result
            out.append(statement)

        add(VIEWED, start)
        if rng.random() < 0.22:  # looked, did not start
            return out
        registration = _uuid4(rng)
        at = start + timedelta(seconds=rng.randint(5, 90))
        add(f"{ADL}launched", at, reg=registration)
        planned = max(3, item.duration_minutes or 10) * 60 * rng.lognormvariate(0, 0.35)
        finishes = rng.random() < 0.62
        reached = planned if finishes else planned * rng.uniform(0.1, 0.8)
        steps = 1 + int(reached // 900)  # a progress report every ~15 minutes
        for step in range(1, steps + 1):
            spent = reached * step / (steps + 1)
            add(
                f"{ADL}progressed",
                at + timedelta(seconds=spent),
                {
                    "duration": _duration(spent),
                    "extensions": {
                        "https://w3id.org/xapi/cmi5/result/extensions/progress": int(
                            100 * spent / planned
                        )
                    },
                },
                registration,
            )
        if not finishes:
            return out
        done_at = at + timedelta(seconds=reached)
        add(
            f"{ADL}completed",
            done_at,
            {"completion": True, "duration": _duration(reached)},
            registration,
        )
        if item.format in {"course", "interactive"} and rng.random() < 0.7:
            scaled = round(min(1.0, max(0.0, rng.gauss(0.78, 0.14))), 2)
            verb = f"{ADL}passed" if scaled >= 0.6 else f"{ADL}failed"
            add(
                verb,
                done_at + timedelta(seconds=rng.randint(30, 600)),
                {
                    "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100},
                    "success": scaled >= 0.6,
                    "duration": _duration(reached + 300),
                },
                registration,
            )
        if rng.random() < 0.18:
            stars = min(5, max(1, round(rng.gauss(4.0, 0.9))))
            add(
                RATED,
                done_at + timedelta(seconds=rng.randint(60, 900)),
                {"score": {"raw": stars, "min": 1, "max": 5, "scaled": stars / 5}},
            )
        return out


_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def _uuid4(rng: random.Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, without building a UUID object."""
    value = f"{(rng.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET:032x}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@contextlib.contextmanager
def _bulk_load(model: type[Any]) -> Any:
    """For a bulk load: the objects that exist now are left out of the garbage collector's passes
    (hundreds of thousands of statement dicts it would otherwise walk again and again), and SQLite
    gets a larger page cache. Both are put back afterwards."""
    connection = connections[router.db_for_write(model)]
    previous_cache = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            previous_cache = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_CACHE_KIB)}")
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if previous_cache is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous_cache)}")


def build_statements(
    *, stdout: TextIO | None = None, end: datetime | None = None
) -> dict[str, Any]:
    """Generate and store the demo statements, then build progress. Idempotent: skips if already there."""
    started = time.monotonic()
    authority = demo_authority()
    if Statement.objects.filter(authority_ifi=agent_ifi(authority)).exists():
        if stdout:
            stdout.write("    demo statements already stored\n")
        return {"skipped": True}
    now = end or timezone.now()
    simulator = _Simulator(end=now.replace(hour=0, minute=0, second=0, microsecond=0))
    pending: list[tuple[datetime, dict[str, Any]]] = []
    for start, employee, item in simulator.sessions():
        for statement in simulator.statements(start, employee, item):
            pending.append((start, statement))
    # store in time order, the way the tools would have sent them
    pending.sort(key=lambda pair: (pair[1]["timestamp"], pair[1]["id"]))
    until = now.isoformat().replace("+00:00", "Z")
    statements = [statement for _, statement in pending if statement["timestamp"] < until]
    del pending
    generated = time.monotonic()
    if stdout:
        stdout.write(f"    {len(statements)} statements generated ({generated - started:.1f} s)\n")
    with _bulk_load(Statement):
        reported = 0
        for index in range(0, len(statements), BATCH):
            statements_store(
                statements[index : index + BATCH],
                version="1.0.3",
                authority=authority,
                project=False,
            )
            done = min(len(statements), index + BATCH)
            percent = done * 100 // len(statements)
            if stdout and (percent >= reported + 10 or done == len(statements)):
                reported = percent - percent % 10
                stdout.write(
                    f"    {done} / {len(statements)} statements stored ({percent}%, "
                    f"{time.monotonic() - generated:.1f} s)\n"
                )
        stored = time.monotonic()
        projection = reproject_all(stdout=stdout)
    summary = {
        "statements": len(statements),
        "employees": len(simulator.employees),
        "progress_rows": projection["rows"],
        "skill_evidence": projection["evidence_created"],
        "seconds_generate": round(generated - started, 1),
        "seconds_store": round(stored - generated, 1),
        "seconds_project": round(time.monotonic() - stored, 1),
    }
    if stdout:
        stdout.write(f"    {summary}\n")
    return summary
