"""Reads of governance: policies for a person, acknowledgement figures (planned vs actual), the
ownership registry with its gaps and clarity score, the AI systems, and the audit search."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date

from trellis.core.models import AuditEvent
from trellis.core.permissions import ORG_READERS, has_role
from trellis.governance.models import (
    AISystem,
    OwnershipArea,
    OwnershipAssignment,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
)
from trellis.people.models import Employee
from trellis.programs.audience import audience_queryset

logger = logging.getLogger(__name__)


def current_version(policy: Policy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()


def _current_versions(policies: Iterable[Policy]) -> dict[int, PolicyVersion]:
    ids = [p.pk for p in policies]
    out: dict[int, PolicyVersion] = {}
    for v in PolicyVersion.objects.filter(policy_id__in=ids).order_by("policy_id", "number"):
        out[v.policy_id] = v  # the highest number wins
    return out


def planned_share(*, start: dt.date, due: dt.date, today: dt.date) -> float:
    """The share the plan expects acknowledged by ``today``: a straight line from the start (0) to
    the due date (1)."""
    if today >= due:
        return 1.0
    if today <= start:
        return 0.0
    return (today - start).days / max((due - start).days, 1)


def policy_people_rows(
    *,
    policy: Policy,
    version: PolicyVersion,
    today: dt.date,
    employee_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """One row per person in the audience: their due date, acknowledgement of the current
    version, status and planned share by ``today`` (two queries)."""
    people = audience_queryset(policy)
    if employee_ids is not None:
        people = people.filter(pk__in=list(employee_ids))
    acked = dict(
        PolicyAcknowledgement.objects.filter(version=version).values_list(
            "employee_id", "acknowledged_at"
        )
    )
    rows = []
    published = version.published_at.date()
    for pk, name, hire, dept_id, dept in people.values_list(
        "pk", "full_name", "hire_date", "department_id", "department__name"
    ).order_by("full_name", "pk"):
        start = hire if hire is not None and hire > published else published
        due = start + dt.timedelta(days=policy.due_days)
        at = acked.get(pk)
        status = "acknowledged" if at else ("overdue" if due < today else "to_do")
        rows.append(
            {
                "employee_id": pk,
                "name": name,
                "department_id": dept_id,
                "department": dept or "—",
                "due_on": due,
                "acknowledged_at": at,
                "status": status,
                "planned": planned_share(start=start, due=due, today=today),
            }
        )
    return rows


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    acknowledged = sum(r["status"] == "acknowledged" for r in rows)
    overdue = sum(r["status"] == "overdue" for r in rows)
    planned = sum(r["planned"] for r in rows) / n if n else 0.0
    actual = acknowledged / n if n else 0.0
    return {
        "audience": n,
        "acknowledged": acknowledged,
        "overdue": overdue,
        "to_do": n - acknowledged - overdue,
        "acknowledged_share": round(actual, 3),
        "planned_share": round(planned, 3),
        "gap_points": round((actual - planned) * 100),
    }


def policy_dashboard(
    *, policy: Policy, today: dt.date | None = None, employee_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """Completion and planned vs actual of the current version, overall and by department (worst
    gap first)."""
    today = today or timezone.localdate()
    version = current_version(policy)
    if version is None:
        return {"version": None, "overall": _figures([]), "departments": [], "rows": []}
    rows = policy_people_rows(
        policy=policy, version=version, today=today, employee_ids=employee_ids
    )
    by_dept: dict[tuple[Any, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_dept[(r["department_id"], r["department"])].append(r)
    departments = [
        {"department_id": key[0], "department": key[1], **_figures(group)}
        for key, group in by_dept.items()
    ]
    departments.sort(key=lambda d: (d["gap_points"], d["department"]))
    return {
        "version": version,
        "overall": _figures(rows),
        "departments": departments,
        "rows": rows,
    }


def acknowledgement_summary(
    *,
    policy_id: int | None = None,
    employee_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """For insights: per published policy, its current version and ``audience``, ``acknowledged``,
    ``overdue``, ``acknowledged_share``, ``planned_share`` and ``by_department`` (the same figures
    per department). ``employee_ids`` limits the people counted (a manager's reporting line)."""
    today = today or timezone.localdate()
    ids = list(employee_ids) if employee_ids is not None else None
    policies = Policy.objects.filter(status=Policy.Status.PUBLISHED)
    if policy_id is not None:
        policies = policies.filter(pk=policy_id)
    out = []
    for policy in policies.order_by("kind", "title", "pk"):
        d = policy_dashboard(policy=policy, today=today, employee_ids=ids)
        version = d["version"]
        if version is None:
            continue
        out.append(
            {
                "policy_id": policy.pk,
                "title": policy.title,
                "kind": policy.kind,
                "version": version.number,
                "published_on": version.published_at.date(),
                "due_days": policy.due_days,
                **d["overall"],
                "by_department": [
                    {k: v for k, v in dep.items() if k != "gap_points"}
                    | {"gap_points": dep["gap_points"]}
                    for dep in sorted(d["departments"], key=lambda x: x["department"])
                ],
            }
        )
    return out


def policies_for_employee(
    *, employee: Employee, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The published documents whose audience includes ``employee``, with what they must do."""
    today = today or timezone.localdate()
    policies = list(Policy.objects.filter(status=Policy.Status.PUBLISHED).select_related("sponsor"))
    versions = _current_versions(policies)
    acks = {
        (a.policy_id, a.version_id): a.acknowledged_at
        for a in PolicyAcknowledgement.objects.filter(employee=employee)
    }
    out: list[dict[str, Any]] = []
    for policy in policies:
        version = versions.get(policy.pk)
        if version is None or not audience_queryset(policy).filter(pk=employee.pk).exists():
            continue
        due = version.due_for(hire_date=employee.hire_date, due_days=policy.due_days)
        at = acks.get((policy.pk, version.pk))
        previous = any(pid == policy.pk and vid != version.pk for pid, vid in acks)
        status = "acknowledged" if at else ("overdue" if due < today else "to_do")
        out.append(
            {
                "policy": policy,
                "version": version,
                "due_on": due,
                "acknowledged_at": at,
                "acknowledged_earlier_version": previous and not at,
                "status": status,
                "days_left": (due - today).days,
            }
        )
    order = {"overdue": 0, "to_do": 1, "acknowledged": 2}
    out.sort(key=lambda r: (order[r["status"]], r["due_on"], r["policy"].title))
    return out


def policies_list() -> QuerySet[Policy]:
    return Policy.objects.select_related("sponsor").prefetch_related("versions")


def team_ids(*, user: Any) -> list[int]:
    """The active people of ``user``'s reporting line (empty unless they manage someone)."""
    from trellis.core.permissions import Role
    from trellis.people.selectors import reporting_line

    employee = getattr(user, "employee", None)
    if employee is None or not has_role(user, Role.MANAGER):
        return []
    return list(reporting_line(manager=employee).values_list("pk", flat=True))


def get_policy_for_user(*, user: Any, policy_id: int) -> Policy:
    """Org readers see every policy; anyone else a published one whose audience includes them or,
    for a manager, someone of their reporting line. Otherwise 404 (existence is not revealed)."""
    policy = Policy.objects.select_related("sponsor").filter(pk=policy_id).first()
    if policy is None:
        raise Http404("No such document.")
    if has_role(user, *ORG_READERS):
        return policy
    employee = getattr(user, "employee", None)
    if policy.status == Policy.Status.PUBLISHED and employee is not None:
        allowed = [employee.pk, *team_ids(user=user)]
        if audience_queryset(policy).filter(pk__in=allowed).exists():
            return policy
    raise Http404("No such document.")


# --- ownership ---------------------------------------------------------------------------------------


def ownership_clarity() -> dict[str, Any] | None:
    """The survey's ownership clarity (``trellis.surveys.selectors.ownership_clarity``), or None when
    the surveys app does not provide it yet or there is no answered wave."""
    try:
        from trellis.surveys.selectors import ownership_clarity as survey_clarity
    except ImportError:
        return None
    try:
        result = survey_clarity()
    except Exception:  # a broken survey read must not break the registry page
        logger.exception("ownership_clarity failed")
        return None
    return result or None


def ownership_registry() -> dict[str, Any]:
    """Areas with their people per RACI role, and the gaps: areas with nobody accountable or
    nobody responsible, and people named who have left."""
    areas = list(OwnershipArea.objects.all())
    assignments = OwnershipAssignment.objects.select_related(
        "employee", "employee__department", "employee__job_role"
    ).order_by("area_id", "role", "employee__full_name")
    by_area: dict[int, dict[str, list[OwnershipAssignment]]] = defaultdict(
        lambda: {role: [] for role in OwnershipAssignment.Role.values}
    )
    for a in assignments:
        by_area[a.area_id][a.role].append(a)
    rows = []
    gaps = []
    for area in areas:
        roles = by_area[area.pk]
        left = [a for people in roles.values() for a in people if not a.employee.is_active]
        accountable = [a for a in roles["A"] if a.employee.is_active]
        problems = []
        if not accountable:
            problems.append("nobody accountable")
        if not [a for a in roles["R"] if a.employee.is_active]:
            problems.append("nobody responsible")
        for a in left:
            problems.append(f"{a.employee.full_name} ({a.get_role_display().lower()}) has left")
        row = {
            "area": area,
            "responsible": roles["R"],
            "accountable": roles["A"],
            "consulted": roles["C"],
            "informed": roles["I"],
            "problems": problems,
        }
        rows.append(row)
        if problems:
            gaps.append(row)
    return {"areas": rows, "gaps": gaps}


# --- AI systems ----------------------------------------------------------------------------------------


def ai_systems_list() -> QuerySet[AISystem]:
    return AISystem.objects.select_related("owner", "owner__department").exclude(
        status=AISystem.Status.RETIRED
    )


# --- audit --------------------------------------------------------------------------------------------


def audit_search(filters: dict[str, str]) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    """Audit entries matching ``filters`` (``actor``: username or name contains; ``code``: prefix;
    ``target``: ``type``, ``type:id`` or an id; ``date_from``/``date_to``: inclusive days;
    ``q``: free text in the data), newest first, and the errors of bad filters by field."""
    events = AuditEvent.objects.select_related("actor")
    errors: dict[str, str] = {}
    actor = filters.get("actor", "").strip()
    if actor:
        if actor.lower() == "system":
            events = events.filter(actor__isnull=True)
        else:
            events = events.filter(
                Q(actor__username__iexact=actor)
                | Q(actor__first_name__icontains=actor)
                | Q(actor__last_name__icontains=actor)
                | Q(actor__employee__full_name__icontains=actor)
            )
    code = filters.get("code", "").strip()
    if code:
        events = events.filter(code__startswith=code)
    target = filters.get("target", "").strip()
    if target:
        kind, sep, pk = target.partition(":")
        if sep:
            events = events.filter(target_type=kind.strip().lower(), target_id=pk.strip())
        elif "." in target:
            events = events.filter(target_type=target.lower())
        else:
            events = events.filter(target_id=target)
    for name, lookup in (("date_from", "at__date__gte"), ("date_to", "at__date__lte")):
        value = filters.get(name, "").strip()
        if value:
            day = parse_date(value) if len(value) == 10 else None
            if day is None:
                errors[name] = "Give a date as YYYY-MM-DD."
            else:
                events = events.filter(**{lookup: day})
    q = filters.get("q", "").strip()
    if q:
        events = events.filter(data__icontains=q)
    return events, errors


def before_after(data: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, before, after)`` rows when an entry's data holds them: ``{"before": {...}, "after":
    {...}}`` or ``{field: [old, new]}`` (the people and programs services' diffs)."""
    if not isinstance(data, dict):
        return []
    before, after = data.get("before"), data.get("after")
    if isinstance(before, dict) or isinstance(after, dict):
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        return [(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))]
    return [
        (k, v[0], v[1])
        for k, v in sorted(data.items())
        if isinstance(v, list) and len(v) == 2 and k not in {"rules", "employees"}
    ]
