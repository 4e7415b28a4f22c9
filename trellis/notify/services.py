"""Every state change of notifications goes through here.

- ``notifications_send`` / ``notification_send``: create notifications and plan their deliveries
  (preferences, mandatory, quiet hours, active hours, caps); idempotent by key.
- ``deliveries_dispatch``: claim due deliveries (at most once, even with several workers), send
  them through their channel, retry failures with backoff, end in ``failed`` with the error.
- ``digests_send_due``, ``inactivity_nudges_send``, ``new_content_notices_send``,
  ``active_hours_refresh``: the rules that are not about programs.
- ``notification_mark_read``, ``notifications_mark_all_read``, ``preference_set``,
  ``preferences_update``, ``notification_profile_update``, ``notify_settings_update``,
  ``delivery_retry``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from trellis.core.bulk import insert_rows_many
from trellis.core.services import audit_log
from trellis.notify import badge, planning
from trellis.notify.models import (
    DEFAULT_ON,
    MANDATORY_CHANNELS,
    NON_URGENT,
    PUSH_CHANNELS,
    Category,
    Channel,
    Delivery,
    Notification,
    NotificationProfile,
    NotifySettings,
    Preference,
)
from trellis.notify.selectors import notify_settings_get
from trellis.people.models import Employee

logger = logging.getLogger("trellis.notify")

#: Waits before the 2nd, 3rd, … attempt of a failed delivery; after the last one it is ``failed``.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: A delivery claimed longer ago than this was interrupted (worker killed mid-send).
STALE_CLAIM = dt.timedelta(minutes=15)
#: Rows per statement when inserting or reading in bulk.
CHUNK = 5000


@dataclass(frozen=True)
class NotificationRequest:
    recipient_id: int  # people.Employee pk
    category: str  # Category value
    key: str  # idempotency key, globally unique, e.g. "program:12:enrollment:345:due_soon:2026-12-01"
    subject: str
    body: str  # plain text
    url: str = ""  # path inside Trellis, e.g. "/programs/assigned/"
    mandatory: bool = False  # cannot be muted, only batched into a digest
    context: dict[str, Any] | None = None  # extra facts for templates/webhooks (JSON-serialisable)


# --- planning ---------------------------------------------------------------------------------


@dataclass
class _Person:
    pk: int
    user_id: int
    tz: Any
    quiet: tuple[dt.time, dt.time] | None
    active_hour: int | None
    prefs: dict[tuple[str, str], bool] = field(default_factory=dict)
    day_count: int = 0
    week_count: int = 0


def _people(
    recipient_ids: list[int], categories: set[str], org: NotifySettings, now: dt.datetime
) -> dict[int, _Person]:
    """Everything planning needs about the recipients, in a fixed number of queries."""
    people: dict[int, _Person] = {}
    profiles: dict[int, NotificationProfile] = {}
    for chunk in _chunks(recipient_ids):
        for p in NotificationProfile.objects.filter(employee_id__in=chunk):
            profiles[p.employee_id] = p
    for chunk in _chunks(recipient_ids):
        for pk, tz_name, user_id in Employee.objects.filter(
            pk__in=chunk, is_active=True
        ).values_list("pk", "timezone", "user_id"):
            profile = profiles.get(pk)
            enabled = org.quiet_hours_enabled
            start, end = org.quiet_start, org.quiet_end
            if profile is not None:
                if profile.quiet_hours_enabled is not None:
                    enabled = profile.quiet_hours_enabled
                start = profile.quiet_start or start
                end = profile.quiet_end or end
            people[pk] = _Person(
                pk=pk,
                user_id=user_id,
                tz=planning.zone(tz_name),
                quiet=(start, end) if enabled else None,
                active_hour=profile.active_hour if profile is not None else None,
            )
    for chunk in _chunks(list(people)):
        for employee_id, category, channel, enabled in Preference.objects.filter(
            employee_id__in=chunk, category__in=categories
        ).values_list("employee_id", "category", "channel", "enabled"):
            people[employee_id].prefs[(category, channel)] = enabled
    # What was already pushed this week (the cap counts notifications, not channels).
    for chunk in _chunks(list(people)):
        for employee_id, created_at in Notification.objects.filter(
            recipient_id__in=chunk, counts_to_cap=True, created_at__gte=now - dt.timedelta(days=8)
        ).values_list("recipient_id", "created_at"):
            person = people[employee_id]
            if created_at >= planning.week_start(now, person.tz):
                person.week_count += 1
            if created_at >= planning.day_start(now, person.tz):
                person.day_count += 1
    return people


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _configured_channels(org: NotifySettings) -> list[tuple[str, bool, bool]]:
    """Each configured channel with whether it is on by default and whether mandatory notices
    always use it."""
    configured = {
        Channel.IN_APP: True,
        Channel.EMAIL: True,
        Channel.SLACK: bool(org.slack_webhook_url),
        Channel.TEAMS: bool(org.teams_webhook_url),
    }
    return [
        (channel.value, channel in DEFAULT_ON, channel in MANDATORY_CHANNELS)
        for channel in Channel
        if configured[channel]
    ]


def _channels_for(
    request: NotificationRequest,
    person: _Person,
    org: NotifySettings,
    configured: list[tuple[str, bool, bool]] | None = None,
) -> list[str]:
    """The channels this notification goes to: the person's choices, or the mandatory ones."""
    chosen = []
    for channel, default_on, mandatory in configured or _configured_channels(org):
        wanted = person.prefs.get((request.category, channel), default_on)
        if wanted or (request.mandatory and mandatory):
            chosen.append(channel)
    return chosen


