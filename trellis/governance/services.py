"""Every state change of governance: policies (write, audience, publish a version, acknowledge,
reminders), the ownership registry, the AI systems inventory, and access to personal data.

All keyword-only; errors are ``ValidationError`` with a dict naming the field; nothing is written
when one is raised. Administrative changes are audited (``trellis.governance.*``); viewing another
person's personal data is audited as ``trellis.privacy.viewed``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.governance.models import (
    AISystem,
    OwnershipArea,
    OwnershipAssignment,
    Policy,
    PolicyAcknowledgement,
    PolicyAudienceRule,
    PolicyVersion,
)
from trellis.people.models import Employee
from trellis.programs.audience import audience_queryset, audience_rules_write

logger = logging.getLogger(__name__)

POLICY_FIELDS = ("title", "kind", "summary", "body", "sponsor", "due_days", "reminder_days")
AI_SYSTEM_FIELDS = (
    "name",
    "purpose",
    "data_used",
    "owner",
    "model_name",
    "model_version",
    "evaluation",
    "evaluated_on",
    "limitations",
    "controls",
    "status",
    "position",
)


# --- policies -------------------------------------------------------------------------------------


def _check_policy_fields(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "title" in fields and not str(fields["title"] or "").strip():
        errors["title"] = "Give the document a title."
    if "body" in fields and not str(fields["body"] or "").strip():
        errors["body"] = "Write the text people will acknowledge."
    if "kind" in fields and fields["kind"] not in Policy.Kind.values:
        errors["kind"] = f"Choose one of {', '.join(Policy.Kind.values)}."
    if "due_days" in fields:
        try:
            days = int(fields["due_days"])
        except (TypeError, ValueError):
            days = -1
        if not 1 <= days <= 365:
            errors["due_days"] = "Give a number of days between 1 and 365."
    if "reminder_days" in fields and fields["reminder_days"] is not None:
        value = fields["reminder_days"]
        if not isinstance(value, list) or not all(
            isinstance(d, int) and 0 < d <= 90 for d in value
        ):
            errors["reminder_days"] = "A list of days before the due date, each 1 to 90."
    sponsor = fields.get("sponsor")
    if sponsor is not None and not sponsor.is_active:
        errors["sponsor"] = "The sponsor has left the organisation; choose an active person."
    if errors:
        raise ValidationError(errors)


def _short(value: Any) -> Any:
    value = getattr(value, "pk", value)
    if isinstance(value, str) and len(value) > 120:
        return f"({len(value)} characters)"
    return value


@transaction.atomic
def policy_create(
    *, actor: Any, title: str, body: str, kind: str = Policy.Kind.STRATEGY, **fields: Any
) -> Policy:
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"policy_create() got unknown fields {sorted(unknown)}")
    fields.update(title=title, body=body, kind=kind)
    _check_policy_fields(fields)
    fields["title"] = fields["title"].strip()
    fields.setdefault("reminder_days", [7, 1])
    policy = Policy.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None, **fields
    )
    audit_log(
        actor=actor,
        code="trellis.governance.policy_created",
        target=policy,
        data={"after": {"title": policy.title, "kind": policy.kind}},
    )
    return policy


@transaction.atomic
def policy_update(*, actor: Any, policy: Policy, **fields: Any) -> Policy:
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"policy_update() got unknown fields {sorted(unknown)}")
    if policy.status == Policy.Status.RETIRED:
        raise ValidationError({"status": "A retired document cannot be changed."})
    _check_policy_fields(fields)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "title":
            value = value.strip()
        old = getattr(policy, name)
        if old != value:
            before[name], after[name] = _short(old), _short(value)
            setattr(policy, name, value)
    if before:
        policy.save(update_fields=[*before, "updated_at"])
        audit_log(
            actor=actor,
            code="trellis.governance.policy_updated",
            target=policy,
            data={"before": before, "after": after},
        )
    return policy


@transaction.atomic
def policy_audience_set(*, actor: Any, policy: Policy, rules: list[dict[str, Any]]) -> Policy:
    """Replace the audience rules (each: departments, job_roles, locations, groups, managers, hired_from,
    hired_to; ``[{}]`` is everyone). Same semantics as programs (``trellis.programs.audience``)."""
    policy.rules.all().delete()
    audience_rules_write(
        rules, create=lambda **dates: PolicyAudienceRule.objects.create(policy=policy, **dates)
    )
    audit_log(
        actor=actor,
        code="trellis.governance.policy_audience_set",
        target=policy,
        data={
            "rules": [
                {
                    key: sorted(getattr(v, "pk", v) for v in value)
                    if isinstance(value, list | tuple | set)
                    else str(value)
                    for key, value in spec.items()
                    if value
                }
                for spec in rules
            ]
        },
    )
    return policy


def current_version(policy: Policy) -> PolicyVersion | None:
    return policy.versions.order_by("-number").first()


@transaction.atomic
def policy_publish(
    *,
    actor: Any,
    policy: Policy,
    change_note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> PolicyVersion:
    """Freeze the document's text as its next version and ask the audience to acknowledge it.

    An L&D admin publishes on behalf of the executive sponsor (required). A version identical to the
    current one is refused (``body``). Everyone in the audience gets a "to acknowledge" notice."""
    now = now or timezone.now()
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    errors: dict[str, str] = {}
    if policy.status == Policy.Status.RETIRED:
        errors["status"] = "A retired document cannot be published."
    if policy.sponsor_id is None:
        errors["sponsor"] = "Name the executive sponsor on whose behalf it is published."
    if not policy.rules.exists():
        errors["audience"] = "Choose who must acknowledge it (the audience) first."
    latest = current_version(policy)
    if latest is not None and latest.title == policy.title and latest.body == policy.body:
        errors["body"] = f"Nothing changed since version {latest.number}."
    if errors:
        raise ValidationError(errors)
    number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion.objects.create(
        policy=policy,
        number=number,
        title=policy.title,
        body=policy.body,
        change_note=change_note.strip()[:300],
        published_at=now,
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    if policy.status != Policy.Status.PUBLISHED:
        policy.status = Policy.Status.PUBLISHED
        policy.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        code="trellis.governance.policy_published",
        target=policy,
        data={
            "version": number,
            "sponsor": policy.sponsor_id,
            "before": {"version": latest.number if latest else None},
            "after": {"version": number},
        },
    )
    if not notify:  # the demo's history: the reminder job tells people what is still due
        return version
    people = list(audience_queryset(policy).values_list("pk", "hire_date"))
    notices = [
        _notice(
            policy,
            version,
            employee_id,
            "published",
            subject=(
                f"Please read and acknowledge: {policy.title}"
                if number == 1
                else f"Updated (version {number}), please acknowledge again: {policy.title}"
            ),
            body=(
                f"{policy.get_kind_display()} from {policy.sponsor.full_name if policy.sponsor else 'leadership'}. "
                f"Please read it and acknowledge by {_day(version.due_for(hire_date=hire, due_days=policy.due_days))}."
            ),
        )
        for employee_id, hire in people
    ]
    transaction.on_commit(lambda: _deliver(notices, now=now))
    return version


@transaction.atomic
def policy_retire(*, actor: Any, policy: Policy) -> Policy:
    if policy.status != Policy.Status.RETIRED:
        before = policy.status
        policy.status = Policy.Status.RETIRED
        policy.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=actor,
            code="trellis.governance.policy_retired",
            target=policy,
            data={"before": {"status": before}, "after": {"status": policy.status}},
        )
    return policy


@transaction.atomic
def policy_acknowledge(
    *, employee: Employee, policy: Policy, now: dt.datetime | None = None
) -> PolicyAcknowledgement:
    """The person acknowledges the current version (idempotent: acknowledging twice keeps the first
    time). Only people in the audience of a published document may acknowledge it."""
    now = now or timezone.now()
    if policy.status != Policy.Status.PUBLISHED:
        raise ValidationError({"policy": "This document is not published."})
    version = current_version(policy)
    if version is None:
        raise ValidationError({"policy": "This document has no published version."})
    if not audience_queryset(policy).filter(pk=employee.pk).exists():
        raise ValidationError({"policy": "You are not in the audience of this document."})
    ack, _created = PolicyAcknowledgement.objects.get_or_create(
        version=version,
        employee=employee,
        defaults={"policy": policy, "acknowledged_at": now},
    )
    return ack


# --- reminders ------------------------------------------------------------------------------------


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _notice(
    policy: Policy, version: PolicyVersion, employee_id: int, what: str, *, subject: str, body: str
) -> Any:
    from trellis.notify.services import NotificationRequest

    return NotificationRequest(
        recipient_id=employee_id,
        category="policy",
        key=f"policy:{policy.pk}:v{version.number}:{employee_id}:{what}",
        subject=subject,
        body=body,
        url=reverse("governance:policy", args=[policy.pk]),
    )


def _deliver(notices: list[Any], *, now: dt.datetime | None = None) -> int:
    if not notices:
        return 0
    from trellis.notify.services import notifications_send

    try:
        return int(notifications_send(notices, now=now) or 0)
    except Exception:  # a notification failure must not undo a publication
        logger.exception("policy notifications failed")
        return 0


def policy_reminder_notices(*, now: dt.datetime | None = None) -> list[Any]:
    """Due-soon and overdue notices for everyone who has not acknowledged the current version of a
    published document. Keys are unique per version, person and threshold (idempotent)."""
    from trellis.governance.selectors import policy_people_rows

    now = now or timezone.now()
    today = timezone.localdate(now)
    notices = []
    for policy in Policy.objects.filter(status=Policy.Status.PUBLISHED).select_related("sponsor"):
        version = current_version(policy)
        if version is None:
            continue
        for row in policy_people_rows(policy=policy, version=version, today=today):
            if row["acknowledged_at"] is not None:
                continue
            left = (row["due_on"] - today).days
            if left < 0:
                notices.append(
                    _notice(
                        policy,
                        version,
                        row["employee_id"],
                        f"overdue:{row['due_on'].isoformat()}",
                        subject=f"Overdue: please acknowledge {policy.title}",
                        body=f"“{policy.title}” was to be acknowledged by {_day(row['due_on'])}.",
                    )
                )
                continue
            reached = [d for d in policy.reminders if left <= d]
            if not reached:
                continue
            days = min(reached)
            when = "today" if left == 0 else ("tomorrow" if left == 1 else f"in {left} days")
            notices.append(
                _notice(
                    policy,
                    version,
                    row["employee_id"],
                    f"due_soon:{days}:{row['due_on'].isoformat()}",
                    subject=f"Due {when}: acknowledge {policy.title}",
                    body=f"Please read and acknowledge “{policy.title}” by {_day(row['due_on'])}.",
                )
            )
    return notices


def policy_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: evaluate and deliver the reminders (running it twice sends nothing new)."""
    notices = policy_reminder_notices(now=now)
    sent = _deliver(notices, now=now)
    return {
        "notices": len(notices),
        "sent": sent,
        "overdue": sum(":overdue:" in n.key for n in notices),
        "due_soon": sum(":due_soon:" in n.key for n in notices),
    }


