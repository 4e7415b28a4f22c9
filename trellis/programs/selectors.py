"""Reads of programs and enrollments, scoped to who is asking.

- L&D admins, executives and auditors (``ORG_READERS``) read every program (only L&D changes them);
- a manager reads and acts on (nudge, extend, exempt) the enrollments of their reporting line;
- a learner reads their own enrollments. Anything else answers 404 (existence not revealed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.core.permissions import ORG_READERS, Role, has_role, roles_for
from trellis.people.selectors import employee_for_user
from trellis.programs import pace
from trellis.programs.audience import audience_queryset
from trellis.programs.completion import evaluate, facts_for, program_specs, with_redone
from trellis.programs.models import Enrollment, MandateBudget, Program, Requirement


def can_read_all(user: Any) -> bool:
    return has_role(user, *ORG_READERS)


def programs_visible_to(user: Any) -> QuerySet[Program]:
    """Every program for org readers; otherwise the non-draft programs the person (or, for a manager,
    their reporting line) is enrolled in."""
    qs = Program.objects.select_related("sponsor", "owner")
    if can_read_all(user):
        return qs
    me = employee_for_user(user)
    if me is None:
        return qs.none()
    people = Q(enrollments__employee=me)
    if Role.MANAGER in roles_for(user):
        people |= Q(enrollments__employee__manager_path__startswith=me.manager_path)
    return qs.exclude(status=Program.Status.DRAFT).filter(people).distinct()


def get_program_for_user(*, user: Any, program_id: int) -> Program:
    try:
        return programs_visible_to(user).get(pk=program_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def enrollments_visible_to(user: Any) -> QuerySet[Enrollment]:
    qs = Enrollment.objects.select_related(
        "program", "employee__department", "employee__job_role", "employee__location"
    )
    if can_read_all(user):
        return qs
    me = employee_for_user(user)
    if me is None:
        return qs.none()
    if Role.MANAGER in roles_for(user):
        return qs.filter(
            Q(employee=me) | Q(employee__manager_path__startswith=me.manager_path)
        ).exclude(program__status=Program.Status.DRAFT)
    return qs.filter(employee=me).exclude(program__status=Program.Status.DRAFT)


def can_manage_enrollment(*, user: Any, enrollment: Enrollment) -> bool:
    """L&D admins, or the learner's manager (any level above them; not for themselves)."""
    if has_role(user, Role.LD_ADMIN):
        return True
    me = employee_for_user(user)
    if me is None or Role.MANAGER not in roles_for(user):
        return False
    employee = enrollment.employee
    return employee.pk != me.pk and employee.manager_path.startswith(me.manager_path)


def get_enrollment_to_manage(*, user: Any, enrollment_id: int) -> Enrollment:
    """An enrollment ``user`` may nudge, extend or exempt; 404 otherwise (even if it exists)."""
    enrollment = (
        Enrollment.objects.select_related("program", "employee").filter(pk=enrollment_id).first()
    )
    if enrollment is None or not can_manage_enrollment(user=user, enrollment=enrollment):
        raise Http404("No such enrollment.")
    return enrollment


def _points(program: Program) -> list[list[int]]:
    if program.pace_points:
        return program.pace_points
    if program.due_policy == Program.DuePolicy.FIXED and program.due_date and program.starts_on:
        return pace.default_points((program.due_date - program.starts_on).days)
    return pace.default_points(program.due_days or 90)


def pace_points(program: Program) -> list[list[int]]:
    """The program's pace plan, or a straight line to the due date when it has none."""
    return _points(program)


# --- the learner ----------------------------------------------------------------------------------


