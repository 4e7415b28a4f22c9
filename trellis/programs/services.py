"""Every change to programs and enrollments goes through one of these functions.

Audience changes are bulk set operations (ids in, ids out; multi-row inserts), so enrolling 10,000
people takes a handful of queries. Every enrollment change is written to ``EnrollmentEvent`` with its
reason (and the actor); exemptions, extensions, activation and closing also go to the audit log.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.core.bulk import insert_rows_many
from trellis.core.services import audit_log
from trellis.programs import reminders
from trellis.programs.audience import audience_ids, audience_rules_write
from trellis.programs.completion import enrollments_recompute
from trellis.programs.models import (
    AudienceRule,
    CreditRule,
    Enrollment,
    EnrollmentEvent,
    Exemption,
    Extension,
    MandateBudget,
    Program,
    Requirement,
    RequirementGroup,
)

logger = logging.getLogger(__name__)

PROGRAM_FIELDS = (
    "name",
    "objective",
    "category",
    "sponsor",
    "owner",
    "mandatory",
    "planned_hours",
    "pace_points",
    "starts_on",
    "due_policy",
    "due_date",
    "due_days",
    "recurrence_months",
    "renewal_window_days",
    "reminder_days",
    "escalation_days",
)
ACKNOWLEDGED = ("https://w3id.org/xapi/adl/verbs/acknowledged", "acknowledged")


def _actor_id(actor: Any) -> int | None:
    return actor.pk if getattr(actor, "pk", None) else None


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now or timezone.now())


def _check_pace(points: Any) -> list[list[int]]:
    try:
        clean = sorted([int(d), int(p)] for d, p in (points or []))
    except (TypeError, ValueError):
        raise ValidationError(
            {"pace_points": "Give pace points as pairs of (day, percent)."}
        ) from None
    if any(d < 0 or not 0 <= p <= 100 for d, p in clean):
        raise ValidationError(
            {"pace_points": "Days must be 0 or more and percentages between 0 and 100."}
        )
    if any(b[1] < a[1] for a, b in itertools.pairwise(clean)):
        raise ValidationError({"pace_points": "The planned share cannot go down over time."})
    return clean


# --- programs -----------------------------------------------------------------------------------


@transaction.atomic
def program_create(*, actor: Any, name: str, **fields: Any) -> Program:
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"program_create() got unknown fields {sorted(unknown)}")
    if not name.strip():
        raise ValidationError({"name": "Give the program a name."})
    fields["pace_points"] = _check_pace(fields.get("pace_points"))
    fields.setdefault("reminder_days", [7, 1])
    program = Program(name=name.strip(), **fields)
    program.full_clean(exclude=["sponsor", "owner"])
    program.save()
    audit_log(actor=actor, code="trellis.program.created", target=program, data={"name": name})
    return program


@transaction.atomic
def program_update(*, actor: Any, program: Program, **fields: Any) -> Program:
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"program_update() got unknown fields {sorted(unknown)}")
    if program.status == Program.Status.CLOSED:
        raise ValidationError("A closed program cannot be changed.")
    if "pace_points" in fields:
        fields["pace_points"] = _check_pace(fields["pace_points"])
    diff = {}
    for name, value in fields.items():
        old = getattr(program, name)
        if old != value:
            diff[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(program, name, value)
    if not diff:
        return program
    program.full_clean(exclude=["sponsor", "owner"])
    program.save()
    audit_log(
        actor=actor,
        code="trellis.program.updated",
        target=program,
        data={k: [str(a), str(b)] for k, (a, b) in diff.items()},
    )
    return program


@transaction.atomic
def audience_set(
    *,
    actor: Any,
    program: Program,
    rules: list[dict[str, Any]],
    include: Iterable[Any] = (),
    exclude: Iterable[Any] = (),
) -> Program:
    """Replace the program's audience rules and lists. Each rule: departments, job_roles, locations,
    groups, managers (lists of objects) and hired_from / hired_to (dates); see ``audience.py``."""
    program.rules.all().delete()
    audience_rules_write(
        rules, create=lambda **dates: AudienceRule.objects.create(program=program, **dates)
    )
    program.included.set(list(include))
    program.excluded.set(list(exclude))
    audit_log(
        actor=actor,
        code="trellis.program.audience_set",
        target=program,
        data={
            "rules": len(rules),
            "include": sorted(e.pk for e in program.included.all()),
            "exclude": sorted(e.pk for e in program.excluded.all()),
        },
    )
    if program.status == Program.Status.ACTIVE:
        program_sync_audience(program=program, actor=actor, reason="audience rules changed")
    return program


@transaction.atomic
def requirement_group_add(*, actor: Any, program: Program, name: str, required_count: int) -> Any:
    if required_count < 1:
        raise ValidationError({"required_count": "At least 1."})
    group = RequirementGroup.objects.create(
        program=program, name=name.strip() or "Electives", required_count=required_count
    )
    audit_log(
        actor=actor,
        code="trellis.program.requirement_group_added",
        target=program,
        data={"group": group.pk, "name": group.name, "required_count": required_count},
    )
    return group


@transaction.atomic
def requirement_add(
    *,
    actor: Any,
    program: Program,
    item: Any = None,
    title: str = "",
    body: str = "",
    min_score: float | None = None,
    group: RequirementGroup | None = None,
    effort_minutes: int | None = None,
) -> Requirement:
    """A catalog item to complete, or (without ``item``) a policy to acknowledge."""
    if min_score is not None and not 0 <= min_score <= 1:
        raise ValidationError({"min_score": "A scaled score between 0 and 1 (0.8 for 80 %)."})
    if item is None and not title.strip():
        raise ValidationError({"title": "Name the policy to acknowledge (or choose an item)."})
    if group is not None and group.program_id != program.pk:
        raise ValidationError({"group": "That group belongs to another program."})
    kind = Requirement.Kind.ITEM if item is not None else Requirement.Kind.ACKNOWLEDGEMENT
    requirement = Requirement.objects.create(
        program=program,
        kind=kind,
        item=item,
        title=title.strip(),
        body=body.strip(),
        min_score=min_score,
        group=group,
        effort_minutes=effort_minutes,
        position=program.requirements.count(),
    )
    audit_log(
        actor=actor,
        code="trellis.program.requirement_added",
        target=program,
        data={"requirement": requirement.pk, "kind": kind, "item": item.pk if item else None},
    )
    if program.status == Program.Status.ACTIVE:
        enrollments_recompute(program_ids=[program.pk])
    return requirement


@transaction.atomic
def credit_rule_add(
    *, actor: Any, requirement: Requirement, item: Any = None, months: int | None = None
) -> CreditRule:
    """An equivalent ``item`` counts for the requirement, or (``months``) a completion up to that many
    months before the cycle started counts."""
    if (item is None) == (months is None):
        raise ValidationError("Give either an equivalent item or a number of months.")
    if months is not None and months < 1:
        raise ValidationError({"months": "At least one month."})
    rule = CreditRule.objects.create(
        requirement=requirement,
        kind=CreditRule.Kind.EQUIVALENT if item is not None else CreditRule.Kind.EARLIER,
        item=item,
        months=months,
    )
    audit_log(
        actor=actor,
        code="trellis.program.credit_rule_added",
        target=requirement.program,
        data={"requirement": requirement.pk, "kind": rule.kind, "months": months},
    )
    if requirement.program.status == Program.Status.ACTIVE:
        enrollments_recompute(program_ids=[requirement.program_id])
    return rule


def due_on_for(program: Program, *, starts_on: dt.date) -> dt.date:
    if program.due_policy == Program.DuePolicy.FIXED and program.due_date:
        return program.due_date
    return starts_on + dt.timedelta(days=program.due_days or 90)


# --- mandate budget -----------------------------------------------------------------------------


@dataclass
class Overrun:
    employee_id: int
    name: str
    job_role: str
    quarter: str
    hours_before: float
    hours_after: float
    cap: float

    @property
    def over_by(self) -> float:
        return round(self.hours_after - self.cap, 2)


class OverBudget(Exception):
    def __init__(self, overruns: list[Overrun]) -> None:
        super().__init__(f"{len(overruns)} people would go over their mandate budget")
        self.overruns = overruns


@transaction.atomic
def mandate_budget_set(*, actor: Any, job_role: Any, hours_per_quarter: Decimal | float) -> Any:
    """Cap mandated hours per quarter for ``job_role`` (None: every role without its own cap)."""
    hours = Decimal(str(hours_per_quarter))
    if hours < 0:
        raise ValidationError({"hours_per_quarter": "Hours cannot be negative."})
    budget, _ = MandateBudget.objects.update_or_create(
        job_role=job_role, defaults={"hours_per_quarter": hours}
    )
    audit_log(
        actor=actor,
        code="trellis.program.budget_set",
        target=budget,
        data={"job_role": getattr(job_role, "pk", None), "hours": str(hours)},
    )
    return budget


# --- audience sync --------------------------------------------------------------------------------


@dataclass
class SyncResult:
    enrolled: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    reenrolled: list[int] = field(default_factory=list)


def _current(program: Program, employee_ids: list[int] | None) -> dict[int, Enrollment]:
    """Each person's latest-cycle enrollment in ``program``."""
    qs = Enrollment.objects.filter(program=program).only(
        "pk", "employee_id", "cycle", "state", "completed_at", "due_on", "starts_on", "expires_on"
    )
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    out: dict[int, Enrollment] = {}
    for e in qs.order_by("employee_id", "cycle"):
        out[e.employee_id] = e
    return out