# --- ownership registry ---------------------------------------------------------------------------


@transaction.atomic
def ownership_area_create(
    *, actor: Any, name: str, description: str = "", position: int | None = None
) -> OwnershipArea:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the area a name."})
    if OwnershipArea.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already an area called “{name}”."})
    if position is None:
        position = (OwnershipArea.objects.aggregate(p=Max("position"))["p"] or 0) + 1
    area = OwnershipArea.objects.create(
        name=name, description=(description or "").strip()[:500], position=position
    )
    audit_log(
        actor=actor,
        code="trellis.governance.area_created",
        target=area,
        data={"after": {"name": name}},
    )
    return area


@transaction.atomic
def ownership_area_update(
    *, actor: Any, area: OwnershipArea, name: str, description: str = ""
) -> OwnershipArea:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the area a name."})
    if OwnershipArea.objects.filter(name__iexact=name).exclude(pk=area.pk).exists():
        raise ValidationError({"name": f"There is already an area called “{name}”."})
    before = {"name": area.name, "description": area.description}
    area.name, area.description = name, (description or "").strip()[:500]
    after = {"name": area.name, "description": area.description}
    if before != after:
        area.save(update_fields=["name", "description", "updated_at"])
        audit_log(
            actor=actor,
            code="trellis.governance.area_updated",
            target=area,
            data={"before": before, "after": after},
        )
    return area