def _push_due(
    request: NotificationRequest, person: _Person, org: NotifySettings, now: dt.datetime
) -> tuple[dt.datetime, str]:
    """When a push delivery should go out, and why then."""
    due, reason = now, ""
    if (
        org.active_hours_enabled
        and person.active_hour is not None
        and request.category in NON_URGENT
    ):
        due = planning.next_local_hour(now, person.tz, person.active_hour)
        if due != now:
            reason = f"active hour {person.active_hour:02d}:00"
    if person.quiet is not None:
        after = planning.after_quiet_hours(due, person.tz, *person.quiet)
        if after != due:
            due, reason = after, "quiet hours"
    return due, reason


def notifications_send(
    requests: Iterable[NotificationRequest], *, now: dt.datetime | None = None
) -> int:
    """Create notifications and their deliveries in bulk; idempotent by key (a key already
    present is skipped); returns how many were new. A constant number of queries regardless of
    ``len(requests)`` (up to 5,000 per chunk). Deliveries are planned per channel from preferences,
    quiet hours, active hours and the caps, and sent later by the dispatcher. Requests for people
    who have left are skipped."""
    now = now or timezone.now()
    unique: dict[str, NotificationRequest] = {}
    for request in requests:
        if request.category not in Category.values:
            raise ValueError(f"category: unknown category {request.category!r}")
        unique.setdefault(request.key, request)
    if not unique:
        return 0
    with transaction.atomic():
        existing: set[str] = set()
        for chunk in _chunks(list(unique)):
            existing.update(
                Notification.objects.filter(key__in=chunk).values_list("key", flat=True)
            )
        fresh = [r for k, r in unique.items() if k not in existing]
        if not fresh:
            return 0
        org = notify_settings_get()
        people = _people(
            sorted({r.recipient_id for r in fresh}), {r.category for r in fresh}, org, now
        )
        rows: list[tuple[Any, ...]] = []
        plans: dict[str, list[tuple[str, str, dt.datetime, str]]] = {}
        configured = _configured_channels(org)
        for r in fresh:
            person = people.get(r.recipient_id)
            if person is None:
                continue
            channels = _channels_for(r, person, org, configured)
            push = [c for c in channels if c in PUSH_CHANNELS]
            counts = False
            plan: list[tuple[str, str, dt.datetime, str]] = []
            if Channel.IN_APP in channels:
                plan.append((Channel.IN_APP, Delivery.Status.SENT, now, ""))
            if push:
                over = r.category != Category.DIGEST and (
                    person.day_count >= org.daily_cap or person.week_count >= org.weekly_cap
                )
                if over:
                    reason = "daily cap" if person.day_count >= org.daily_cap else "weekly cap"
                    plan += [(c, Delivery.Status.HELD, now, reason) for c in push]
                else:
                    due, reason = _push_due(r, person, org, now)
                    plan += [(c, Delivery.Status.PENDING, due, reason) for c in push]
                    if r.category != Category.DIGEST:
                        counts = True
                        person.day_count += 1
                        person.week_count += 1
            plans[r.key] = plan
            rows.append(
                (
                    r.recipient_id,
                    r.category,
                    r.key,
                    r.subject[:300],
                    r.body,
                    r.url,
                    r.mandatory,
                    r.context or {},
                    now,
                    Channel.IN_APP in channels,
                    None,
                    counts,
                    None,
                )
            )
        returned = insert_rows_many(
            Notification,
            [
                "recipient",
                "category",
                "key",
                "subject",
                "body",
                "url",
                "mandatory",
                "context",
                "created_at",
                "in_inbox",
                "read_at",
                "counts_to_cap",
                "digest",
            ],
            rows,
            returning=["id", "key", "recipient"],
            ignore_conflicts=True,
        )
        # the rows this call inserted (a key inserted meanwhile by another worker is not returned)
        ids: dict[str, tuple[int, int]] = {
            key: (pk, recipient_id) for pk, key, recipient_id in returned
        }
        delivery_rows = [
            (
                pk,
                recipient_id,
                channel,
                status,
                due,
                reason,
                0,
                "",
                "",
                None,
                now if status == Delivery.Status.SENT else None,
                now,
                now,
            )
            for key, (pk, recipient_id) in ids.items()
            for channel, status, due, reason in plans[key]
        ]
        insert_rows_many(
            Delivery,
            [
                "notification",
                "recipient",
                "channel",
                "status",
                "due_at",
                "reason",
                "attempts",
                "last_error",
                "claim",
                "claimed_at",
                "sent_at",
                "created_at",
                "updated_at",
            ],
            delivery_rows,
        )
        if any(row[3] == Delivery.Status.PENDING and row[4] <= now for row in delivery_rows):
            transaction.on_commit(_enqueue_dispatch)
        user_ids = {people[rid].user_id for _, rid in ids.values()}
        badge.forget(user_ids)
        transaction.on_commit(lambda: badge.forget(user_ids))
        return len(ids)