#: (program, employee, cycle, state, enrolled_at, starts_on, due_on)
EnrollmentRow = tuple[int, int, int, str, dt.datetime, dt.date, dt.date]
#: (enrollment, kind, reason, actor, at, data)
EventRow = tuple[int, str, str, int | None, dt.datetime, dict[str, Any]]


def _enrollments_insert(rows: list[EnrollmentRow], *, now: dt.datetime) -> dict[int, int]:
    """Insert enrollments given as (program, employee, cycle, state, enrolled_at, starts_on,
    due_on), one employee per row; returns {employee id: enrollment id}. Multi-row ``INSERT …
    RETURNING`` (a few statements for 10,000 rows; ``bulk_create`` built them slowly in Python)."""
    returned = insert_rows_many(
        Enrollment,
        [
            "program",
            "employee",
            "cycle",
            "state",
            "enrolled_at",
            "starts_on",
            "due_on",
            "done_count",
            "updated_at",
        ],
        [(*row, 0, now) for row in rows],
        returning=["id", "employee"],
    )
    return {employee_id: pk for pk, employee_id in returned}


def events_insert(rows: list[EventRow]) -> None:
    """Insert enrollment events given as (enrollment, kind, reason, actor, at, data) in bulk."""
    insert_rows_many(EnrollmentEvent, ["enrollment", "kind", "reason", "actor", "at", "data"], rows)