@transaction.atomic
def ownership_area_delete(*, actor: Any, area: OwnershipArea) -> None:
    data = {"before": {"name": area.name, "assignments": area.assignments.count()}}
    pk = area.pk
    area.delete()
    audit_log(
        actor=actor,
        code="trellis.governance.area_deleted",
        target=None,
        data={**data, "area": pk},
    )


@transaction.atomic
def ownership_assign(
    *, actor: Any, area: OwnershipArea, employee: Employee, role: str
) -> OwnershipAssignment:
    """Name a person in an area with a RACI role. An area has at most one accountable person."""
    if role not in OwnershipAssignment.Role.values:
        raise ValidationError({"role": "Choose responsible, accountable, consulted or informed."})
    if not employee.is_active:
        raise ValidationError({"employee": f"{employee.full_name} has left the organisation."})
    if role == OwnershipAssignment.Role.ACCOUNTABLE:
        holder = (
            OwnershipAssignment.objects.select_for_update()
            .filter(area=area, role=role)
            .select_related("employee")
            .first()
        )
        if holder is not None and holder.employee_id != employee.pk:
            raise ValidationError(
                {
                    "role": f"{holder.employee.full_name} is already accountable for {area.name}; "
                    "one person is accountable for an area. Remove them first."
                }
            )
    if OwnershipAssignment.objects.filter(area=area, employee=employee, role=role).exists():
        raise ValidationError({"employee": f"{employee.full_name} already has this role here."})
    assignment = OwnershipAssignment.objects.create(area=area, employee=employee, role=role)
    audit_log(
        actor=actor,
        code="trellis.governance.owner_assigned",
        target=area,
        data={"after": {"employee": employee.pk, "role": role}},
    )
    return assignment