def _enqueue_dispatch() -> None:
    from trellis.notify.tasks import deliveries_dispatch_task

    try:
        deliveries_dispatch_task.enqueue()
    except Exception:  # the periodic dispatcher picks them up within 30 s anyway
        logger.exception("could not enqueue the dispatcher")


def notification_send(
    *,
    recipient: Employee,
    category: str,
    key: str,
    subject: str,
    body: str,
    url: str = "",
    mandatory: bool = False,
    context: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Send one notification (see ``notifications_send``); True if it was new."""
    return (
        notifications_send(
            [
                NotificationRequest(
                    recipient_id=recipient.pk,
                    category=category,
                    key=key,
                    subject=subject,
                    body=body,
                    url=url,
                    mandatory=mandatory,
                    context=context,
                )
            ],
            now=now,
        )
        == 1
    )


# --- dispatching -----------------------------------------------------------------------------


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def deliveries_claim(*, now: dt.datetime, limit: int = 100) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries for this worker. A row moves from ``pending`` to
    ``sending`` with a conditional UPDATE, so each is claimed by exactly one worker; on
    PostgreSQL the candidates are also locked with ``SKIP LOCKED`` so workers do not wait on
    each other."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = Delivery.objects.filter(
            status=Delivery.Status.PENDING, due_at__lte=now
        ).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claim=token, claimed_at=now
        )
    return list(
        Delivery.objects.filter(claim=token, status=Delivery.Status.SENDING)
        .select_related("notification", "recipient", "recipient__user")
        .order_by("due_at", "id")
    )


def _release_stale(now: dt.datetime) -> None:
    """Deliveries whose worker died mid-send: we cannot know whether they went out, so they are
    marked failed (never sent twice); an L&D admin can retry them from the failed page."""
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(
        status=Delivery.Status.FAILED,
        last_error="The worker stopped while sending; not retried automatically to avoid a duplicate.",
        updated_at=now,
    )


def deliveries_dispatch(*, now: dt.datetime | None = None, limit: int = 100) -> DispatchResult:
    """Send every due delivery once (in batches of ``limit``). Safe to run in several workers."""
    from trellis.notify.channels import send_delivery

    now = now or timezone.now()
    result = DispatchResult()
    _release_stale(now)
    org = notify_settings_get()
    while True:
        batch = deliveries_claim(now=now, limit=limit)
        if not batch:
            break
        for delivery in batch:
            try:
                send_delivery(delivery, org=org)
            except Exception as exc:  # any transport error: retry with backoff
                error = f"{type(exc).__name__}: {exc}"[:2000]
                attempts = delivery.attempts + 1
                if attempts >= MAX_ATTEMPTS:
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.FAILED,
                        attempts=attempts,
                        last_error=error,
                        updated_at=timezone.now(),
                    )
                    result.failed += 1
                    logger.warning("delivery %s failed for good: %s", delivery.pk, error)
                else:
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.PENDING,
                        attempts=attempts,
                        last_error=error,
                        due_at=now + BACKOFF[attempts - 1],
                        reason=f"retry {attempts + 1} of {MAX_ATTEMPTS}",
                        claim="",
                        updated_at=timezone.now(),
                    )
                    result.retrying += 1
            else:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SENT,
                    attempts=delivery.attempts + 1,
                    sent_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                result.sent += 1
        if len(batch) < limit:
            break
    return result


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor: Any) -> Delivery:
    """Put a failed delivery back in the queue (L&D admins, from the failed deliveries page)."""
    if delivery.status != Delivery.Status.FAILED:
        raise ValueError("Only a failed delivery can be retried.")
    now = timezone.now()
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.due_at = now
    delivery.claim = ""
    delivery.reason = "retried by L&D"
    delivery.save(update_fields=["status", "attempts", "due_at", "claim", "reason", "updated_at"])
    audit_log(actor=actor, code="trellis.notify.delivery_retried", target=delivery)
    transaction.on_commit(_enqueue_dispatch)
    return delivery


# --- inbox -------------------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, now: dt.datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
        badge.forget([notification.recipient.user_id])


def notifications_mark_all_read(*, employee: Employee, now: dt.datetime | None = None) -> int:
    count = Notification.objects.filter(
        recipient=employee, in_inbox=True, read_at__isnull=True
    ).update(read_at=now or timezone.now())
    badge.forget([employee.user_id])
    return count


# --- preferences and settings -------------------------------------------------------------------


@transaction.atomic
def preference_set(*, employee: Employee, category: str, channel: str, enabled: bool) -> Preference:
    if category not in Category.values or channel not in Channel.values:
        raise ValueError("Unknown category or channel.")
    pref, _ = Preference.objects.update_or_create(
        employee=employee, category=category, channel=channel, defaults={"enabled": enabled}
    )
    return pref


@transaction.atomic
def preferences_set(*, employee: Employee, changes: list[tuple[str, str, bool]]) -> int:
    """Set some (category, channel) pairs on or off (the API's partial update). All pairs are
    checked before anything is written. Returns how many pairs were given."""
    for category, channel, _ in changes:
        if category not in Category.values or channel not in Channel.values:
            raise ValueError(f"Unknown category or channel: {category!r}, {channel!r}.")
    for category, channel, enabled in changes:
        preference_set(employee=employee, category=category, channel=channel, enabled=enabled)
    return len(changes)


@transaction.atomic
def preferences_update(*, employee: Employee, enabled: set[tuple[str, str]]) -> int:
    """Store the whole matrix from the settings page: ``enabled`` holds the (category, channel)
    pairs that are on; every other pair is off. Returns how many rows changed."""
    saved = {(p.category, p.channel): p for p in Preference.objects.filter(employee=employee)}
    changed = 0
    for category in Category.values:
        for channel in Channel.values:
            want = (category, channel) in enabled
            pref = saved.get((category, channel))
            default = channel in DEFAULT_ON
            if pref is None and want == default:
                continue
            if pref is not None and pref.enabled == want:
                continue
            preference_set(employee=employee, category=category, channel=channel, enabled=want)
            changed += 1
    return changed


@transaction.atomic
def notification_profile_update(
    *,
    employee: Employee,
    quiet_hours_enabled: bool | None,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    digest_weekday: int,
    digest_hour: int,
) -> NotificationProfile:
    if not 0 <= digest_weekday <= 6 or not 0 <= digest_hour <= 23:
        raise ValueError("digest: weekday 0-6 and hour 0-23")
    profile, _ = NotificationProfile.objects.get_or_create(employee=employee)
    profile.quiet_hours_enabled = quiet_hours_enabled
    profile.quiet_start = quiet_start
    profile.quiet_end = quiet_end
    profile.digest_weekday = digest_weekday
    profile.digest_hour = digest_hour
    profile.save()
    return profile


WEBHOOK_FIELDS = ("slack_webhook_url", "teams_webhook_url")
SETTINGS_FIELDS = (
    "daily_cap",
    "weekly_cap",
    "quiet_hours_enabled",
    "quiet_start",
    "quiet_end",
    "active_hours_enabled",
    "inactivity_days",
    *WEBHOOK_FIELDS,
)


def webhook_url_validate(url: str) -> str:
    """An https URL (plain http only to loopback when ``TRELLIS_NOTIFY_ALLOW_HTTP_WEBHOOKS``)."""
    from urllib.parse import urlsplit

    from django.core.exceptions import ValidationError

    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    allow_http = getattr(django_settings, "TRELLIS_NOTIFY_ALLOW_HTTP_WEBHOOKS", False)
    if parts.scheme == "https" and parts.hostname:
        return url
    if allow_http and parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}:
        return url
    raise ValidationError("Enter an https:// webhook URL.")


@transaction.atomic
def notify_settings_update(*, actor: Any, **values: Any) -> NotifySettings:
    """Change the organisation's notification settings (L&D admins); audited with the changes.
    Webhook URLs are not written to the audit log (they are secrets), only that they changed."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    for name in WEBHOOK_FIELDS:
        if name in values:
            values[name] = webhook_url_validate(values[name] or "")
    org = NotifySettings.objects.select_for_update().get(pk=notify_settings_get().pk)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if getattr(org, name) != value:
            changes[name] = "(changed)" if name in WEBHOOK_FIELDS else str(value)
            setattr(org, name, value)
    if changes:
        org.save()
        audit_log(actor=actor, code="trellis.notify.settings_changed", target=org, data=changes)
    return org


def unsubscribe(*, employee: Employee, category: str, channel: str) -> Preference:
    """Turn one category off on one channel (the one-click unsubscribe link)."""
    return preference_set(employee=employee, category=category, channel=channel, enabled=False)


# --- the rules that are not about programs -----------------------------------------------------


def active_hours_refresh(
    *, employee_ids: list[int] | None = None, now: dt.datetime | None = None, days: int = 90
) -> int:
    """Store each person's most active local hour (from their statements of the last ``days``
    days) on their profile. Returns how many profiles have an active hour."""
    from trellis.notify.selectors import activity_hour_histograms

    now = now or timezone.now()
    employees = Employee.objects.filter(is_active=True).only("pk", "email", "timezone")
    if employee_ids is not None:
        employees = employees.filter(pk__in=employee_ids)
    people = list(employees)
    histograms = activity_hour_histograms(employees=people, since=now - dt.timedelta(days=days))
    best = {
        pk: max(sorted(counts), key=lambda h: counts[h])
        for pk, counts in histograms.items()
        if counts
    }
    with transaction.atomic():
        profiles = {
            p.employee_id: p
            for p in NotificationProfile.objects.filter(employee_id__in=[e.pk for e in people])
        }
        NotificationProfile.objects.bulk_create(
            [NotificationProfile(employee_id=pk) for pk in best if pk not in profiles],
            ignore_conflicts=True,
        )
        to_update = list(NotificationProfile.objects.filter(employee_id__in=[e.pk for e in people]))
        for p in to_update:
            p.active_hour = best.get(p.employee_id)
            p.active_hour_computed_at = now
        NotificationProfile.objects.bulk_update(
            to_update, ["active_hour", "active_hour_computed_at"], batch_size=500
        )
    return len(best)


def inactivity_nudges_send(*, now: dt.datetime | None = None) -> int:
    """Nudge active learners with no learning activity for ``inactivity_days`` days (one nudge
    per quiet spell: the key holds the date of their last activity, or "never" for people hired
    more than that long ago who have not started). Each new nudge suggests one item: the top of
    the person's "For you" feed with its reason (``discovery.recommendations.nudge_picks``, under
    their consent and personalization setting); without one it links to the catalog."""
    from django.urls import reverse

    from trellis.notify.selectors import last_activity_by_employee

    now = now or timezone.now()
    org = notify_settings_get()
    cutoff = now - dt.timedelta(days=org.inactivity_days)
    people = list(
        Employee.objects.filter(is_active=True).values_list("pk", "hire_date", "full_name")
    )
    last = last_activity_by_employee(employee_ids=[pk for pk, _, _ in people])
    quiet: list[tuple[int, str, str]] = []  # (employee pk, marker, body)
    for pk, hire_date, name in people:
        seen = last.get(pk)
        if seen is not None:
            if seen >= cutoff:
                continue
            marker = seen.date().isoformat()
            body = (
                f"Hello {name.split()[0]}, you have not learned anything in Trellis since "
                f"{seen:%d %B}. Ten minutes today keeps your skills growing."
            )
        else:
            if hire_date is None or hire_date > cutoff.date():
                continue
            marker = "never"
            body = (
                f"Hello {name.split()[0]}, you have not started any learning in Trellis yet. "
                "The catalog has short items matched to your role."
            )
        quiet.append((pk, marker, body))
    key = "nudge:inactivity:{}:{}".format
    sent: set[str] = set()
    for chunk in _chunks([key(pk, marker) for pk, marker, _ in quiet]):
        sent.update(Notification.objects.filter(key__in=chunk).values_list("key", flat=True))
    quiet = [q for q in quiet if key(q[0], q[1]) not in sent]
    picks: dict[int, Any] = {}
    if quiet:
        try:
            from trellis.discovery.recommendations import nudge_picks

            picks = nudge_picks(employee_ids=[pk for pk, _, _ in quiet])
        except Exception:  # a failing recommender must not stop the nudges
            logger.warning("no recommendations for the inactivity nudges", exc_info=True)
    requests = []
    for pk, marker, body in quiet:
        pick = picks.get(pk)
        url, context = "/catalog/", {"rule": "inactivity", "last_activity": marker}
        if pick is not None:
            reason = pick.reasons[0].text if pick.reasons else ""
            body += f" One to start with: “{pick.item.title}”" + (
                f" ({reason[0].lower()}{reason[1:]})." if reason else "."
            )
            url = reverse("catalog:item", args=[pick.item.uid])
            context.update(item=pick.item.pk, reason=reason)
        requests.append(
            NotificationRequest(
                recipient_id=pk,
                category=Category.NUDGE,
                key=key(pk, marker),
                subject="Time for a little learning?",
                body=body,
                url=url,
                context=context,
            )
        )
    return notifications_send(requests, now=now)


def new_content_notices_send(*, now: dt.datetime | None = None, days: int = 7) -> int:
    """Tell each learner about published items added in the last ``days`` days that teach a skill
    of their role profile (at most one notice per person per week, listing up to 3 items).

    Interests: there is no interests model yet, so a person's interests are the skills of their
    job role's profile plus the skills they rated themselves on."""
    from trellis.catalog.models import Item, ItemSkill
    from trellis.skills.models import RoleSkill, SkillEvidence

    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    items = {
        i.pk: i
        for i in Item.objects.filter(is_published=True, created_at__gte=since).only(
            "pk", "uid", "title", "created_at"
        )
    }
    if not items:
        return 0
    by_skill: dict[int, list[int]] = defaultdict(list)
    for item_id, skill_id in ItemSkill.objects.filter(item_id__in=list(items)).values_list(
        "item_id", "skill_id"
    ):
        by_skill[skill_id].append(item_id)
    role_skills: dict[int, set[int]] = defaultdict(set)
    for role_id, skill_id in RoleSkill.objects.filter(skill_id__in=list(by_skill)).values_list(
        "job_role_id", "skill_id"
    ):
        role_skills[role_id].add(skill_id)
    rated: dict[int, set[int]] = defaultdict(set)
    for employee_id, skill_id in SkillEvidence.objects.filter(
        skill_id__in=list(by_skill), kind=SkillEvidence.Kind.SELF
    ).values_list("employee_id", "skill_id"):
        rated[employee_id].add(skill_id)
    people = (
        Employee.objects.filter(is_active=True)
        .filter(Q(job_role_id__in=list(role_skills)) | Q(pk__in=list(rated)))
        .values_list("pk", "job_role_id", "timezone")
    )
    requests = []
    for pk, role_id, tz_name in people:
        skills = role_skills.get(role_id, set()) | rated.get(pk, set())
        matched = sorted(
            {i for s in skills for i in by_skill[s]},
            key=lambda i: (-items[i].created_at.timestamp(), items[i].title),
        )
        if not matched:
            continue
        chosen = [items[i] for i in matched[:3]]
        week = planning.iso_week(now, planning.zone(tz_name))
        lines = [f"- {i.title}: /catalog/item/{i.uid}/" for i in chosen]
        more = len(matched) - len(chosen)
        requests.append(
            NotificationRequest(
                recipient_id=pk,
                category=Category.NEW_CONTENT,
                key=f"new_content:{pk}:{week}",
                subject=f"New in the catalog for your skills: {chosen[0].title}"
                + (f" and {len(matched) - 1} more" if len(matched) > 1 else ""),
                body="New items that teach skills of your role:\n"
                + "\n".join(lines)
                + (f"\n…and {more} more in the catalog." if more else ""),
                url=f"/catalog/item/{chosen[0].uid}/",
                context={"items": [str(i.uid) for i in chosen]},
            )
        )
    return notifications_send(requests, now=now)


def _program_facts(name: str, employee: Employee, *, today: dt.date) -> dict[str, Any]:
    """Facts from the programs app (``trellis.programs.selectors.<name>(employee, today=…)``, on
    the person's local date of the digest) if it is installed and provides them; {} otherwise, so
    the digest works without programs."""
    try:
        from trellis.programs import selectors as program_selectors  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return {}
    fn = getattr(program_selectors, name, None)
    if fn is None:
        return {}
    try:
        return dict(fn(employee, today=today) or {})
    except Exception:
        logger.exception("programs.%s failed for %s", name, employee.pk)
        return {}


def _has_facts(facts: dict[str, Any]) -> bool:
    """Something worth saying: a non-zero count or a non-empty list."""
    return any(
        (isinstance(v, int | float) and not isinstance(v, bool) and v)
        or (isinstance(v, list) and v)
        for v in facts.values()
    )


def _fact_lines(facts: dict[str, Any]) -> list[str]:
    """``{"overdue": 2, "overdue_names": [...]}`` -> ``["- Overdue: 2 (A, B)"]``."""
    lines = []
    for name, value in facts.items():
        if name.endswith("_names") or isinstance(value, list | dict):
            continue
        line = f"- {name.replace('_', ' ').capitalize()}: {value}"
        names = facts.get(f"{name}_names") or []
        if names:
            shown = ", ".join(str(n) for n in names[:5])
            line += f" ({shown}{f' and {len(names) - 5} more' if len(names) > 5 else ''})"
        lines.append(line)
    return lines


def _digest_for(
    employee: Employee,
    *,
    is_manager: bool,
    held: list[Notification],
    unread: list[Notification],
    week: str,
    today: dt.date,
) -> NotificationRequest | None:
    due = _program_facts("learner_digest_facts", employee, today=today)
    team = _program_facts("team_digest_facts", employee, today=today) if is_manager else {}
    if not held and not unread and not _has_facts(due) and not _has_facts(team):
        return None
    first = employee.full_name.split()[0]
    lines = [f"Hello {first}, here is your week in Trellis."]
    items: list[dict[str, Any]] = []
    if held:
        lines += ["", "Held back to keep your inbox quiet:"]
        for n in held:
            lines.append(f"- {n.subject}" + (f" ({n.url})" if n.url else ""))
            items.append({"subject": n.subject, "url": n.url, "mandatory": n.mandatory})
    if unread:
        lines += ["", f"Unread notifications ({len(unread)}):"]
        lines += [f"- {n.subject}" for n in unread[:10]]
    if _has_facts(due):
        lines += ["", "What is due:", *_fact_lines(due)]
    if _has_facts(team):
        lines += ["", "Your team:", *_fact_lines(team)]
    return NotificationRequest(
        recipient_id=employee.pk,
        category=Category.DIGEST,
        key=f"digest:{employee.pk}:{week}",
        subject=f"Your weekly Trellis digest ({week})",
        body="\n".join(lines),
        url="/notifications/",
        mandatory=any(n.mandatory for n in held),
        context={
            "held": [n.pk for n in held],
            "items": items,
            "unread": len(unread),
            "due": due,
            "team": team,
        },
    )


def digests_send_due(
    *, now: dt.datetime | None = None, employee_ids: list[int] | None = None
) -> int:
    """Send the weekly digest of everyone whose digest time (their weekday and hour, in their
    time zone) has come this week and who has not had this week's digest. A digest carries the
    notifications held back by the caps, the unread ones, what is due and, for managers, their
    team's facts; held deliveries become ``batched`` (sent in the digest)."""
    now = now or timezone.now()
    qs = Employee.objects.filter(is_active=True).select_related("notification_profile")
    if employee_ids is not None:
        qs = qs.filter(pk__in=employee_ids)
    due_people: dict[int, tuple[Employee, str]] = {}
    for e in qs:
        profile = getattr(e, "notification_profile", None)
        weekday = profile.digest_weekday if profile else 0
        hour = profile.digest_hour if profile else 8
        tz = planning.zone(e.timezone)
        if now >= planning.digest_slot(now, tz, weekday, hour):
            due_people[e.pk] = (e, planning.iso_week(now, tz))
    if not due_people:
        return 0
    keys = {f"digest:{pk}:{week}": pk for pk, (_, week) in due_people.items()}
    for key in Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True):
        due_people.pop(keys[key], None)
    held: dict[int, list[Notification]] = defaultdict(list)
    held_ids = Delivery.objects.filter(
        recipient_id__in=list(due_people), status=Delivery.Status.HELD
    ).values_list("notification_id", flat=True)
    for n in Notification.objects.filter(pk__in=held_ids).order_by("created_at", "id"):
        held[n.recipient_id].append(n)
    unread: dict[int, list[Notification]] = defaultdict(list)
    for n in (
        Notification.objects.filter(
            recipient_id__in=list(due_people),
            in_inbox=True,
            read_at__isnull=True,
            created_at__gte=now - dt.timedelta(days=7),
        )
        .exclude(category=Category.DIGEST)
        .exclude(pk__in=held_ids)
    ):
        unread[n.recipient_id].append(n)
    managers = set(
        Employee.objects.filter(manager_id__in=list(due_people), is_active=True).values_list(
            "manager_id", flat=True
        )
    )
    requests = []
    for pk, (employee, week) in due_people.items():
        request = _digest_for(
            employee,
            is_manager=pk in managers,
            held=held[pk],
            unread=unread[pk],
            week=week,
            today=now.astimezone(planning.zone(employee.timezone)).date(),
        )
        if request is not None:
            requests.append(request)
    with transaction.atomic():
        created = notifications_send(requests, now=now)
        digest_ids = dict(
            Notification.objects.filter(key__in=[r.key for r in requests]).values_list(
                "recipient_id", "pk"
            )
        )
        for pk, notes in held.items():
            digest_id = digest_ids.get(pk)
            if digest_id is None:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(digest_id=digest_id)
            Delivery.objects.filter(
                notification_id__in=[n.pk for n in notes], status=Delivery.Status.HELD
            ).update(status=Delivery.Status.BATCHED, sent_at=now, updated_at=now)
    return created
