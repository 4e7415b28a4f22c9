"""Keeping the aggregates: full rebuild (``trellis insights refresh``) and the incremental job.

Learning time (``LearningWeek``): a statement's ``result.duration`` is cumulative within an attempt
(the same rule as the progress projection), so an attempt (registration) counts its largest duration
and statements without a registration add their own. Each attempt's time is put in the ISO week of
the statement that reported it (for an attempt spanning two weeks: the week of its largest
duration). Time on an item is **mandated** when the item is an item requirement of a program the
person is enrolled in (not withdrawn, program not a draft) and the statement is on or after that
enrollment's start; everything else is **self-directed**.

Incremental: statements stored after the watermark (``RefreshState`` "learning", ``stored`` then
primary key) and at least ``SAFETY_LAG`` old (a transaction that committed late with an earlier
``stored`` is still picked up) are read; for an attempt already seen, only what its largest duration
grew by is added (the attempt's earlier statements are read through the registration index).
Statements voided after they were counted stay counted until the next full refresh; so does the
mandated/self-directed split of time before an enrollment changed. Running the job twice adds
nothing the second time (idempotent).

Programs (``ProgramSnapshot``): planned vs actual per program today (overall and per department,
job role, location and manager) and, for the trend, overall and per department every Monday since the
program started. The arithmetic is ``trellis.programs.pace`` (the program page's own).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils import timezone

from trellis.insights.models import (
    LearningWeek,
    ProgramSnapshot,
    RefreshState,
    SegmentWeek,
    Summary,
)

logger = logging.getLogger("trellis.insights")

SAFETY_LAG = dt.timedelta(minutes=2)
CHUNK = 20_000
SEGMENT_KINDS = ("department", "job_role", "location", "manager")


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- learning time ------------------------------------------------------------------------------


def mandated_map() -> dict[int, dict[int, dt.date]]:
    """employee id → {item id: the earliest start of an enrollment that requires the item}."""
    from trellis.programs.models import Enrollment, Program, Requirement

    items: dict[int, set[int]] = defaultdict(set)
    for program_id, item_id in (
        Requirement.objects.filter(kind=Requirement.Kind.ITEM, item__isnull=False)
        .exclude(program__status=Program.Status.DRAFT)
        .values_list("program_id", "item_id")
    ):
        items[program_id].add(item_id)
    out: dict[int, dict[int, dt.date]] = defaultdict(dict)
    if not items:
        return out
    for employee_id, program_id, starts_on in (
        Enrollment.objects.filter(program_id__in=list(items))
        .exclude(state=Enrollment.State.WITHDRAWN)
        .values_list("employee_id", "program_id", "starts_on")
    ):
        mine = out[employee_id]
        for item_id in items[program_id]:
            seen = mine.get(item_id)
            if seen is None or starts_on < seen:
                mine[item_id] = starts_on
    return out


def _duration_rows(qs: Any) -> Iterator[tuple[Any, str, str, dt.datetime, str | None]]:
    """(registration, actor ifi, activity id, timestamp, duration text) of statements with one."""
    duration = KeyTextTransform("duration", KeyTransform("result", "data"))
    yield from (
        qs.filter(is_voided=False, data__result__has_key="duration")
        .annotate(duration_text=duration)
        .values_list(
            "registration", "actor_ifi", "object_activity_id", "timestamp", "duration_text"
        )
        .iterator(chunk_size=CHUNK)
    )


class _Classifier:
    def __init__(self) -> None:
        from trellis.lrs.projection import EmployeeResolver, ItemResolver

        self.people = EmployeeResolver()
        self.people.preload_all()
        self.items = ItemResolver()
        self.mandated = mandated_map()
        self.tz = timezone.get_current_timezone()

    def key(self, actor: str, activity: str, at: dt.datetime) -> tuple[int, dt.date, str] | None:
        employee_id = self.people.resolve(actor)
        if employee_id is None:
            return None
        day = at.astimezone(self.tz).date() if at.tzinfo is not None else at.date()
        item_id = self.items.resolve(activity) if activity else None
        start = self.mandated.get(employee_id, {}).get(item_id) if item_id else None
        kind = (
            LearningWeek.Kind.MANDATED
            if start is not None and day >= start
            else LearningWeek.Kind.SELF
        )
        return employee_id, week_of(day), kind


def _accumulate(
    rows: Iterable[tuple[Any, str, str, dt.datetime, str | None]],
    classifier: _Classifier,
    *,
    previous: dict[Any, float] | None = None,
    by_registration: bool = False,
) -> dict[tuple[int, dt.date, str], float]:
    """Seconds per (employee, week, kind). ``previous``: each known attempt's largest duration."""
    from trellis.lrs.projection import duration_seconds

    totals: dict[tuple[int, dt.date, str], float] = defaultdict(float)
    best: dict[Any, tuple[float, str, str, dt.datetime]] = {}
    previous = previous or {}

    def flush() -> None:
        for registration, (seconds, actor, activity, at) in best.items():
            grown = seconds - previous.get(registration, 0.0)
            if grown <= 0:
                continue
            key = classifier.key(actor, activity, at)
            if key is not None:
                totals[key] += grown
        best.clear()

    current: Any = None
    for registration, actor, activity, at, text in rows:
        seconds = duration_seconds(text)
        if seconds is None or seconds <= 0:
            continue
        if registration is None:
            key = classifier.key(actor, activity, at)
            if key is not None:
                totals[key] += seconds
            continue
        if by_registration and registration != current:
            flush()  # rows come grouped by attempt: keep one attempt in memory at a time
            current = registration
        seen = best.get(registration)
        if seen is None or seconds > seen[0]:
            best[registration] = (seconds, actor, activity, at)
    flush()
    return totals


