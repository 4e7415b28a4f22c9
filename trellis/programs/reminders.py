"""Program notification rules, evaluated in bulk (a constant number of queries for any audience).

Rules (each notice has a globally unique idempotency key, so running a rule twice sends nothing new):
- **program launched**: on activation, to everyone enrolled then (``program:{p}:launched:{employee}``);
- **assigned**: on a later enrollment — a joiner, a mover, a new recertification cycle
  (``program:{p}:enrollment:{e}:assigned``);
- **due soon**: ``program.reminder_days`` (default 7 and 1) before the due date, the smallest threshold
  reached (``…:due_soon:{days}:{due date}``; an extension gives a new due date, hence new reminders);
- **overdue**: the day after the due date (``…:overdue:{due date}``);
- **escalation**: after ``program.escalation_days`` days overdue, one message per manager listing
  all their direct reports who crossed that line, whatever the program
  (``programs:escalation:manager:{m}:{day}``); each enrollment is escalated once (``escalated_at``);
- **nudge**: a manager's button, at most once per learner per program per day (``…:nudge:{day}``).

Compliance programs' notices are mandatory (they cannot be muted, only batched). Delivery goes to
``trellis.notify.services.notifications_send``; without the notify app installed, nothing is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)

ASSIGNED, DUE_SOON, OVERDUE = "assigned", "due_soon", "overdue"
ESCALATION, NUDGE, PROGRAM_LAUNCHED = "escalation", "nudge", "program_launched"


@dataclass(frozen=True)
class Notice:
    recipient_id: int
    category: str
    key: str
    subject: str
    body: str
    url: str = ""
    mandatory: bool = False


def deliver(notices: list[Notice], *, now: dt.datetime | None = None) -> int:
    """Hand the notices to the notify app (bulk, idempotent by key). Returns how many were new."""
    if not notices:
        return 0
    try:
        from trellis.notify.models import Category
        from trellis.notify.services import NotificationRequest, notifications_send
    except ImportError:  # the notify app is not installed
        return 0
    categories = {c: getattr(Category, c.upper(), c) for c in {n.category for n in notices}}
    requests = [
        NotificationRequest(
            recipient_id=n.recipient_id,
            category=categories[n.category],
            key=n.key,
            subject=n.subject,
            body=n.body,
            url=n.url,
            mandatory=n.mandatory,
        )
        for n in notices
    ]
    return int(notifications_send(requests, now=now) or 0)


def _url(name: str) -> str:
    return reverse(name)


def _due(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def enrollment_notices(
    *, program: Any, enrollments: Iterable[tuple[int, int, dt.date, int]], launched: bool
) -> list[Notice]:
    """Launched / assigned notices for (enrollment id, employee id, due date, cycle) rows."""
    out = []
    url = _url("programs:assigned")
    for pk, employee_id, due_on, cycle in enrollments:
        if launched:
            key = f"program:{program.pk}:launched:{employee_id}"
            subject = f"New program: {program.name}"
            category = PROGRAM_LAUNCHED
        else:
            key = f"program:{program.pk}:enrollment:{pk}:assigned"
            subject = (
                f"Time to renew: {program.name}"
                if cycle > 1
                else f"Assigned to you: {program.name}"
            )
            category = ASSIGNED
        body = (
            f"{program.objective}\n\n" if program.objective else ""
        ) + f"Due by {_due(due_on)}. See what to do next in “Assigned to me”."
        out.append(
            Notice(
                recipient_id=employee_id,
                category=category,
                key=key,
                subject=subject,
                body=body,
                url=url,
                mandatory=program.is_compliance,
            )
        )
    return out


def send_for_enrollments(
    *,
    program: Any,
    enrollments: list[tuple[int, int, dt.date, int]],
    launched: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """After the commit, "program launched" (``launched``) or "assigned" (a later enrollment, a new
    cycle) notices for (enrollment id, employee id, due date, cycle) rows."""
    notices = enrollment_notices(program=program, enrollments=enrollments, launched=launched)
    return _deliver_after_commit(notices, now=now)


def _deliver_after_commit(notices: list[Notice], *, now: dt.datetime | None) -> int:
    from django.db import transaction

    if not notices:
        return 0

    def go() -> None:
        try:
            deliver(notices, now=now)
        except Exception:  # a notification failure must not undo an enrollment
            logger.exception("program notifications failed")

    transaction.on_commit(go)
    return len(notices)


def send_nudge(*, enrollment: Any, actor: Any, now: dt.datetime | None = None) -> int:
    today = timezone.localdate(now or timezone.now())
    program = enrollment.program
    who = getattr(getattr(actor, "employee", None), "full_name", "") or "Your manager"
    notice = Notice(
        recipient_id=enrollment.employee_id,
        category=NUDGE,
        key=f"program:{program.pk}:enrollment:{enrollment.pk}:nudge:{today.isoformat()}",
        subject=f"A reminder from {who}: {program.name}",
        body=f"{who} reminds you that “{program.name}” is due by {_due(enrollment.due_on)}.",
        url=_url("programs:assigned"),
        mandatory=program.is_compliance,
    )
    return _deliver_after_commit([notice], now=now)


def rule_notices(*, now: dt.datetime | None = None) -> tuple[list[Notice], list[int]]:
    """Due-soon, overdue and escalation notices for every open enrollment of every active program
    (three queries), and the ids of the enrollments escalated by them."""
    from trellis.programs.models import Enrollment, Program

    now = now or timezone.now()
    today = timezone.localdate(now)
    programs = {p.pk: p for p in Program.objects.filter(status=Program.Status.ACTIVE)}
    if not programs:
        return [], []
    horizon = today + dt.timedelta(days=max(max(p.reminders or [0]) for p in programs.values()))
    rows = (
        Enrollment.objects.filter(
            program_id__in=list(programs),
            state=Enrollment.State.ACTIVE,
            completed_at__isnull=True,
            due_on__lte=horizon,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "program_id",
            "employee_id",
            "due_on",
            "escalated_at",
            "employee__manager_id",
            "employee__full_name",
            "employee__is_active",
        )
    )
    url = _url("programs:assigned")
    team_url = _url("programs:team")
    notices: list[Notice] = []
    escalate: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    mandatory_for: dict[int, bool] = defaultdict(bool)
    for pk, program_id, employee_id, due_on, escalated_at, manager_id, name, active in rows:
        if not active:
            continue
        p = programs[program_id]
        left = (due_on - today).days
        base = f"program:{p.pk}:enrollment:{pk}"
        if left >= 0:
            reached = [d for d in p.reminders if left <= d]
            if not reached:
                continue
            days = min(reached)
            when = "today" if left == 0 else ("tomorrow" if left == 1 else f"in {left} days")
            notices.append(
                Notice(
                    recipient_id=employee_id,
                    category=DUE_SOON,
                    key=f"{base}:due_soon:{days}:{due_on.isoformat()}",
                    subject=f"Due {when}: {p.name}",
                    body=f"“{p.name}” is due by {_due(due_on)}.",
                    url=url,
                    mandatory=p.is_compliance,
                )
            )
            continue
        notices.append(
            Notice(
                recipient_id=employee_id,
                category=OVERDUE,
                key=f"{base}:overdue:{due_on.isoformat()}",
                subject=f"Overdue: {p.name}",
                body=f"“{p.name}” was due on {_due(due_on)}. Please complete it as soon as you can.",
                url=url,
                mandatory=p.is_compliance,
            )
        )
        if -left >= p.escalation_days and escalated_at is None and manager_id is not None:
            escalate[manager_id].append((pk, name, p.name, -left))
            mandatory_for[manager_id] |= p.is_compliance
    escalated: list[int] = []
    for manager_id, items in sorted(escalate.items()):
        items.sort(key=lambda i: (-i[3], i[1], i[2]))
        lines = [f"- {name}: {program} ({days} days overdue)" for _, name, program, days in items]
        notices.append(
            Notice(
                recipient_id=manager_id,
                category=ESCALATION,
                key=f"programs:escalation:manager:{manager_id}:{today.isoformat()}",
                subject=f"{len(items)} overdue in your team",
                body="These people in your team are overdue on required learning:\n"
                + "\n".join(lines),
                url=team_url,
                mandatory=mandatory_for[manager_id],
            )
        )
        escalated += [i[0] for i in items]
    return notices, escalated


def reminders_evaluate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Evaluate every rule and deliver (idempotent); escalated enrollments are marked."""
    from trellis.programs.models import Enrollment

    now = now or timezone.now()
    notices, escalated = rule_notices(now=now)
    sent = deliver(notices, now=now)
    if escalated:
        Enrollment.objects.filter(pk__in=escalated).update(escalated_at=now)
    counts: dict[str, int] = defaultdict(int)
    for n in notices:
        counts[n.category] += 1
    return {"notices": len(notices), "sent": sent, **counts}