@transaction.atomic
def program_sync_audience(
    *,
    program: Program,
    reason: str,
    actor: Any = None,
    employee_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> SyncResult:
    """Bring enrollments in line with the audience (only ``employee_ids`` when given): people the rules
    select are enrolled (or re-enrolled), people they no longer select are withdrawn. Logged with
    ``reason``."""
    result = SyncResult()
    if program.status != Program.Status.ACTIVE:
        return result
    now = now or timezone.now()
    today = _today(now)
    among = sorted(set(employee_ids)) if employee_ids is not None else None
    wanted = audience_ids(program, among=among)
    current = _current(program, among)
    in_program = {
        pk
        for pk, e in current.items()
        if e.state in (Enrollment.State.ACTIVE, Enrollment.State.EXEMPT)
    }
    new_ids = sorted(wanted - set(current))
    back = sorted(pk for pk in wanted & set(current) if pk not in in_program)
    gone = sorted(in_program - wanted)
    actor_id = _actor_id(actor)
    due = due_on_for(program, starts_on=today)
    pk_of = _enrollments_insert(
        [(program.pk, pk, 1, Enrollment.State.ACTIVE, now, today, due) for pk in new_ids], now=now
    )
    enrolled = [(pk_of[pk], pk, due, 1) for pk in new_ids]  # (enrollment, employee, due, cycle)
    events: list[EventRow] = [
        (e, EnrollmentEvent.Kind.ENROLLED, reason, actor_id, now, {"due_on": due.isoformat()})
        for e, _, _, _ in enrolled
    ]
    if back:
        back_rows = [current[pk] for pk in back]
        for e in back_rows:
            e.state, e.enrolled_at, e.starts_on = Enrollment.State.ACTIVE, now, today
            e.due_on = due_on_for(program, starts_on=today)
        Enrollment.objects.bulk_update(back_rows, ["state", "enrolled_at", "starts_on", "due_on"])
        enrolled += [(e.pk, e.employee_id, e.due_on, e.cycle) for e in back_rows]
        events += [
            (
                e.pk,
                EnrollmentEvent.Kind.ENROLLED,
                reason,
                actor_id,
                now,
                {"due_on": e.due_on.isoformat(), "re_enrolled": True},
            )
            for e in back_rows
        ]
    if gone:
        gone_pks = [current[pk].pk for pk in gone]
        Enrollment.objects.filter(pk__in=gone_pks).update(state=Enrollment.State.WITHDRAWN)
        events += [
            (pk, EnrollmentEvent.Kind.WITHDRAWN, reason, actor_id, now, {}) for pk in gone_pks
        ]
    if among is not None:
        # the people looked at who stay in the program were re-evaluated, with the reason
        stay = sorted((set(among) & in_program) & wanted)
        events += [
            (
                current[pk].pk,
                EnrollmentEvent.Kind.RE_EVALUATED,
                reason,
                actor_id,
                now,
                {"kept": True},
            )
            for pk in stay
        ]
    events_insert(events)
    result.enrolled, result.reenrolled, result.withdrawn = new_ids, back, gone
    if new_ids or back or gone:
        audit_log(
            actor=actor,
            code="trellis.program.audience_synced",
            target=program,
            data={
                "reason": reason,
                "enrolled": len(new_ids),
                "re_enrolled": len(back),
                "withdrawn": len(gone),
            },
        )
        if new_ids or back:
            enrollments_recompute(employee_ids=[*new_ids, *back], program_ids=[program.pk])
        if notify and (new_ids or back):
            reminders.send_for_enrollments(
                program=program,
                enrollments=enrolled,
                launched=reason == "program activated",
                now=now,
            )
    return result


def people_changed(employee_ids: list[int], reason: str) -> dict[str, int]:
    """The people hook: these people joined, moved, left or changed groups; re-evaluate them in every
    active program (each program in its own transaction)."""
    totals = {"enrolled": 0, "withdrawn": 0}
    for program in Program.objects.filter(status=Program.Status.ACTIVE).order_by("pk"):
        result = program_sync_audience(program=program, reason=reason, employee_ids=employee_ids)
        totals["enrolled"] += len(result.enrolled) + len(result.reenrolled)
        totals["withdrawn"] += len(result.withdrawn)
    return totals


# --- activation, closing, renewal ---------------------------------------------------------------


@transaction.atomic
def program_activate(
    *,
    actor: Any,
    program: Program,
    confirm_over_budget: bool = False,
    now: dt.datetime | None = None,
) -> SyncResult:
    """Open the program: everyone the audience selects is enrolled. Raises ``OverBudget`` (listing who
    and by how much) when some learners would go over their role's quarterly cap, unless
    ``confirm_over_budget``."""
    from trellis.programs.selectors import budget_check

    if program.status != Program.Status.DRAFT:
        raise ValidationError("Only a draft program can be activated.")
    program.full_clean(exclude=["sponsor", "owner"])
    now = now or timezone.now()
    overruns = budget_check(program=program, today=_today(now))
    if overruns and not confirm_over_budget:
        raise OverBudget(overruns)
    program.status = Program.Status.ACTIVE
    program.activated_at = now
    if program.starts_on is None:
        program.starts_on = _today(now)
    program.save(update_fields=["status", "activated_at", "starts_on", "updated_at"])
    audit_log(
        actor=actor,
        code="trellis.program.activated",
        target=program,
        data={
            "over_budget": [
                {"employee": o.employee_id, "quarter": o.quarter, "over_by": o.over_by}
                for o in overruns
            ]
        },
    )
    return program_sync_audience(program=program, actor=actor, reason="program activated", now=now)


@transaction.atomic
def program_close(*, actor: Any, program: Program, now: dt.datetime | None = None) -> Program:
    if program.status == Program.Status.CLOSED:
        return program
    program.status = Program.Status.CLOSED
    program.closed_at = now or timezone.now()
    program.save(update_fields=["status", "closed_at", "updated_at"])
    audit_log(actor=actor, code="trellis.program.closed", target=program)
    return program


@transaction.atomic
def renewals_open(*, now: dt.datetime | None = None) -> int:
    """Recurring programs: when a completed cycle enters its renewal window (``renewal_window_days``
    before it expires), the next cycle opens for people still in the audience: it starts on the
    window's first day (earlier completions no longer count) and is due on the expiry date."""
    today = _today(now)
    now = now or timezone.now()
    opened = 0
    for program in Program.objects.filter(
        status=Program.Status.ACTIVE, recurrence_months__gt=0
    ).order_by("pk"):
        window = dt.timedelta(days=program.renewal_window_days)
        latest = _current(program, None)
        due = [
            e
            for e in latest.values()
            if e.state == Enrollment.State.ACTIVE
            and e.completed_at is not None
            and e.expires_on is not None
            and today >= e.expires_on - window
        ]
        if not due:
            continue
        audience = audience_ids(program, among=[e.employee_id for e in due])
        fresh: list[EnrollmentRow] = []
        for e in due:
            expires = e.expires_on
            if e.employee_id in audience and expires is not None:
                row = (program.pk, e.employee_id, e.cycle + 1, "active", now, expires - window)
                fresh.append((*row, expires))
        if not fresh:
            continue
        pk_of = _enrollments_insert(fresh, now=now)
        events_insert(
            [
                (
                    pk_of[employee_id],
                    EnrollmentEvent.Kind.RENEWED,
                    f"recertification: cycle {cycle} opens before the previous one expires",
                    None,
                    now,
                    {"due_on": due_on.isoformat()},
                )
                for _, employee_id, cycle, _, _, _, due_on in fresh
            ]
        )
        enrollments_recompute(employee_ids=[row[1] for row in fresh], program_ids=[program.pk])
        reminders.send_for_enrollments(
            program=program,
            enrollments=[(pk_of[row[1]], row[1], row[6], row[2]) for row in fresh],
            now=now,
        )
        opened += len(fresh)
    return opened


# --- per-learner actions (L&D, or the learner's manager) ------------------------------------------


def _check_can_act(*, actor: Any, enrollment: Enrollment) -> None:
    from trellis.programs.selectors import can_manage_enrollment

    if not can_manage_enrollment(user=actor, enrollment=enrollment):
        raise PermissionDenied("Only L&D or the learner's manager can do this.")


def _locked(enrollment: Enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update()
        .select_related("program", "employee")
        .get(pk=enrollment.pk)
    )


@transaction.atomic
def enrollment_exempt(*, actor: Any, enrollment: Enrollment, reason: str) -> Enrollment:
    _check_can_act(actor=actor, enrollment=enrollment)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the exemption."})
    enrollment = _locked(enrollment)
    if enrollment.state != Enrollment.State.ACTIVE:
        raise ValidationError("Only an active enrollment can be exempted.")
    enrollment.state = Enrollment.State.EXEMPT
    enrollment.save(update_fields=["state", "updated_at"])
    Exemption.objects.create(enrollment=enrollment, reason=reason, granted_by=actor)
    EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.EXEMPTED, reason=reason, actor=actor
    )
    audit_log(
        actor=actor,
        code="trellis.program.exempted",
        target=enrollment,
        data={
            "employee": enrollment.employee_id,
            "program": enrollment.program_id,
            "reason": reason,
        },
    )
    return enrollment


