"""The dashboards, scoped to who asks. Pages read the aggregates, then filter by scope.

- L&D admins and executives see the whole organisation (executives read only; nothing here writes);
- a manager sees their reporting line only (everyone below them, ``people.selectors.reporting_line``):
  figures for a line are computed from the per-person aggregates (``LearningWeek``) or, for the
  small per-line views of programs, skills, content and personalization, from the projections;
- learners and auditors get 403 (``scope_for`` raises ``PermissionDenied``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.http import Http404
from django.utils import timezone

from trellis.core.permissions import Role, roles_for
from trellis.insights import compute, readiness
from trellis.insights.models import LearningWeek, ProgramSnapshot, SegmentWeek, Summary
from trellis.insights.refresh import (
    SEGMENT_KINDS,
    program_figures,
    program_trend,
    trend_days,
    week_of,
)
from trellis.insights.tables import HOURS, NUM, PCT, POINTS, Column, Dashboard, Table

#: A program's gap is significant when actual completion is this many points or more behind plan.
SIGNIFICANT_GAP_POINTS = 10.0
WEEKS = 12
EFFECT_WEEKS = 4
#: A department "runs" a program when at least this share of its people are enrolled.
RUNS_SHARE = 0.5
SEGMENT_LABELS = {
    "department": "Department",
    "job_role": "Job role",
    "location": "Location",
    "manager": "Manager",
}


@dataclass(frozen=True)
class Scope:
    org: bool
    employee_ids: frozenset[int] | None
    label: str
    read_only: bool

    @property
    def ids(self) -> set[int] | None:
        return None if self.employee_ids is None else set(self.employee_ids)


def scope_for(user: Any) -> Scope:
    """Org-wide for L&D admins and executives, the reporting line for managers, else 403."""
    from trellis.people.selectors import employee_for_user, reporting_line

    roles = roles_for(user)
    if Role.LD_ADMIN in roles:
        return Scope(True, None, "The whole organisation", False)
    if Role.EXECUTIVE in roles:
        return Scope(True, None, "The whole organisation (read only)", True)
    if Role.MANAGER in roles:
        me = employee_for_user(user)
        if me is not None:
            ids = frozenset(reporting_line(manager=me).values_list("pk", flat=True))
            return Scope(False, ids, f"Your reporting line ({len(ids)} people)", True)
    raise PermissionDenied("Insights are for L&D, executives and managers.")


def _summary(name: str) -> dict[str, Any]:
    row = Summary.objects.filter(name=name).first()
    return row.data if row else {}


def computed_at() -> dt.datetime | None:
    return Summary.objects.aggregate(m=Max("computed_at"))["m"]


# --- 1. planned vs actual -----------------------------------------------------------------------


def _program_records(scope: Scope, today: dt.date) -> list[dict[str, Any]]:
    """Per program: overall, segments, trend, drivers, teams (snapshots org-wide; live for a line)."""
    from trellis.programs.models import Enrollment, Program

    programs = Program.objects.exclude(status=Program.Status.DRAFT).order_by("name", "pk")
    records = []
    if scope.org:
        latest = dict(
            ProgramSnapshot.objects.filter(kind="all", day__lte=today)
            .values_list("program_id")
            .annotate(d=Max("day"))
            .order_by()
        )
        snaps: dict[int, list[ProgramSnapshot]] = defaultdict(list)
        for s in ProgramSnapshot.objects.filter(
            program_id__in=list(latest), day__lte=today
        ).order_by("day", "kind", "label"):
            snaps[s.program_id].append(s)
        for program in programs:
            if program.pk not in latest:
                continue
            day = latest[program.pk]
            rows = snaps[program.pk]
            overall = next(s for s in rows if s.kind == "all" and s.day == day)
            records.append(
                {
                    "program": program,
                    "day": day,
                    "enrolled": overall.enrolled,
                    "completed": overall.completed,
                    "planned": overall.planned,
                    "planned_hours": overall.planned_hours,
                    "actual_hours": overall.actual_hours,
                    "segments": {
                        kind: [
                            {
                                "label": s.label,
                                "enrolled": s.enrolled,
                                "completed": s.completed,
                                "planned": s.planned,
                                "planned_hours": s.planned_hours,
                                "actual_hours": s.actual_hours,
                                "teams": s.details.get("teams", []),
                            }
                            for s in rows
                            if s.kind == kind and s.day == day
                        ]
                        for kind in SEGMENT_KINDS
                    },
                    "trend": [
                        (s.day, s.planned, s.completed, s.enrolled) for s in rows if s.kind == "all"
                    ],
                    "drivers": overall.details.get("drivers", []),
                    "teams": overall.details.get("teams", []),
                }
            )
        return records
    ids = scope.ids or set()
    mine = set(
        Enrollment.objects.filter(employee_id__in=ids, state=Enrollment.State.ACTIVE).values_list(
            "program_id", flat=True
        )
    )
    for program in programs.filter(pk__in=mine):
        f = program_figures(program, today=today, employee_ids=ids)
        o = f["overall"]
        trend = program_trend(
            f["rows"], f["points"], trend_days(program, today=today), by_department=False
        )
        records.append(
            {
                "program": program,
                "day": today,
                "enrolled": o.enrolled,
                "completed": o.completed,
                "planned": o.planned,
                "planned_hours": f["effort"][0],
                "actual_hours": f["effort"][1],
                "segments": {
                    kind: [
                        {
                            "label": seg.label,
                            "enrolled": seg.gap.enrolled,
                            "completed": seg.gap.completed,
                            "planned": seg.gap.planned,
                            "planned_hours": eff[0],
                            "actual_hours": eff[1],
                            "teams": [
                                [n, g.enrolled, g.completed, g.planned] for n, g in seg.teams
                            ],
                        }
                        for seg, eff in segs
                    ]
                    for kind, segs in f["segments"].items()
                },
                "trend": [(d, g.planned, g.completed, g.enrolled) for d, _k, _l, g in trend],
                "drivers": [[n, s] for n, s in f["drivers"]],
                "teams": [[n, g.enrolled, g.completed, g.planned] for n, g in f["teams"]],
            }
        )
    return records


def _gap(completed: int, enrolled: int, planned: float) -> tuple[float, float]:
    actual = completed / enrolled if enrolled else 0.0
    return actual, round((actual - planned) * 100, 1)


def planned_vs_actual(
    *, scope: Scope, today: dt.date | None = None, segment: str = "department"
) -> Dashboard:
    today = today or timezone.localdate()
    if segment not in SEGMENT_KINDS:
        segment = "department"
    records = _program_records(scope, today)
    program_rows = []
    significant = 0
    for r in records:
        actual, gap = _gap(r["completed"], r["enrolled"], r["planned"])
        sig = r["enrolled"] > 0 and gap <= -SIGNIFICANT_GAP_POINTS
        significant += int(sig)
        program_rows.append(
            {
                "program": r["program"].name,
                "program_id": r["program"].pk,
                "enrolled": r["enrolled"],
                "completed": r["completed"],
                "planned": round(r["planned"], 4),
                "actual": round(actual, 4),
                "gap": gap,
                "planned_hours": r["planned_hours"],
                "actual_hours": r["actual_hours"],
                "effort_gap": round(r["actual_hours"] - r["planned_hours"], 1),
                "significant": "yes" if sig else "no",
            }
        )
    seg_rows = []
    for r in records:
        for s in r["segments"].get(segment, []):
            actual, gap = _gap(s["completed"], s["enrolled"], s["planned"])
            seg_rows.append(
                {
                    "segment": s["label"],
                    "program": r["program"].name,
                    "enrolled": s["enrolled"],
                    "planned": round(s["planned"], 4),
                    "actual": round(actual, 4),
                    "gap": gap,
                    "planned_hours": s["planned_hours"],
                    "actual_hours": s["actual_hours"],
                    "teams": "; ".join(
                        f"{t[0]} ({round(t[3] * t[1] - t[2], 1)} short)" for t in s["teams"][:3]
                    ),
                }
            )
    seg_rows.sort(key=lambda s: (s["gap"], -s["enrolled"], s["segment"], s["program"]))
    trend_rows = []
    for r in records:
        for day, planned, completed, enrolled in r["trend"]:
            actual, gap = _gap(completed, enrolled, planned)
            trend_rows.append(
                {
                    "week": day,
                    "program": r["program"].name,
                    "enrolled": enrolled,
                    "planned": round(planned, 4),
                    "actual": round(actual, 4),
                    "gap": gap,
                }
            )
    trend_rows.sort(key=lambda t: (t["week"], t["program"]))
    drivers = []
    teams = []
    for r in records:
        for name, share in r["drivers"][:10]:
            drivers.append({"person": name, "program": r["program"].name, "planned": share})
        for name, enrolled, completed, planned in r["teams"][:10]:
            missing = round(planned * enrolled - completed, 1)
            teams.append(
                {
                    "team": name,
                    "program": r["program"].name,
                    "enrolled": enrolled,
                    "completed": completed,
                    "gap": round((completed / enrolled - planned) * 100, 1) if enrolled else 0.0,
                    "missing": missing,
                }
            )
    drivers.sort(key=lambda d: (-d["planned"], d["person"], d["program"]))
    teams.sort(key=lambda t: (-t["missing"], t["team"], t["program"]))
    share = significant / len(records) if records else 0.0
    trend_chart = _pivot_trend(trend_rows)
    return Dashboard(
        key="planned",
        title="Planned vs actual",
        intro=(
            "For every program: the completion and effort the plan expected by today against what "
            "the learning records show. Planned completion follows each program's pace plan from "
            "each person's own start; actual effort is the time spent on the program's items."
        ),
        scope_label=scope.label,
        headline=[
            ("Programs", str(len(records))),
            ("With a significant gap", f"{significant} ({share * 100:.0f} %)"),
        ],
        tables=[
            Table(
                "programs",
                "Planned vs actual by program",
                [
                    Column("program", "Program"),
                    Column("enrolled", "Enrolled", NUM),
                    Column("completed", "Completed", NUM),
                    Column("planned", "Planned by today", PCT),
                    Column("actual", "Actual", PCT),
                    Column("gap", "Gap (points)", POINTS),
                    Column("planned_hours", "Planned effort", HOURS),
                    Column("actual_hours", "Actual effort", HOURS),
                    Column("effort_gap", "Effort gap", HOURS),
                    Column("significant", "Significant gap"),
                ],
                program_rows,
                chart={"type": "bar", "x": "program", "series": ["planned", "actual"]},
            ),
            Table(
                "segments",
                f"Planned vs actual by {SEGMENT_LABELS[segment].lower()}, furthest behind first",
                [
                    Column("segment", SEGMENT_LABELS[segment]),
                    Column("program", "Program"),
                    Column("enrolled", "Enrolled", NUM),
                    Column("planned", "Planned by today", PCT),
                    Column("actual", "Actual", PCT),
                    Column("gap", "Gap (points)", POINTS),
                    Column("planned_hours", "Planned effort", HOURS),
                    Column("actual_hours", "Actual effort", HOURS),
                    Column("teams", "Teams driving it"),
                ],
                seg_rows[:40],
                chart={"type": "bar", "x": "segment", "series": ["gap"], "horizontal": True}
                if len({s["program"] for s in seg_rows}) <= 1
                else None,
            ),
            trend_chart,
            Table(
                "trend",
                "Weekly trend by program",
                [
                    Column("week", "Week"),
                    Column("program", "Program"),
                    Column("enrolled", "Enrolled", NUM),
                    Column("planned", "Planned", PCT),
                    Column("actual", "Actual", PCT),
                    Column("gap", "Gap (points)", POINTS),
                ],
                trend_rows,
            ),
            Table(
                "teams",
                "Teams driving the gap (most completions short of plan)",
                [
                    Column("team", "Manager's team"),
                    Column("program", "Program"),
                    Column("enrolled", "Enrolled", NUM),
                    Column("completed", "Completed", NUM),
                    Column("gap", "Gap (points)", POINTS),
                    Column("missing", "Completions short", NUM),
                ],
                teams[:20],
            ),
            Table(
                "learners",
                "Learners the plan most expected to be done",
                [
                    Column("person", "Learner"),
                    Column("program", "Program"),
                    Column("planned", "Planned share by today", PCT),
                ],
                drivers[:20],
            ),
        ],
        notes=[
            f"A gap is significant when actual completion is {SIGNIFICANT_GAP_POINTS:.0f} points "
            "or more behind the plan (gap = actual - planned, in percentage points).",
            "Trend: every Monday since a program started, planned vs actual of the people enrolled "
            "by then (as stored by the daily refresh; a full refresh recomputes it from today's "
            "enrollments).",
        ],
        extra={"segment": segment, "segments": SEGMENT_LABELS, "programs": records},
    )


def _pivot_trend(trend_rows: list[dict[str, Any]]) -> Table:
    """Gap per week with one column per program (the line chart)."""
    programs = sorted({t["program"] for t in trend_rows})
    keys = {p: f"p{i}" for i, p in enumerate(programs)}
    by_week: dict[dt.date, dict[str, Any]] = {}
    for t in trend_rows:
        row = by_week.setdefault(t["week"], {"week": t["week"]})
        row[keys[t["program"]]] = t["gap"]
    return Table(
        "gap_trend",
        "Gap by week (points, actual - planned)",
        [Column("week", "Week"), *[Column(keys[p], p, POINTS) for p in programs]],
        [by_week[w] for w in sorted(by_week)],
        chart={"type": "line", "x": "week", "series": [keys[p] for p in programs]}
        if programs
        else None,
    )


# --- 2. mandated vs self-directed ---------------------------------------------------------------


def _time_rows(
    scope: Scope, since: dt.date
) -> list[tuple[dt.date, int | None, int | None, str, int]]:
    """(week, department id, job role id, kind, seconds) for the scope since ``since``."""
    if scope.org:
        return list(
            SegmentWeek.objects.filter(week__gte=since).values_list(
                "week", "department_id", "job_role_id", "kind", "seconds"
            )
        )
    return list(
        LearningWeek.objects.filter(week__gte=since, employee_id__in=list(scope.ids or ()))
        .values_list("week", "employee__department_id", "employee__job_role_id", "kind")
        .annotate(s=Sum("seconds"))
        .order_by()
    )


def _headcount(scope: Scope, field: str) -> dict[int | None, int]:
    from django.db.models import Count

    from trellis.people.models import Employee

    qs = Employee.objects.filter(is_active=True)
    if not scope.org:
        qs = qs.filter(pk__in=list(scope.ids or ()))
    return dict(qs.values_list(field).annotate(n=Count("id")).order_by())


def learning_time(*, scope: Scope, today: dt.date | None = None, weeks: int = WEEKS) -> Dashboard:
    from trellis.people.models import Department, JobRole
    from trellis.programs.models import Enrollment, Program

    today = today or timezone.localdate()
    weeks = max(1, min(52, weeks))
    this_week = week_of(today)
    since = this_week - dt.timedelta(weeks=weeks - 1)
    effect_since = this_week - dt.timedelta(weeks=26)
    rows = _time_rows(scope, min(since, effect_since))
    dept_names = dict(Department.objects.values_list("pk", "name"))
    role_names = dict(JobRole.objects.values_list("pk", "title"))
    heads_d = _headcount(scope, "department_id")
    heads_r = _headcount(scope, "job_role_id")

    weekly: dict[dt.date, list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_d: dict[int | None, list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_r: dict[int | None, list[float]] = defaultdict(lambda: [0.0, 0.0])
    dept_week_self: dict[tuple[int | None, dt.date], float] = defaultdict(float)
    for week, dept, role, kind, seconds in rows:
        i = 0 if kind == LearningWeek.Kind.MANDATED else 1
        if kind == LearningWeek.Kind.SELF:
            dept_week_self[(dept, week)] += seconds
        if week < since:
            continue
        weekly[week][i] += seconds
        by_d[dept][i] += seconds
        by_r[role][i] += seconds

    def seg_rows(
        data: dict[Any, list[float]], names: dict[Any, str], heads: dict[Any, int]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for key, (m, s) in data.items():
            people = heads.get(key, 0)
            out.append(
                {
                    "segment": names.get(key, "—") if key else "—",
                    "people": people,
                    "mandated": round(m / 3600, 1),
                    "self": round(s / 3600, 1),
                    "self_share": round(s / (m + s), 4) if m + s else None,
                    "per_person_week": round((m + s) / 3600 / weeks / people, 2)
                    if people
                    else None,
                }
            )
        out.sort(key=lambda r: (-(float(r["mandated"]) + float(r["self"])), str(r["segment"])))
        return out

    week_rows = []
    for i in range(weeks):
        w = since + dt.timedelta(weeks=i)
        m, s = weekly.get(w, [0.0, 0.0])
        week_rows.append(
            {
                "week": w,
                "mandated": round(m / 3600, 1),
                "self": round(s / 3600, 1),
                "self_share": round(s / (m + s), 4) if m + s else None,
            }
        )
    total_m = sum(v[0] for v in weekly.values())
    total_s = sum(v[1] for v in weekly.values())

    # Does self-directed time grow where programs run? Per program: departments running it vs not.
    effect_rows = []
    enrolled_by_dept: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    ids = scope.ids
    enr = Enrollment.objects.filter(
        program__status=Program.Status.ACTIVE, state=Enrollment.State.ACTIVE
    )
    if ids is not None:
        enr = enr.filter(employee_id__in=list(ids))
    for program_id, dept in enr.values_list("program_id", "employee__department_id"):
        enrolled_by_dept[program_id][dept] += 1
    for program in Program.objects.filter(
        pk__in=list(enrolled_by_dept), starts_on__isnull=False
    ).order_by("name"):
        assert program.starts_on is not None
        launch = week_of(program.starts_on)
        before = [launch - dt.timedelta(weeks=k) for k in range(1, EFFECT_WEEKS + 1)]
        after = [launch + dt.timedelta(weeks=k) for k in range(EFFECT_WEEKS)]
        after = [w for w in after if w <= this_week]
        if not after:
            continue
        running = {
            d
            for d, n in enrolled_by_dept[program.pk].items()
            if heads_d.get(d) and n / heads_d[d] >= RUNS_SHARE
        }
        for label, depts in (
            ("with the program", running),
            ("without", {d for d in heads_d if d not in running}),
        ):
            people = sum(heads_d.get(d, 0) for d in depts)
            if not people:
                continue

            def mean(ws: list[dt.date], depts: set[Any] = depts, people: int = people) -> float:
                total = sum(dept_week_self.get((d, w), 0.0) for d in depts for w in ws)
                return round(total / 60 / len(ws) / people, 1)

            b, a = mean(before), mean(after)
            effect_rows.append(
                {
                    "program": program.name,
                    "group": f"Departments {label}",
                    "departments": len(depts),
                    "people": people,
                    "before": b,
                    "after": a,
                    "change": round(a - b, 1),
                }
            )
    columns = [
        Column("segment", "Segment"),
        Column("people", "People", NUM),
        Column("mandated", "Mandated", HOURS),
        Column("self", "Self-directed", HOURS),
        Column("self_share", "Self-directed share", PCT),
        Column("per_person_week", "Hours per person per week", NUM),
    ]
    dept_rows = seg_rows(by_d, dept_names, heads_d)
    role_rows = seg_rows(by_r, role_names, heads_r)
    for r in dept_rows:
        r["department"] = r["segment"]
    return Dashboard(
        key="learning",
        title="Mandated vs self-directed learning",
        intro=(
            f"Learning time from the learning records over the last {weeks} weeks. Time on an item "
            "that a program the person is enrolled in requires (from their start) is mandated; the "
            "rest is self-directed."
        ),
        scope_label=scope.label,
        headline=[
            ("Mandated", f"{total_m / 3600:,.0f} h"),
            ("Self-directed", f"{total_s / 3600:,.0f} h"),
            (
                "Self-directed share",
                f"{total_s / (total_m + total_s) * 100:.0f} %" if total_m + total_s else "—",
            ),
        ],
        tables=[
            Table(
                "weekly",
                "Learning time per week",
                [
                    Column("week", "Week"),
                    Column("mandated", "Mandated", HOURS),
                    Column("self", "Self-directed", HOURS),
                    Column("self_share", "Self-directed share", PCT),
                ],
                week_rows,
                chart={
                    "type": "bar",
                    "x": "week",
                    "series": ["mandated", "self"],
                    "stacked": True,
                    "unit": "h",
                },
            ),
            Table(
                "departments",
                "By department",
                columns,
                dept_rows,
                chart={
                    "type": "bar",
                    "x": "segment",
                    "series": ["mandated", "self"],
                    "stacked": True,
                    "horizontal": True,
                    "unit": "h",
                },
            ),
            Table("roles", "By job role", columns, role_rows[:30]),
            Table(
                "programs_effect",
                f"Self-directed minutes per person per week, {EFFECT_WEEKS} weeks before and after each program's launch",
                [
                    Column("program", "Program"),
                    Column("group", "Group"),
                    Column("departments", "Departments", NUM),
                    Column("people", "People", NUM),
                    Column("before", "Before (min)", NUM),
                    Column("after", "After (min)", NUM),
                    Column("change", "Change (min)", NUM),
                ],
                effect_rows,
            ),
        ],
        notes=[
            f"A department runs a program when at least {RUNS_SHARE:.0%} of its people are enrolled. "
            "Compare the change in departments with the program against those without it (a "
            "difference in differences); seasonality and who chose to run a program are not "
            "controlled for.",
            "An attempt's time counts in the week of the statement reporting its largest duration.",
        ],
    )


# --- 3. skills ----------------------------------------------------------------------------------


def skills(*, scope: Scope) -> Dashboard:
    data = _summary("skills") if scope.org else compute.skills_figures(employee_ids=scope.ids)
    skills_ = data.get("skills", [])
    keys = {s["id"]: f"s{s['id']}" for s in skills_}
    cells = {(d, s): (req, met) for d, s, req, met in data.get("cells", [])}
    heat_rows = []
    for d in data.get("departments", []):
        row: dict[str, Any] = {"department": d["name"]}
        for s in skills_:
            req, met = cells.get((d["id"], s["id"]), (0, 0))
            row[keys[s["id"]]] = round(met / req, 4) if req else None
        heat_rows.append(row)
    gap_rows = [
        {
            "skill": g["skill"],
            "required": g["required"],
            "meeting": g["meeting"],
            "share": g["share"],
            "missing": g["missing"],
            "target": g["target"],
            "items": "; ".join(
                f"{i['title']} (level {i['level']}, {i['completions']} completions)"
                for i in g.get("items", [])
            )
            or "No tagged content",
        }
        for g in data.get("gaps", [])
    ]
    return Dashboard(
        key="skills",
        title="Skills",
        intro=(
            "Departments by skills: of the people whose role profile requires a skill, the share "
            "whose latest evidence meets the target level; the biggest gaps and the catalog items "
            "that close them (tagged with the skill at the right level, most completed first)."
        ),
        scope_label=scope.label,
        headline=[("People", str(data.get("people", 0))), ("Skills shown", str(len(skills_)))],
        tables=[
            Table(
                "heatmap",
                "Share of people meeting the required level, by department and skill",
                [
                    Column("department", "Department"),
                    *[Column(keys[s["id"]], s["label"], PCT) for s in skills_],
                ],
                heat_rows,
                heat=True,
            ),
            Table(
                "gaps",
                "Biggest gaps and the content that closes them",
                [
                    Column("skill", "Skill"),
                    Column("required", "People who need it", NUM),
                    Column("meeting", "Meeting the level", NUM),
                    Column("share", "Share meeting", PCT),
                    Column("missing", "Gap (people)", NUM),
                    Column("target", "Typical target level", NUM),
                    Column("items", "Items that close it"),
                ],
                gap_rows,
                chart={"type": "bar", "x": "skill", "series": ["missing"], "horizontal": True},
            ),
        ],
        notes=["Empty cells: nobody in that department has a role that requires the skill."],
    )


# --- 4. AI readiness ----------------------------------------------------------------------------


def _ai_programs() -> list[Any]:
    """Programs about AI: named with the word AI, or requiring an item tagged with an AI-literacy skill."""
    import re

    from trellis.catalog.models import ItemSkill
    from trellis.programs.models import Program, Requirement
    from trellis.skills.ai_literacy import FAMILY_SLUG

    tagged = set(
        ItemSkill.objects.filter(skill__family__slug=FAMILY_SLUG).values_list("item_id", flat=True)
    )
    out = []
    for program in Program.objects.exclude(status=Program.Status.DRAFT).order_by("name"):
        items = set(
            Requirement.objects.filter(program=program, item__isnull=False).values_list(
                "item_id", flat=True
            )
        )
        if re.search(r"\bAI\b", program.name) or items & tagged:
            out.append(program)
    return out


def readiness_view(
    *,
    scope: Scope,
    wave_id: Any = None,
    dimension: str = "department",
    today: dt.date | None = None,
) -> Dashboard:
    today = today or timezone.localdate()
    if dimension not in readiness.DIMENSIONS:
        dimension = "department"
    api = readiness.surveys()
    all_waves = list(api.readiness_waves()) if api is not None else []
    wave = next((w for w in all_waves if str(w["id"]) == str(wave_id)), None) if wave_id else None
    ids = scope.ids
    org_literacy = _summary("literacy") if scope.org else {}
    memo: dict[tuple[Any, str], list[dict[str, Any]]] = {}

    def literacy(dim: str) -> dict[str, Any]:
        if dim in org_literacy:
            return org_literacy[dim]
        org_literacy[dim] = readiness.literacy_by(employee_ids=ids, dimension=dim)
        return org_literacy[dim]

    def breakdown(wid: Any, dim: str) -> list[dict[str, Any]]:
        if (wid, dim) not in memo:
            memo[(wid, dim)] = readiness.breakdown(
                wave_id=wid, dimension=dim, employee_ids=ids, literacy=literacy(dim)
            )
        return memo[(wid, dim)]

    # A wave's results are published once it has closed (the surveys app's rule): an open wave is
    # neither the default nor in the trend.
    waves = [
        w
        for w in all_waves
        if w.get("respondents") and w.get("closed", True) and breakdown(w["id"], "all")
    ]
    if wave is None or wave not in waves:
        wave = waves[-1] if waves else None
    n = readiness.threshold(wave)
    suppressed_text = f"fewer than {n} respondents"
    group_rows: list[dict[str, Any]] = []
    overall: dict[str, Any] | None = None
    if wave is not None:
        for raw in breakdown(wave["id"], dimension):
            group_rows.append(_readiness_row(raw, suppressed_text))
        all_rows = breakdown(wave["id"], "all")
        overall = all_rows[0] if all_rows else None
    trend_rows = []
    for w in waves:
        rows = breakdown(w["id"], "all")
        r: dict[str, Any] | None = rows[0] if rows else None
        trend_rows.append(
            {
                "wave": w["label"],
                "closes_at": w.get("closes_at"),
                "respondents": suppressed_text
                if r is None or r["suppressed"]
                else r["respondents"],
                "index": r["index"] if r and not r["suppressed"] else None,
                "comfort": (r["metrics"] or {}).get("comfort") if r else None,
                "weekly_use": (r["metrics"] or {}).get("weekly_use") if r else None,
                "strategy_communicated": (r["metrics"] or {}).get("strategy_communicated")
                if r
                else None,
            }
        )
    # Readiness vs AI program progress, per department.
    dept_index: dict[str, Any] = {}
    if wave is not None:
        for r in breakdown(wave["id"], "department"):
            dept_index[r["label"]] = r
    completion: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ai_programs = _ai_programs()
    for rec in _program_records(scope, today):
        if rec["program"] not in ai_programs:
            continue
        for s in rec["segments"].get("department", []):
            completion[s["label"]][0] += s["enrolled"]
            completion[s["label"]][1] += s["completed"]
    relation = []
    for label in sorted(set(dept_index) | set(completion)):
        found = dept_index.get(label)
        enrolled, done = completion.get(label, [0, 0])
        relation.append(
            {
                "department": label,
                "index": (
                    suppressed_text
                    if found and found["suppressed"]
                    else (found["index"] if found else None)
                ),
                "enrolled": enrolled,
                "completion": round(done / enrolled, 4) if enrolled else None,
            }
        )
    lit = literacy(dimension)
    from trellis.skills.ai_literacy import LEVEL_NAMES

    lit_rows = []
    for key, f in sorted(lit.items(), key=lambda kv: kv[1]["label"]):
        if key.startswith("label:"):
            continue
        row = {"group": f["label"], "people": f["people"], "mean_level": f["mean_level"]}
        for i in range(len(LEVEL_NAMES)):
            row[f"l{i + 1}"] = f["rungs"][i]
        row["none"] = f["people"] - f["with_evidence"]
        lit_rows.append(row)
    index_text = (
        (
            suppressed_text
            if overall is None or overall["suppressed"]
            else f"{overall['index']:.0f} / 100"
        )
        if wave is not None
        else "no survey yet"
    )
    metric_cols = [Column(k, label, PCT) for k, label in METRIC_LABELS]
    return Dashboard(
        key="readiness",
        title="AI readiness",
        intro=(
            "How ready people are for AI, from the AI-readiness pulse survey (anonymity-protected: "
            "groups below the threshold are not shown) and from evidenced AI-literacy skill levels."
        ),
        scope_label=scope.label,
        headline=[
            ("Readiness index", index_text),
            ("Survey wave", wave["label"] if wave else "—"),
            (
                "Respondents",
                str(overall["respondents"]) if overall and not overall["suppressed"] else "—",
            ),
        ],
        tables=[
            Table(
                "groups",
                f"Readiness by {readiness.DIMENSIONS[dimension].lower()}",
                [
                    Column("group", readiness.DIMENSIONS[dimension]),
                    Column("respondents", "Respondents", NUM),
                    *metric_cols,
                    Column("literacy", "Evidenced AI literacy", PCT),
                    Column("index", "Readiness index", NUM),
                ],
                group_rows,
                chart={
                    "type": "bar",
                    "x": "group",
                    "series": ["index"],
                    "horizontal": True,
                    "drop_empty": True,
                },
                note="Groups with too few respondents are left out of the chart.",
            ),
            Table(
                "trend",
                "Trend between survey waves",
                [
                    Column("wave", "Wave"),
                    Column("respondents", "Respondents", NUM),
                    Column("index", "Readiness index", NUM),
                    Column("comfort", "Comfortable with AI", PCT),
                    Column("weekly_use", "Uses AI weekly", PCT),
                    Column("strategy_communicated", "Strategy communicated", PCT),
                ],
                trend_rows,
                chart={"type": "line", "x": "wave", "series": ["index"]},
            ),
            Table(
                "programs",
                "Readiness and AI program completion by department",
                [
                    Column("department", "Department"),
                    Column("index", "Readiness index", NUM),
                    Column("enrolled", "Enrolled in AI programs", NUM),
                    Column("completion", "AI program completion", PCT),
                ],
                relation,
            ),
            Table(
                "literacy",
                f"Evidenced AI-literacy levels by {readiness.DIMENSIONS.get(dimension, 'group').lower()}",
                [
                    Column("group", "Group"),
                    Column("people", "People", NUM),
                    Column("mean_level", "Mean level (1-5)", NUM),
                    *[Column(f"l{i + 1}", name, NUM) for i, name in enumerate(LEVEL_NAMES)],
                    Column("none", "No evidence", NUM),
                ],
                lit_rows,
                chart={
                    "type": "bar",
                    "x": "group",
                    "series": [f"l{i + 1}" for i in range(5)],
                    "stacked": True,
                    "horizontal": True,
                },
            ),
        ],
        notes=[
            readiness.FORMULA,
            f"Groups with fewer than {n} respondents are shown as such and never estimated.",
            "AI programs: programs named with the word AI or requiring an item tagged with an "
            "AI-literacy skill: " + (", ".join(p.name for p in ai_programs) or "none") + ".",
        ],
        extra={
            "waves": waves,
            "wave": wave,
            "dimension": dimension,
            "dimensions": readiness.DIMENSIONS,
            "formula": readiness.FORMULA,
            "weights": readiness.WEIGHTS,
            "threshold": n,
            "has_surveys": api is not None,
        },
    )


METRIC_LABELS = [
    ("comfort", "Comfortable with AI"),
    ("weekly_use", "Uses AI weekly"),
    ("tool_confidence", "Confident choosing tools"),
    ("advanced", "Self-rated advanced"),
    ("self_level_score", "Self-rated level"),
    ("strategy_communicated", "Strategy communicated"),
    ("usage_expectations", "Usage expectations set"),
    ("ownership_very_clear", "Ownership very clear"),
    ("ownership_unclear", "Ownership unclear"),
]


def _readiness_row(r: dict[str, Any], suppressed_text: str) -> dict[str, Any]:
    row: dict[str, Any] = {"group": r["label"], "suppressed": r["suppressed"]}
    lit = r.get("literacy")
    row["literacy"] = lit["component"] if lit else None
    if r["suppressed"]:
        row["respondents"] = suppressed_text
        for k, _ in METRIC_LABELS:
            row[k] = "—"
        row["index"] = suppressed_text
        return row
    row["respondents"] = r["respondents"]
    for k, _ in METRIC_LABELS:
        row[k] = (r["metrics"] or {}).get(k)
    row["index"] = r["index"]
    return row


# --- 5. content ---------------------------------------------------------------------------------


def content(*, scope: Scope, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    data = (
        _summary("content")
        if scope.org
        else compute.content_figures(employee_ids=scope.ids, today=today)
    )
    e = data.get("enrichment") or compute.ai_enrichment()
    enrichment_rows = [
        {"measure": "Published items", "value": e.get("items", 0)},
        {
            "measure": "With an AI skill tag accepted or suggested",
            "value": f"{e.get('ai_enriched', 0)} ({e.get('ai_enriched_share', 0) * 100:.1f} %)",
        },
        {
            "measure": "With an AI skill tag accepted",
            "value": f"{e.get('ai_accepted', 0)} ({e.get('ai_accepted_share', 0) * 100:.1f} %)",
        },
        {
            "measure": "Mapped to skills (any origin)",
            "value": f"{e.get('tagged_share', 0) * 100:.1f} %",
        },
        {
            "measure": "Suggestions pending / accepted / rejected",
            "value": " / ".join(
                str((e.get("suggestions") or {}).get(k, 0))
                for k in ("pending", "accepted", "rejected")
            ),
        },
        {"measure": "AI summaries", "value": "none (Trellis does not generate summaries yet)"},
    ]
    return Dashboard(
        key="content",
        title="Content",
        intro=(
            f"Use of catalog items from the learning records: learners who started, completions, "
            f"drop-off (started, not done, nothing for {compute.DROP_OFF_DAYS} days), ratings and time "
            "spent; and how much of the catalog AI has enriched."
        ),
        scope_label=scope.label,
        headline=[
            ("Items used", str(data.get("items_used", 0))),
            ("Completion rate", f"{data.get('completion_rate', 0) * 100:.0f} %"),
            ("AI-enriched catalog", f"{e.get('ai_enriched_share', 0) * 100:.0f} %"),
        ],
        tables=[
            Table(
                "items",
                f"The {compute.TOP_ITEMS} most used items",
                [
                    Column("title", "Item"),
                    Column("learners", "Learners", NUM),
                    Column("completed", "Completed", NUM),
                    Column("completion_rate", "Completion rate", PCT),
                    Column("dropped", "Dropped off", NUM),
                    Column("drop_off_rate", "Drop-off rate", PCT),
                    Column("rating", "Rating (1-5)", NUM),
                    Column("ratings", "Ratings", NUM),
                    Column("hours", "Time spent", HOURS),
                ],
                data.get("items", []),
                chart={
                    "type": "bar",
                    "x": "title",
                    "series": ["completion_rate", "drop_off_rate"],
                    "horizontal": True,
                },
            ),
            Table(
                "enrichment",
                "AI enrichment of the catalog",
                [Column("measure", "Measure"), Column("value", "Value")],
                enrichment_rows,
            ),
        ],
    )


# --- 6. personalization -------------------------------------------------------------------------


def personalization(*, scope: Scope, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    data = (
        _summary("personalization")
        if scope.org
        else compute.personalization_figures(employee_ids=scope.ids, today=today)
    )
    summary_rows = [
        {"measure": "Recommendations shown (impressions)", "value": data.get("impressions", 0)},
        {
            "measure": "Distinct learner-item recommendations",
            "value": data.get("recommendations", 0),
        },
        {
            "measure": f"Accepted (started within {data.get('accept_days', 14)} days)",
            "value": data.get("accepted", 0),
        },
        {"measure": "Acceptance rate", "value": _pct(data.get("acceptance"))},
        {
            "measure": "Learners shown recommendations",
            "value": f"{data.get('learners_shown', 0)} of {data.get('learners', 0)} ({_pct(data.get('coverage_learners'))})",
        },
        {
            "measure": "Catalog items recommended",
            "value": f"{data.get('items_recommended', 0)} ({_pct(data.get('coverage_catalog'))} of the catalog)",
        },
    ]
    weekly = [
        {"week": w, "recommendations": n, "accepted": a, "rate": r}
        for w, n, a, r in data.get("weekly", [])
    ]
    nudges = (data.get("nudges") or {}).get("rows", [])
    tables = [
        Table(
            "summary",
            f"Recommendations, last {data.get('days', 90)} days",
            [Column("measure", "Measure"), Column("value", "Value")],
            summary_rows,
        ),
        Table(
            "weekly",
            "Acceptance by week first shown",
            [
                Column("week", "Week"),
                Column("recommendations", "Recommendations", NUM),
                Column("accepted", "Accepted", NUM),
                Column("rate", "Acceptance", PCT),
            ],
            weekly,
            chart={"type": "line", "x": "week", "series": ["rate"]},
        ),
        Table(
            "nudges",
            f"Completion within {(data.get('nudges') or {}).get('days', compute.NUDGE_DAYS)} days after a reminder vs comparable learners not reminded",
            [
                Column("program", "Program"),
                Column("nudged", "Reminded", NUM),
                Column("nudged_rate", "Completed after", PCT),
                Column("comparison", "Comparison", NUM),
                Column("comparison_rate", "Comparison completed", PCT),
                Column("difference", "Difference (points)", POINTS),
            ],
            nudges,
            chart={"type": "bar", "x": "program", "series": ["nudged_rate", "comparison_rate"]},
        ),
    ]
    fairness = data.get("fairness")
    if fairness:
        for d in fairness["dimensions"]:
            tables.append(
                Table(
                    f"fairness_{d['dimension'].lower().replace(' ', '_')}",
                    f"Fairness by {d['dimension'].lower()}",
                    [
                        Column("group", d["dimension"]),
                        Column("learners", "Learners", NUM),
                        Column("impressions", "Recommendations", NUM),
                        Column("exposure", "Exposure", PCT),
                        Column("high_quality", "High-quality share", PCT),
                        Column("acceptance", "Acceptance", PCT),
                        Column("flags", "Flagged"),
                    ],
                    [
                        {
                            "group": r["group"],
                            "learners": r["learners"],
                            "impressions": r["impressions"],
                            **{
                                k: (r["rates"] or {}).get(k)
                                for k in ("exposure", "high_quality", "acceptance")
                            },
                            "flags": ", ".join(r["flags"])
                            or ("too small" if r["too_small"] else ""),
                        }
                        for r in d["rows"]
                    ],
                )
            )
    return Dashboard(
        key="personalization",
        title="Personalization quality",
        intro=(
            "Are recommendations taken up, who gets them, are they fair across groups, and do "
            "reminders help people complete their programs?"
        ),
        scope_label=scope.label,
        headline=[
            ("Acceptance", _pct(data.get("acceptance"))),
            ("Learners reached", _pct(data.get("coverage_learners"))),
        ],
        tables=tables,
        notes=[
            "A recommendation is accepted when the learner's first activity on the item comes on the "
            "day it was first shown or within the acceptance window after (the fairness report's rule).",
            "Reminders (manager nudges, due-soon and overdue notices) are compared with the other "
            "learners of the same program in the same state at that moment (started or not, not "
            "complete) who got no reminder within the window. Limits: not randomised (managers nudge "
            "those they worry about; due-soon notices go to people near their due date), small groups "
            "are noisy, and completion may come from the reminder or from the due date itself.",
            *(
                [fairness["rule"]]
                if fairness
                else ["The fairness report is org-wide (L&D and executives)."]
            ),
        ],
        extra={"fairness": bool(fairness)},
    )


def _pct(v: Any) -> str:
    return f"{v * 100:.1f} %" if isinstance(v, int | float) else "—"


# --- landing ------------------------------------------------------------------------------------


def landing(*, scope: Scope, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    pva = planned_vs_actual(scope=scope, today=today)
    lt = learning_time(scope=scope, today=today)
    ready = readiness_view(scope=scope, today=today)
    enriched = (_summary("content").get("enrichment") if scope.org else None) or (
        compute.ai_enrichment()
    )
    return Dashboard(
        key="home",
        title="Insights",
        intro="The headline figures; each links to its dashboard.",
        scope_label=scope.label,
        headline=[
            ("Programs with a significant gap", dict(pva.headline)["With a significant gap"]),
            ("AI readiness index", dict(ready.headline)["Readiness index"]),
            ("Self-directed share of learning time", dict(lt.headline)["Self-directed share"]),
            ("AI-enriched catalog", f"{enriched.get('ai_enriched_share', 0) * 100:.0f} %"),
        ],
    )


def get_program_record(
    *, scope: Scope, program_id: int, today: dt.date | None = None
) -> dict[str, Any]:
    today = today or timezone.localdate()
    for rec in _program_records(scope, today):
        if rec["program"].pk == program_id:
            return rec
    raise Http404("No such program in your scope.")


DASHBOARDS = {
    "planned": "Planned vs actual",
    "learning": "Mandated vs self-directed",
    "skills": "Skills",
    "readiness": "AI readiness",
    "content": "Content",
    "personalization": "Personalization",
}


def params_parse(params: dict[str, Any]) -> dict[str, Any]:
    """Check the query parameters of a dashboard; ``ValidationError`` names the bad one."""
    from django.core.exceptions import ValidationError

    out: dict[str, Any] = {}
    segment = params.get("segment") or "department"
    if segment not in SEGMENT_KINDS:
        raise ValidationError({"segment": f"Use one of {', '.join(SEGMENT_KINDS)}."})
    out["segment"] = segment
    dimension = params.get("dimension") or "department"
    if dimension not in readiness.DIMENSIONS:
        raise ValidationError({"dimension": f"Use one of {', '.join(readiness.DIMENSIONS)}."})
    out["dimension"] = dimension
    weeks = params.get("weeks") or WEEKS
    try:
        out["weeks"] = int(weeks)
    except (TypeError, ValueError):
        raise ValidationError({"weeks": "Give a whole number of weeks from 1 to 52."}) from None
    if not 1 <= out["weeks"] <= 52:
        raise ValidationError({"weeks": "Give a whole number of weeks from 1 to 52."})
    wave = params.get("wave")
    if wave not in (None, ""):
        if not str(wave).isdigit():
            raise ValidationError({"wave": "Give the id of a survey wave."})
        out["wave"] = str(wave)
    return out


def dashboard_for(
    *, key: str, scope: Scope, params: dict[str, Any], today: dt.date | None = None
) -> Dashboard:
    if key == "planned":
        return planned_vs_actual(
            scope=scope, today=today, segment=params.get("segment") or "department"
        )
    if key == "learning":
        return learning_time(scope=scope, today=today, weeks=int(params.get("weeks") or WEEKS))
    if key == "skills":
        return skills(scope=scope)
    if key == "readiness":
        return readiness_view(
            scope=scope,
            today=today,
            wave_id=params.get("wave"),
            dimension=params.get("dimension") or "department",
        )
    if key == "content":
        return content(scope=scope, today=today)
    if key == "personalization":
        return personalization(scope=scope, today=today)
    raise Http404("No such dashboard.")