def assigned_to(*, employee: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The learner's current enrollments (latest cycle, active or exempt, active programs): status,
    due date, each requirement with its state, and what is next. A constant number of queries."""
    today = today or timezone.localdate()
    rows = list(
        Enrollment.objects.filter(
            employee=employee,
            state__in=[Enrollment.State.ACTIVE, Enrollment.State.EXEMPT],
            program__status=Program.Status.ACTIVE,
        )
        .select_related("program")
        .order_by("program_id", "-cycle")
    )
    latest: dict[int, Enrollment] = {}
    for e in rows:
        latest.setdefault(e.program_id, e)
    if not latest:
        return []
    specs = program_specs(latest)
    facts = with_redone(
        facts_for(specs=specs, employee_ids=[employee.pk]),
        {employee.pk: {e.starts_on for e in latest.values()}},
    ).get(employee.pk, [])
    requirements = defaultdict(list)
    for r in (
        Requirement.objects.filter(program_id__in=list(latest))
        .select_related("item", "group")
        .order_by("position", "pk")
    ):
        requirements[r.program_id].append(r)
    out: list[dict[str, Any]] = []
    for program_id, e in latest.items():
        outcome = evaluate(spec=specs[program_id], starts_on=e.starts_on, facts=facts)
        reqs = []
        next_req = None
        for r in requirements[program_id]:
            spec = next(s for s in specs[program_id].requirements if s.pk == r.pk)
            touched = any(
                (f.item_id is not None and f.item_id in spec.item_ids)
                or (spec.activity_id is not None and f.activity_id == spec.activity_id)
                for f in facts
            )
            state = "done" if r.pk in outcome.met else ("started" if touched else "todo")
            reqs.append({"requirement": r, "state": state, "met_at": outcome.met.get(r.pk)})
            if (
                next_req is None
                and state != "done"
                and not _group_satisfied(r, outcome.met, requirements[program_id])
            ):
                next_req = r
        status = e.status_on(today)
        out.append(
            {
                "enrollment": e,
                "program": e.program,
                "status": status,
                "status_label": Enrollment.Status(status).label,
                "risk": pace.risk(
                    status=status,
                    today=today,
                    starts_on=e.starts_on,
                    due_on=e.due_on,
                    started=e.started_at is not None,
                ),
                "days_left": (e.due_on - today).days,
                "requirements": reqs,
                "next": next_req if status not in ("completed", "exempt") else None,
                "done": outcome.done_count,
                "total": specs[program_id].total,
            }
        )
    out.sort(key=lambda r: (r["status"] in ("completed", "exempt"), r["enrollment"].due_on))
    return out


def learner_digest_facts(employee: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """For the learner's weekly digest: their open enrollments (latest cycle, active programs) that
    are overdue or due within ``pace.AT_RISK_DAYS`` days. ``{"overdue": n, "overdue_names": [...],
    "due_soon": n, "due_soon_names": [...]}``; names as "Program (due Friday 4 December 2026)",
    soonest first. Completed and exempt ones are left out. One query."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=pace.AT_RISK_DAYS)
    latest: dict[int, tuple[int, str, dt.date, dt.datetime | None]] = {}
    for program_id, cycle, name, due_on, completed_at in (
        Enrollment.objects.filter(
            employee=employee,
            state=Enrollment.State.ACTIVE,
            program__status=Program.Status.ACTIVE,
        )
        .order_by("program_id", "cycle")
        .values_list("program_id", "cycle", "program__name", "due_on", "completed_at")
    ):
        latest[program_id] = (cycle, name, due_on, completed_at)  # the latest cycle wins
    open_ = sorted(
        (due_on, name) for _, name, due_on, completed_at in latest.values() if completed_at is None
    )
    overdue = [f"{name} (was due {_day(due_on)})" for due_on, name in open_ if due_on < today]
    soon = [f"{name} (due {_day(due_on)})" for due_on, name in open_ if today <= due_on <= horizon]
    return {
        "overdue": len(overdue),
        "overdue_names": overdue,
        "due_soon": len(soon),
        "due_soon_names": soon,
    }


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _group_satisfied(r: Requirement, met: dict[int, Any], reqs: list[Requirement]) -> bool:
    if r.group_id is None:
        return False
    done = sum(1 for o in reqs if o.group_id == r.group_id and o.pk in met)
    return done >= r.group.required_count  # type: ignore[union-attr]


# --- the manager ----------------------------------------------------------------------------------


def team_rows(*, manager: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per person of the manager's reporting line and program (latest cycle; active
    programs), with on track / at risk / overdue. Two queries."""
    today = today or timezone.localdate()
    qs = (
        Enrollment.objects.filter(
            employee__manager_path__startswith=manager.manager_path,
            employee__is_active=True,
            program__status=Program.Status.ACTIVE,
            state__in=[Enrollment.State.ACTIVE, Enrollment.State.EXEMPT],
        )
        .exclude(employee=manager)
        .select_related("program", "employee__manager", "employee__department")
        .order_by("employee__full_name", "program__name", "-cycle")
    )
    seen: set[tuple[int, int]] = set()
    rows = []
    for e in qs:
        if (e.employee_id, e.program_id) in seen:
            continue
        seen.add((e.employee_id, e.program_id))
        status = e.status_on(today)
        risk = pace.risk(
            status=status,
            today=today,
            starts_on=e.starts_on,
            due_on=e.due_on,
            started=e.started_at is not None,
        )
        rows.append(
            {
                "enrollment": e,
                "status": status,
                "risk": risk,
                "risk_label": pace.RISK_LABELS[risk],
                "direct": e.employee.manager_id == manager.pk,
                "days_left": (e.due_on - today).days,
                "open": status not in ("completed", "exempt"),
            }
        )
    order = {"overdue": 0, "at_risk": 1, "on_track": 2, "exempt": 3, "completed": 4}
    rows.sort(key=lambda r: (order.get(r["risk"], 5), r["enrollment"].employee.full_name))
    return rows


def team_digest_facts(manager: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """For the manager's weekly digest: overdue and due-soon (within 7 days) counts and names in their
    reporting line. ``{"overdue": n, "overdue_names": [...], "due_soon": n, "due_soon_names":
    [...], "at_risk": n}`` (names as "Person — Program", sorted)."""
    rows = team_rows(manager=manager, today=today)
    overdue = sorted(
        f"{r['enrollment'].employee.full_name} — {r['enrollment'].program.name}"
        for r in rows
        if r["risk"] == "overdue"
    )
    soon = sorted(
        f"{r['enrollment'].employee.full_name} — {r['enrollment'].program.name}"
        for r in rows
        if r["open"] and r["risk"] != "overdue" and 0 <= r["days_left"] <= pace.AT_RISK_DAYS
    )
    return {
        "overdue": len(overdue),
        "overdue_names": overdue,
        "due_soon": len(soon),
        "due_soon_names": soon,
        "at_risk": sum(1 for r in rows if r["risk"] == "at_risk"),
    }


# --- L&D: preview, budget, dashboard --------------------------------------------------------------


def audience_preview(*, program: Program, sample: int = 20) -> dict[str, Any]:
    """Who the rules select now: total, counts by department, job role and location, a sample."""
    qs = audience_queryset(program)
    rows = list(
        qs.values_list(
            "pk", "full_name", "department__name", "job_role__title", "location__name"
        ).order_by("full_name")
    )
    by = {
        "department": Counter(r[2] or "—" for r in rows),
        "job_role": Counter(r[3] or "—" for r in rows),
        "location": Counter(r[4] or "—" for r in rows),
    }
    return {
        "total": len(rows),
        "by": {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in by.items()},
        "sample": [r[1] for r in rows[:sample]],
    }


def _work(program_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each program's mandated work per learner: {work key: minutes}. Items are keyed by item (so
    the same item in two programs counts once); of an elective group, the K shortest count."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    groups: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    ks: dict[tuple[int, int], int] = {}
    for r in Requirement.objects.filter(program_id__in=program_ids).select_related("item", "group"):
        key = f"item:{r.item_id}" if r.item_id else f"policy:{r.pk}"
        if r.group_id is None:
            out[r.program_id][key] = r.effort
        else:
            groups[(r.program_id, r.group_id)].append((key, r.effort))
            ks[(r.program_id, r.group_id)] = r.group.required_count  # type: ignore[union-attr]
    for (pid, gid), members in groups.items():
        for key, minutes in sorted(members, key=lambda m: (m[1], m[0]))[: ks[(pid, gid)]]:
            out[pid][key] = minutes
    return out


def _quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, end - dt.timedelta(days=1)


def budget_check(*, program: Program, today: dt.date | None = None) -> list[Any]:
    """Who activating ``program`` would push over their role's quarterly mandate cap, by how much.

    A learner's mandated load in a quarter is the work of every active enrollment (not withdrawn or
    exempt) of an active program due in that quarter, plus this program's; the same item required
    by two programs counts once. Caps: ``MandateBudget`` of the person's job role, else the default
    (no role). A constant number of queries."""
    from trellis.programs.services import Overrun, due_on_for

    today = today or timezone.localdate()
    caps_by_role = {b.job_role_id: float(b.hours_per_quarter) for b in MandateBudget.objects.all()}
    if not caps_by_role:
        return []
    due = due_on_for(program, starts_on=program.starts_on or today)
    quarter = pace.quarter_of(due)
    q_start, q_end = _quarter_bounds(due)
    people = {
        pk: (name, role_id, role or "—")
        for pk, name, role_id, role in audience_queryset(program).values_list(
            "pk", "full_name", "job_role_id", "job_role__title"
        )
    }
    others = list(
        Enrollment.objects.filter(
            state=Enrollment.State.ACTIVE,
            program__status=Program.Status.ACTIVE,
            due_on__gte=q_start,
            due_on__lte=q_end,
        )
        .exclude(program=program)
        .values_list("employee_id", "program_id")
    )
    work = _work([program.pk, *{p for _, p in others}])
    loads: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for employee_id, program_id in others:
        if employee_id in people:
            loads[employee_id][quarter].update(work.get(program_id, {}))
    mine = work.get(program.pk, {})
    new_load = {pk: {quarter: mine} for pk in people}
    default = caps_by_role.get(None)
    caps = {pk: caps_by_role.get(role_id, default) for pk, (_, role_id, _) in people.items()}
    return [
        Overrun(
            employee_id=pk,
            name=people[pk][0],
            job_role=people[pk][2],
            quarter=q,
            hours_before=before,
            hours_after=after,
            cap=cap,
        )
        for pk, q, before, after, cap in pace.budget_overruns(
            loads=loads, new_load=new_load, caps=caps
        )
    ]


def pace_rows(program: Program, *, employee_ids: Iterable[int] | None = None) -> list[pace.PaceRow]:
    """One ``pace.PaceRow`` per person with an active enrollment (their latest cycle), with their
    department, job role, location and manager segments; ``employee_ids`` narrows it (a manager's
    line). The program page and the insights dashboards both start from these rows."""
    qs = Enrollment.objects.filter(program=program, state=Enrollment.State.ACTIVE)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    seen: set[int] = set()
    rows = []
    for (
        employee_id,
        name,
        starts_on,
        completed_at,
        manager_id,
        manager_name,
        dept_id,
        dept,
        role_id,
        role,
        loc_id,
        loc,
    ) in qs.order_by("employee_id", "-cycle").values_list(
        "employee_id",
        "employee__full_name",
        "starts_on",
        "completed_at",
        "employee__manager_id",
        "employee__manager__full_name",
        "employee__department_id",
        "employee__department__name",
        "employee__job_role_id",
        "employee__job_role__title",
        "employee__location_id",
        "employee__location__name",
    ):
        if employee_id in seen:
            continue
        seen.add(employee_id)
        rows.append(
            pace.PaceRow(
                employee_id=employee_id,
                name=name,
                starts_on=starts_on,
                completed_on=timezone.localdate(completed_at) if completed_at else None,
                manager_id=manager_id,
                manager_name=manager_name or "",
                segments={
                    "department": (str(dept_id or ""), dept or "—"),
                    "job_role": (str(role_id or ""), role or "—"),
                    "location": (str(loc_id or ""), loc or "—"),
                    "manager": (str(manager_id or ""), manager_name or "No manager"),
                },
            )
        )
    return rows


def program_dashboard(*, program: Program, today: dt.date | None = None) -> dict[str, Any]:
    """The program page: funnel, planned vs actual (overall, curve, segments with their drivers)."""
    today = today or timezone.localdate()
    counts = Counter(Enrollment.objects.filter(program=program).values_list("state", flat=True))
    started = Enrollment.objects.filter(program=program, state=Enrollment.State.ACTIVE).filter(
        Q(started_at__isnull=False) | Q(completed_at__isnull=False)
    )
    rows = pace_rows(program)
    points = _points(program)
    overall = pace.gap_for(rows, points, today)
    overdue = Enrollment.objects.filter(
        program=program, state=Enrollment.State.ACTIVE, completed_at__isnull=True, due_on__lt=today
    ).count()
    start = program.starts_on or today
    end_candidates = [e for e in [program.due_date] if e] + [
        start + dt.timedelta(days=int(points[-1][0]) if points else 90)
    ]
    end = min(max(end_candidates), today) if today > start else start + dt.timedelta(days=1)
    return {
        "funnel": {
            "enrolled": counts.get(Enrollment.State.ACTIVE, 0),
            "started": started.count(),
            "completed": overall.completed,
            "overdue": overdue,
            "exempt": counts.get(Enrollment.State.EXEMPT, 0),
            "withdrawn": counts.get(Enrollment.State.WITHDRAWN, 0),
        },
        "overall": overall,
        "points": points,
        "curve": pace.curve(rows, points, start=start, end=end) if rows else [],
        "segments": {
            kind: pace.segments(rows, points, today, kind=kind)
            for kind in ("department", "job_role", "location")
        },
        "drivers": pace.drivers(rows, points, today, limit=10),
        "teams": pace.teams(rows, points, today, limit=10),
        "today": today,
    }


def program_enrollments(*, program: Program) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(program=program)
        .select_related(
            "employee__department", "employee__job_role", "employee__location", "employee__manager"
        )
        .order_by("employee__full_name", "cycle")
    )


def mandate_budgets() -> QuerySet[MandateBudget]:
    return MandateBudget.objects.select_related("job_role")


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))