@transaction.atomic
def ownership_unassign(*, actor: Any, assignment: OwnershipAssignment) -> None:
    area = assignment.area
    data = {"before": {"employee": assignment.employee_id, "role": assignment.role}}
    assignment.delete()
    audit_log(actor=actor, code="trellis.governance.owner_removed", target=area, data=data)


# --- AI systems inventory -------------------------------------------------------------------------


def _check_ai_system(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "name" in fields and not str(fields["name"] or "").strip():
        errors["name"] = "Give the system a name."
    if "purpose" in fields and not str(fields["purpose"] or "").strip():
        errors["purpose"] = "Say what it is for."
    if "status" in fields and fields["status"] not in AISystem.Status.values:
        errors["status"] = f"Choose one of {', '.join(AISystem.Status.values)}."
    if "data_used" in fields and not (
        isinstance(fields["data_used"], list)
        and all(isinstance(v, str) for v in fields["data_used"])
    ):
        errors["data_used"] = "A list of the data it reads."
    if "evaluation" in fields and not (
        isinstance(fields["evaluation"], list)
        and all(isinstance(v, dict) and {"metric", "value"} <= set(v) for v in fields["evaluation"])
    ):
        errors["evaluation"] = "A list of figures, each with a metric and a value."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ai_system_upsert(*, actor: Any, slug: str, **fields: Any) -> AISystem:
    """Create or update an inventory entry by its slug (the demo and seed use this)."""
    unknown = set(fields) - set(AI_SYSTEM_FIELDS)
    if unknown:
        raise TypeError(f"ai_system_upsert() got unknown fields {sorted(unknown)}")
    _check_ai_system(fields)
    system = AISystem.objects.filter(slug=slug).first()
    if system is None:
        _check_ai_system({"name": fields.get("name"), "purpose": fields.get("purpose")})
        system = AISystem.objects.create(slug=slug, **fields)
        audit_log(
            actor=actor,
            code="trellis.governance.ai_system_created",
            target=system,
            data={"after": {"name": system.name, "status": system.status}},
        )
        return system
    return ai_system_update(actor=actor, system=system, **fields)


@transaction.atomic
def ai_system_update(*, actor: Any, system: AISystem, **fields: Any) -> AISystem:
    unknown = set(fields) - set(AI_SYSTEM_FIELDS)
    if unknown:
        raise TypeError(f"ai_system_update() got unknown fields {sorted(unknown)}")
    _check_ai_system(fields)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in fields.items():
        old = getattr(system, name)
        if old != value:
            before[name], after[name] = _short(old), _short(value)
            if name == "evaluated_on":
                before[name] = str(before[name]) if before[name] else None
                after[name] = str(after[name]) if after[name] else None
            setattr(system, name, value)
    if before:
        system.save(update_fields=[*before, "updated_at"])
        audit_log(
            actor=actor,
            code="trellis.governance.ai_system_updated",
            target=system,
            data={"before": before, "after": after},
        )
    return system


# --- personal data ---------------------------------------------------------------------------------


def personal_data_viewed(*, actor: Any, employee: Employee, what: str) -> None:
    """Record that ``actor`` viewed ``employee``'s personal data (``what``: "profile", "learning
    records", "data export", ...). Viewing one's own data is not recorded. Only ids are stored."""
    actor_employee_id = getattr(getattr(actor, "employee", None), "pk", None)
    if actor_employee_id == employee.pk:
        return
    audit_log(
        actor=actor,
        code="trellis.privacy.viewed",
        target=employee,
        data={"employee": employee.pk, "what": what},
    )