@transaction.atomic
def enrollment_extend(
    *, actor: Any, enrollment: Enrollment, new_due_on: dt.date, reason: str
) -> Enrollment:
    _check_can_act(actor=actor, enrollment=enrollment)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the extension."})
    enrollment = _locked(enrollment)
    if enrollment.state != Enrollment.State.ACTIVE or enrollment.completed_at is not None:
        raise ValidationError("Only an open enrollment can be extended.")
    if new_due_on <= enrollment.due_on:
        raise ValidationError(
            {"new_due_on": "The new due date must be later than the current one."}
        )
    previous = enrollment.due_on
    enrollment.due_on = new_due_on
    enrollment.escalated_at = None
    enrollment.save(update_fields=["due_on", "escalated_at", "updated_at"])
    Extension.objects.create(
        enrollment=enrollment,
        previous_due_on=previous,
        new_due_on=new_due_on,
        reason=reason,
        granted_by=actor,
    )
    EnrollmentEvent.objects.create(
        enrollment=enrollment,
        kind=EnrollmentEvent.Kind.EXTENDED,
        reason=reason,
        actor=actor,
        data={"from": previous.isoformat(), "to": new_due_on.isoformat()},
    )
    audit_log(
        actor=actor,
        code="trellis.program.extended",
        target=enrollment,
        data={
            "employee": enrollment.employee_id,
            "program": enrollment.program_id,
            "from": previous.isoformat(),
            "to": new_due_on.isoformat(),
            "reason": reason,
        },
    )
    return enrollment


