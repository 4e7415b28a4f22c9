"""Planned vs actual: pure functions (no database), unit-tested on their own.

- ``planned_share(points, day)``: the share of an audience the plan expects to have completed ``day``
  days after enrollment, by linear interpolation between the plan's pace points ``(day, percent)``
  (0 % at day 0 unless a point says otherwise; the last point's share after it).
- For a group of enrollments on a given day: **planned** = the mean of each person's
  ``planned_share(today - their cycle start)`` (so later joiners are expected less of, yet);
  **actual** = completed / enrolled; **gap** = actual - planned, in percentage points; **missing**
  = planned * enrolled - completed (how many completions the group is short of the plan).
- The people driving a gap are the incomplete ones with the highest planned share (the plan most
  expected them to be done); the teams driving it are managers ranked by their team's ``missing``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

AT_RISK_DAYS = 7


def planned_share(points: Sequence[Sequence[float]], day: float) -> float:
    """Planned completed share (0-1) ``day`` days after the start, from ``[(day, percent), ...]``."""
    pts = sorted((float(d), min(100.0, max(0.0, float(p))) / 100) for d, p in points)
    if not pts:
        return 0.0
    if pts[0][0] > 0:
        pts.insert(0, (0.0, 0.0))
    if day <= pts[0][0]:
        return pts[0][1] if day >= pts[0][0] else 0.0
    for (d0, p0), (d1, p1) in itertools.pairwise(pts):
        if day <= d1:
            return p1 if d1 == d0 else p0 + (p1 - p0) * (day - d0) / (d1 - d0)
    return pts[-1][1]


def default_points(due_offset_days: int) -> list[list[int]]:
    """Without a pace plan: a straight line from 0 % at the start to 100 % on the due date."""
    return [[0, 0], [max(1, due_offset_days), 100]]


@dataclass(frozen=True)
class PaceRow:
    """One active enrollment, as planned vs actual needs it."""

    employee_id: int
    name: str
    starts_on: dt.date
    completed_on: dt.date | None
    manager_id: int | None = None
    manager_name: str = ""
    segments: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind → (key, label)


@dataclass
class Gap:
    enrolled: int
    completed: int
    planned: float  # share 0-1
    actual: float  # share 0-1

    @property
    def gap_points(self) -> float:
        return round((self.actual - self.planned) * 100, 1)

    @property
    def planned_pct(self) -> float:
        return round(self.planned * 100, 1)

    @property
    def actual_pct(self) -> float:
        return round(self.actual * 100, 1)

    @property
    def missing(self) -> float:
        return round(self.planned * self.enrolled - self.completed, 1)


def gap_for(rows: Iterable[PaceRow], points: Sequence[Sequence[float]], today: dt.date) -> Gap:
    rows = list(rows)
    if not rows:
        return Gap(0, 0, 0.0, 0.0)
    done = sum(1 for r in rows if r.completed_on is not None and r.completed_on <= today)
    planned = sum(planned_share(points, (today - r.starts_on).days) for r in rows) / len(rows)
    return Gap(len(rows), done, planned, done / len(rows))


@dataclass
class Segment:
    kind: str
    key: str
    label: str
    gap: Gap
    people: list[tuple[str, float]]  # (name, their planned share) of incomplete people, worst first
    teams: list[tuple[str, Gap]]  # (manager name, team gap), most missing first


def segments(
    rows: Sequence[PaceRow],
    points: Sequence[Sequence[float]],
    today: dt.date,
    *,
    kind: str,
    limit: int = 5,
) -> list[Segment]:
    """Planned vs actual per segment of ``kind`` (department, job_role, location), worst gap first."""
    groups: dict[tuple[str, str], list[PaceRow]] = defaultdict(list)
    for r in rows:
        groups[r.segments.get(kind, ("", "—"))].append(r)
    out = []
    for (key, label), members in groups.items():
        out.append(
            Segment(
                kind=kind,
                key=key,
                label=label,
                gap=gap_for(members, points, today),
                people=drivers(members, points, today, limit=limit),
                teams=teams(members, points, today, limit=3),
            )
        )
    out.sort(key=lambda s: (s.gap.gap_points, -s.gap.enrolled, s.label))
    return out


def drivers(
    rows: Iterable[PaceRow], points: Sequence[Sequence[float]], today: dt.date, *, limit: int = 5
) -> list[tuple[str, float]]:
    """Incomplete people the plan most expected to be done by ``today`` (name, planned share)."""
    behind = [
        (r.name, round(planned_share(points, (today - r.starts_on).days), 3))
        for r in rows
        if r.completed_on is None or r.completed_on > today
    ]
    behind = [b for b in behind if b[1] > 0]
    behind.sort(key=lambda b: (-b[1], b[0]))
    return behind[:limit]


def teams(
    rows: Iterable[PaceRow], points: Sequence[Sequence[float]], today: dt.date, *, limit: int = 3
) -> list[tuple[str, Gap]]:
    """Managers whose teams are furthest behind the plan (most missing completions first)."""
    by_manager: dict[tuple[int | None, str], list[PaceRow]] = defaultdict(list)
    for r in rows:
        by_manager[(r.manager_id, r.manager_name or "No manager")].append(r)
    ranked = [(name, gap_for(members, points, today)) for (_, name), members in by_manager.items()]
    ranked = [t for t in ranked if t[1].missing > 0]
    ranked.sort(key=lambda t: (-t[1].missing, t[0]))
    return ranked[:limit]


def curve(
    rows: Sequence[PaceRow],
    points: Sequence[Sequence[float]],
    *,
    start: dt.date,
    end: dt.date,
    steps: int = 12,
) -> list[tuple[dt.date, float, float]]:
    """(date, planned share, actual share) at ``steps + 1`` dates from ``start`` to ``end``."""
    if end <= start:
        end = start + dt.timedelta(days=1)
    span = (end - start).days
    out = []
    for i in range(steps + 1):
        day = start + dt.timedelta(days=round(span * i / steps))
        present = [r for r in rows if r.starts_on <= day] or list(rows)
        gap = gap_for(present, points, day)
        out.append((day, gap.planned, gap.actual))
    return out


def risk(
    *,
    status: str,
    today: dt.date,
    starts_on: dt.date,
    due_on: dt.date,
    started: bool,
) -> str:
    """on_track / at_risk / overdue (or the status itself when completed, exempt or withdrawn).

    At risk: not completed and due within ``AT_RISK_DAYS`` days, or not started although half of the
    time to the due date has passed."""
    if status in {"completed", "exempt", "withdrawn", "overdue"}:
        return status
    left = (due_on - today).days
    if left <= AT_RISK_DAYS:
        return "at_risk"
    total = max(1, (due_on - starts_on).days)
    if not started and (today - starts_on).days * 2 >= total:
        return "at_risk"
    return "on_track"


RISK_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "overdue": "Overdue",
    "completed": "Completed",
    "exempt": "Exempt",
    "withdrawn": "Withdrawn",
}


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def budget_overruns(
    *,
    loads: dict[int, dict[str, dict[str, int]]],
    new_load: dict[int, dict[str, dict[str, int]]],
    caps: dict[int, float | None],
) -> list[tuple[int, str, float, float, float]]:
    """Who would go over their quarterly cap: ``(employee id, quarter, hours before, hours after,
    cap)``. ``loads`` / ``new_load``: employee → quarter → {work key: minutes}; a work key (an item,
    a policy) counts once per person and quarter however many programs require it."""
    out = []
    for employee_id, quarters in new_load.items():
        cap = caps.get(employee_id)
        if cap is None:
            continue
        for quarter, work in quarters.items():
            before = loads.get(employee_id, {}).get(quarter, {})
            after = {**before, **work}
            hours_before = sum(before.values()) / 60
            hours_after = sum(after.values()) / 60
            if hours_after > cap + 1e-9 and hours_after > hours_before:
                out.append(
                    (employee_id, quarter, round(hours_before, 2), round(hours_after, 2), cap)
                )
    out.sort(key=lambda o: (o[1], -(o[3] - o[4]), o[0]))
    return out
