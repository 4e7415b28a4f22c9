"""Reads of notifications, deliveries, preferences and settings, scoped to who is asking."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404

from trellis.core.permissions import Role, has_role
from trellis.notify.models import (
    DEFAULT_ON,
    Category,
    Channel,
    Delivery,
    Notification,
    NotificationProfile,
    NotifySettings,
    Preference,
)
from trellis.notify.planning import zone
from trellis.people.models import Employee


def notify_settings_get() -> NotifySettings:
    """The organisation's notification settings (created with the defaults on first use)."""
    obj, _ = NotifySettings.objects.get_or_create(pk=1)
    return obj


def notification_profile_get(*, employee: Employee) -> NotificationProfile:
    """The person's profile, unsaved with the defaults when they have not chosen anything."""
    try:
        return NotificationProfile.objects.get(employee=employee)
    except NotificationProfile.DoesNotExist:
        return NotificationProfile(employee=employee)


def inbox_for(*, employee: Employee, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=employee, in_inbox=True)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, employee: Employee) -> int:
    return Notification.objects.filter(
        recipient=employee, in_inbox=True, read_at__isnull=True
    ).count()


def get_notification_for_employee(*, employee: Employee, notification_id: int) -> Notification:
    """The person's own notification; 404 for anyone else's (existence not revealed)."""
    try:
        return Notification.objects.get(pk=notification_id, recipient=employee)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None


def delivery_log_subject_for_user(*, user: Any, employee_id: str | None) -> Employee:
    """Whose delivery log ``user`` may read: their own; anyone's for L&D admins; else 404.

    Managers do not see their reports' logs (what was sent to a person is theirs)."""
    me = getattr(user, "employee", None) if user.is_authenticated else None
    if employee_id is None or (me is not None and me.employee_id == employee_id):
        if me is None:
            raise Http404("No employee record.")
        return me
    if has_role(user, Role.LD_ADMIN):
        try:
            return Employee.objects.get(employee_id=employee_id)
        except Employee.DoesNotExist:
            raise Http404("No such person.") from None
    raise Http404("No such person.")


def delivery_log(*, employee: Employee) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(recipient=employee)
        .select_related("notification")
        .order_by("-created_at", "-id")
    )


def deliveries_failed() -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(status=Delivery.Status.FAILED)
        .select_related("notification", "recipient")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class PreferenceCell:
    category: str
    channel: str
    enabled: bool
    available: bool  # the org has configured this channel


def preference_matrix(*, employee: Employee) -> list[tuple[str, str, list[PreferenceCell]]]:
    """Rows (category value, label, cells per channel) for the settings page."""
    settings = notify_settings_get()
    saved = {
        (p.category, p.channel): p.enabled for p in Preference.objects.filter(employee=employee)
    }
    available = {
        Channel.IN_APP: True,
        Channel.EMAIL: True,
        Channel.SLACK: bool(settings.slack_webhook_url),
        Channel.TEAMS: bool(settings.teams_webhook_url),
    }
    rows = []
    for category in Category:
        cells = [
            PreferenceCell(
                category=category.value,
                channel=channel.value,
                enabled=saved.get((category.value, channel.value), channel in DEFAULT_ON),
                available=available[channel],
            )
            for channel in Channel
        ]
        rows.append((category.value, category.label, cells))
    return rows


def activity_hour_histograms(
    *, employees: list[Employee], since: dt.datetime
) -> dict[int, Counter[int]]:
    """Per employee, how many learning statements fell in each local hour of day since ``since``.

    Statements are matched to people by their ``mbox`` (how Trellis and most xAPI tools name
    learners); the hour is taken in each person's time zone (one query per time zone)."""
    from django.db.models import Count
    from django.db.models.functions import ExtractHour

    from trellis.lrs.models import Statement
    from trellis.lrs.xapi.agents import mbox_ifi

    by_zone: dict[str, dict[str, int]] = defaultdict(dict)
    for e in employees:
        ifi = mbox_ifi(e.email)
        by_zone[e.timezone or "UTC"][ifi] = e.pk
        by_zone[e.timezone or "UTC"][f"mbox:mailto:{e.email}"] = e.pk
    result: dict[int, Counter[int]] = defaultdict(Counter)
    for tz_name, ifis in by_zone.items():
        rows = (
            Statement.objects.filter(
                actor_ifi__in=list(ifis), timestamp__gte=since, is_voided=False
            )
            .annotate(hour=ExtractHour("timestamp", tzinfo=zone(tz_name)))
            .values("actor_ifi", "hour")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            result[ifis[row["actor_ifi"]]][row["hour"]] += row["n"]
    return result


def last_activity_by_employee(*, employee_ids: list[int]) -> dict[int, dt.datetime]:
    """The latest learning activity (progress projection) of each person who has any."""
    from trellis.lrs.models import Progress

    return dict(
        Progress.objects.filter(employee_id__in=employee_ids)
        .values("employee_id")
        .annotate(last=Max("last_activity_at"))
        .values_list("employee_id", "last")
    )