class NudgeTooSoon(Exception):
    pass


@transaction.atomic
def enrollment_nudge(
    *, actor: Any, enrollment: Enrollment, now: dt.datetime | None = None
) -> Enrollment:
    """A manager's reminder to one learner about one program: at most once a day (per learner and
    program); the second one the same day raises ``NudgeTooSoon`` and sends nothing."""
    _check_can_act(actor=actor, enrollment=enrollment)
    now = now or timezone.now()
    enrollment = _locked(enrollment)
    if enrollment.state != Enrollment.State.ACTIVE or enrollment.completed_at is not None:
        raise ValidationError("Only an open enrollment can be nudged.")
    start = timezone.make_aware(dt.datetime.combine(_today(now), dt.time.min))
    if EnrollmentEvent.objects.filter(
        enrollment__program_id=enrollment.program_id,
        enrollment__employee_id=enrollment.employee_id,
        kind=EnrollmentEvent.Kind.NUDGED,
        at__gte=start,
    ).exists():
        raise NudgeTooSoon(f"{enrollment.employee.full_name} was already nudged today.")
    EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.NUDGED, actor=actor, at=now
    )
    reminders.send_nudge(enrollment=enrollment, actor=actor, now=now)
    return enrollment


# --- policy acknowledgement (recorded as an xAPI statement) ---------------------------------------