def _state() -> RefreshState:
    state, _ = RefreshState.objects.get_or_create(name="learning")
    return state


def learning_rebuild(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Recompute every ``LearningWeek`` row from the statements (the full refresh)."""
    from trellis.lrs.models import Statement

    now = now or timezone.now()
    until = now - SAFETY_LAG
    last = Statement.objects.filter(stored__lte=until).order_by("-stored", "-id").first()
    classifier = _Classifier()
    qs = Statement.objects.filter(stored__lte=until).order_by("registration", "id")
    totals = _accumulate(_duration_rows(qs), classifier, by_registration=True)
    with transaction.atomic():
        LearningWeek.objects.all().delete()
        _insert_weeks(totals)
        state = _state()
        state.stored_until = last.stored if last else None
        state.last_statement_pk = last.pk if last else 0
        state.full_at = now
        state.save()
    return {"rows": len(totals)}


def _insert_weeks(totals: dict[tuple[int, dt.date, str], float]) -> None:
    batch: list[LearningWeek] = []
    for (employee_id, week, kind), seconds in totals.items():
        batch.append(
            LearningWeek(employee_id=employee_id, week=week, kind=kind, seconds=round(seconds))
        )
        if len(batch) >= 5000:
            LearningWeek.objects.bulk_create(batch)
            batch = []
    if batch:
        LearningWeek.objects.bulk_create(batch)


def learning_incremental(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Add the statements stored since the watermark. Idempotent."""
    from trellis.lrs.models import Statement

    now = now or timezone.now()
    until = now - SAFETY_LAG
    state = _state()
    if state.stored_until is None and state.full_at is None:
        return {"rows": learning_rebuild(now=now)["rows"], "statements": -1}
    after = Q()
    if state.stored_until is not None:
        after = Q(stored__gt=state.stored_until) | Q(
            stored=state.stored_until, id__gt=state.last_statement_pk
        )
    fresh = Statement.objects.filter(after, stored__lte=until)
    last = fresh.order_by("-stored", "-id").first()
    if last is None:
        return {"rows": 0, "statements": 0}
    rows = list(_duration_rows(fresh.order_by("id")))
    registrations = {r[0] for r in rows if r[0] is not None}
    previous: dict[Any, float] = {}
    if registrations and state.stored_until is not None:
        from trellis.lrs.projection import duration_seconds

        counted = (state.stored_until, state.last_statement_pk)
        duration = KeyTextTransform("duration", KeyTransform("result", "data"))
        ordered = sorted(registrations, key=str)
        for i in range(0, len(ordered), 500):
            # only the registration index: small chunks, the rest of the test in Python
            older = (
                Statement.objects.filter(registration__in=ordered[i : i + 500], is_voided=False)
                .annotate(duration_text=duration)
                .values_list("registration", "stored", "pk", "duration_text")
            )
            for registration, stored, pk, text in older:
                if (stored, pk) > counted:
                    continue  # not counted yet: part of this run (or a later one)
                seconds = duration_seconds(text) or 0.0
                if seconds > previous.get(registration, 0.0):
                    previous[registration] = seconds
    totals = _accumulate(rows, _Classifier(), previous=previous)
    with transaction.atomic():
        state = RefreshState.objects.select_for_update().get(pk=state.pk)
        if state.stored_until is not None and (state.stored_until, state.last_statement_pk) >= (
            last.stored,
            last.pk,
        ):
            return {"rows": 0, "statements": 0}  # another run got there first
        existing = {
            (r.employee_id, r.week, r.kind): r
            for r in LearningWeek.objects.filter(
                employee_id__in={k[0] for k in totals}, week__in={k[1] for k in totals}
            )
        }
        new: dict[tuple[int, dt.date, str], float] = {}
        changed = []
        for key, seconds in totals.items():
            row = existing.get(key)
            if row is None:
                new[key] = seconds
            else:
                row.seconds += round(seconds)
                changed.append(row)
        LearningWeek.objects.bulk_update(changed, ["seconds"], batch_size=2000)
        _insert_weeks(new)
        state.stored_until = last.stored
        state.last_statement_pk = last.pk
        state.incremental_at = now
        state.save()
    return {"rows": len(totals), "statements": len(rows)}


def segments_rebuild() -> int:
    """``SegmentWeek`` from ``LearningWeek`` and each person's current department and role."""
    from django.db.models import Count

    rows = (
        LearningWeek.objects.values(
            "week", "kind", "employee__department_id", "employee__job_role_id"
        )
        .annotate(seconds_sum=Sum("seconds"), people=Count("employee_id", distinct=True))
        .order_by()
    )
    batch = [
        SegmentWeek(
            week=r["week"],
            kind=r["kind"],
            department_id=r["employee__department_id"],
            job_role_id=r["employee__job_role_id"],
            seconds=r["seconds_sum"] or 0,
            learners=r["people"],
        )
        for r in rows
    ]
    with transaction.atomic():
        SegmentWeek.objects.all().delete()
        SegmentWeek.objects.bulk_create(batch, batch_size=5000)
    return len(batch)


# --- programs -----------------------------------------------------------------------------------


def effort_seconds(program: Any, *, employee_ids: Iterable[int]) -> dict[int, int]:
    """Seconds each person spent on the program's item requirements (from the progress rows)."""
    from trellis.lrs.models import Progress
    from trellis.programs.models import Requirement

    items = list(
        Requirement.objects.filter(
            program=program, kind=Requirement.Kind.ITEM, item__isnull=False
        ).values_list("item_id", flat=True)
    )
    wanted = set(employee_ids)
    out: dict[int, int] = defaultdict(int)
    if not items or not wanted:
        return out
    for employee_id, seconds in Progress.objects.filter(item_id__in=items).values_list(
        "employee_id", "time_spent_seconds"
    ):
        if employee_id in wanted:
            out[employee_id] += seconds
    return out


def program_figures(
    program: Any, *, today: dt.date, employee_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Planned vs actual of ``program`` today: overall and per segment, with drivers and teams."""
    from trellis.programs import pace
    from trellis.programs.selectors import pace_points, pace_rows

    rows = pace_rows(program, employee_ids=employee_ids)
    points = pace_points(program)
    hours = float(program.planned_hours or 0)
    spent = effort_seconds(program, employee_ids=[r.employee_id for r in rows])

    def effort(members: list[Any]) -> tuple[float, float]:
        planned = sum(
            pace.planned_share(points, (today - r.starts_on).days) * hours for r in members
        )
        actual = sum(spent.get(r.employee_id, 0) for r in members) / 3600
        return round(planned, 1), round(actual, 1)

    overall = pace.gap_for(rows, points, today)
    out: dict[str, Any] = {
        "rows": rows,
        "points": points,
        "overall": overall,
        "effort": effort(rows),
        "drivers": pace.drivers(rows, points, today, limit=10),
        "teams": pace.teams(rows, points, today, limit=10),
        "segments": {},
    }
    for kind in SEGMENT_KINDS:
        segs = []
        for seg in pace.segments(rows, points, today, kind=kind):
            members = [r for r in rows if r.segments.get(kind, ("", "—"))[0] == seg.key]
            segs.append((seg, effort(members)))
        out["segments"][kind] = segs
    return out


def trend_days(program: Any, *, today: dt.date) -> list[dt.date]:
    start = program.starts_on or today
    day = week_of(start) + dt.timedelta(days=7) if start.weekday() else start
    days = []
    while day < today:
        days.append(day)
        day += dt.timedelta(days=7)
    return [*days[-52:], today]


def program_trend(
    rows: list[Any], points: Any, days: list[dt.date], *, by_department: bool = True
) -> list[tuple[dt.date, str, str, Any]]:
    """(day, kind, key/label, Gap) overall and per department for each day (people enrolled by then)."""
    from trellis.programs import pace

    out = []
    for day in days:
        present = [r for r in rows if r.starts_on <= day]
        out.append((day, "all", "", pace.gap_for(present, points, day)))
        if not by_department:
            continue
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for r in present:
            groups[r.segments["department"]].append(r)
        for (key, label), members in groups.items():
            out.append((day, "department", f"{key}|{label}", pace.gap_for(members, points, day)))
    return out


def programs_snapshot(*, today: dt.date | None = None, full: bool = False) -> int:
    """Write today's snapshot of every non-draft program and the Mondays of its trend (all of them
    when ``full``, else only those missing)."""
    from trellis.programs.models import Program

    today = today or timezone.localdate()
    written = 0
    for program in Program.objects.exclude(status=Program.Status.DRAFT).order_by("pk"):
        figures = program_figures(program, today=today)
        o = figures["overall"]
        snaps = [
            ProgramSnapshot(
                program=program,
                day=today,
                kind="all",
                key="",
                label=program.name,
                enrolled=o.enrolled,
                completed=o.completed,
                planned=o.planned,
                planned_hours=figures["effort"][0],
                actual_hours=figures["effort"][1],
                details={
                    "drivers": [[n, s] for n, s in figures["drivers"]],
                    "teams": [[n, g.enrolled, g.completed, g.planned] for n, g in figures["teams"]],
                },
            )
        ]
        for kind, segs in figures["segments"].items():
            for seg, (planned_h, actual_h) in segs:
                snaps.append(
                    ProgramSnapshot(
                        program=program,
                        day=today,
                        kind=kind,
                        key=seg.key[:64],
                        label=seg.label[:300],
                        enrolled=seg.gap.enrolled,
                        completed=seg.gap.completed,
                        planned=seg.gap.planned,
                        planned_hours=planned_h,
                        actual_hours=actual_h,
                        details={
                            "drivers": [[n, s] for n, s in seg.people],
                            "teams": [
                                [n, g.enrolled, g.completed, g.planned] for n, g in seg.teams
                            ],
                        },
                    )
                )
        existing_days = set(
            ProgramSnapshot.objects.filter(program=program, kind="all")
            .exclude(day=today)
            .values_list("day", flat=True)
        )
        days = [d for d in trend_days(program, today=today) if d != today]
        if not full:
            days = [d for d in days if d not in existing_days]
        for day, kind, keylabel, gap in program_trend(figures["rows"], figures["points"], days):
            key, _, label = keylabel.partition("|")
            snaps.append(
                ProgramSnapshot(
                    program=program,
                    day=day,
                    kind=kind,
                    key=key[:64],
                    label=(label or program.name)[:300],
                    enrolled=gap.enrolled,
                    completed=gap.completed,
                    planned=gap.planned,
                )
            )
        with transaction.atomic():
            stale = ProgramSnapshot.objects.filter(program=program)
            if not full:
                stale = stale.filter(day__in=[today, *days])
            stale.delete()
            ProgramSnapshot.objects.bulk_create(snaps, batch_size=2000)
        written += len(snaps)
    ProgramSnapshot.objects.exclude(program__status__in=["active", "closed"]).delete()
    return written


# --- summaries ----------------------------------------------------------------------------------


def summary_put(name: str, data: dict[str, Any], *, now: dt.datetime | None = None) -> None:
    Summary.objects.update_or_create(
        name=name, defaults={"data": data, "computed_at": now or timezone.now()}
    )


def summaries_refresh(*, today: dt.date | None = None) -> list[str]:
    from trellis.insights import compute

    today = today or timezone.localdate()
    now = timezone.now()
    summary_put("skills", compute.skills_figures(employee_ids=None), now=now)
    summary_put("content", compute.content_figures(employee_ids=None, today=today), now=now)
    summary_put(
        "personalization", compute.personalization_figures(employee_ids=None, today=today), now=now
    )
    from trellis.insights.readiness import literacy_by

    summary_put(
        "literacy",
        {
            dim: literacy_by(employee_ids=None, dimension=dim)
            for dim in ("all", "department", "job_role", "location", "role_family")
        },
        now=now,
    )
    return ["skills", "content", "personalization", "literacy"]


# --- the two entry points -----------------------------------------------------------------------


def insights_refresh(
    *,
    full: bool,
    stdout: TextIO | None = None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Refresh every aggregate: ``full`` rebuilds; otherwise the incremental job. Idempotent."""
    timings: dict[str, float] = {}
    out: dict[str, Any] = {}

    def step(name: str, fn: Any) -> None:
        t0 = time.perf_counter()
        out[name] = fn()
        timings[name] = round(time.perf_counter() - t0, 2)
        if stdout is not None:
            stdout.write(f"  insights {name}: {timings[name]} s\n")

    learn = learning_rebuild if full else learning_incremental
    step("learning", lambda: learn(now=now))
    step("segments", segments_rebuild)
    step("programs", lambda: programs_snapshot(full=full, today=today))
    step("summaries", lambda: summaries_refresh(today=today))
    out["seconds"] = timings
    return out