def policy_acknowledge(*, employee: Any, requirement: Requirement) -> str:
    """The learner acknowledges a policy: an "acknowledged" xAPI statement (with completion) stored
    through the LRS and projected at once; completion then follows from the record like any other."""
    from trellis.lrs.events import XAPI_VERSION, employee_agent, trellis_authority
    from trellis.lrs.models import Statement
    from trellis.lrs.projection import project_statements
    from trellis.lrs.statements import statements_store

    if requirement.kind != Requirement.Kind.ACKNOWLEDGEMENT:
        raise ValidationError("This requirement is not a policy acknowledgement.")
    if not Enrollment.objects.filter(
        program_id=requirement.program_id, employee=employee, state=Enrollment.State.ACTIVE
    ).exists():
        raise PermissionDenied("You are not enrolled in this program.")
    statement = {
        "actor": employee_agent(employee),
        "verb": {"id": ACKNOWLEDGED[0], "display": {"en-US": ACKNOWLEDGED[1]}},
        "object": {
            "objectType": "Activity",
            "id": requirement.activity_id,
            "definition": {
                "name": {"en": requirement.title[:500] or "Policy"},
                "type": "http://id.tincanapi.com/activitytype/policy",
            },
        },
        "result": {"completion": True},
        "context": {"platform": "Trellis"},
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
    }
    statement_id = statements_store(
        [statement], version=XAPI_VERSION, authority=trellis_authority(), project=False
    )[0]
    project_statements(
        list(Statement.objects.filter(statement_id=statement_id).values_list("pk", flat=True))
    )
    return statement_id


# --- periodic jobs ------------------------------------------------------------------------------


def programs_resync_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The safety net, run periodically: every active program's audience, completion from the
    records, and the renewals of recurring programs."""
    totals = {"enrolled": 0, "withdrawn": 0, "renewed": 0, "completed": 0}
    for program in Program.objects.filter(status=Program.Status.ACTIVE).order_by("pk"):
        result = program_sync_audience(program=program, reason="periodic resync", now=now)
        totals["enrolled"] += len(result.enrolled) + len(result.reenrolled)
        totals["withdrawn"] += len(result.withdrawn)
    totals["completed"] = enrollments_recompute()["completed"]
    totals["renewed"] = renewals_open(now=now)
    return totals


def programs_hourly(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: resync, then evaluate the reminder rules."""
    totals = programs_resync_all(now=now)
    totals["notifications"] = reminders.reminders_evaluate(now=now)["sent"]
    return totals


def group_ids(values: Iterable[Any]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for k, v in values:
        out[k].append(v)
    return out
