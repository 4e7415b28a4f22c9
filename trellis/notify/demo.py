"""Demo step "notify.demo": a lived-in inbox for the demo logins (read and unread notices, a
mandatory one, a digest, and a Slack delivery that failed after every retry in Sam's log).

History is written as already delivered, so the demo worker does not email it all on start, and no
webhook URL is configured (the demo makes no outside calls)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.utils import timezone

from trellis.notify.models import Category, Channel, Delivery, Notification
from trellis.notify.services import MAX_ATTEMPTS, NotificationRequest, notifications_send
from trellis.people.models import Employee


def _n(
    who: Employee, key: str, category: str, subject: str, body: str, url: str, **kw: Any
) -> NotificationRequest:
    return NotificationRequest(
        recipient_id=who.pk,
        category=category,
        key=f"demo:{key}:{who.pk}",
        subject=subject,
        body=body,
        url=url,
        **kw,
    )


def build_inboxes(*, stdout: TextIO | None = None) -> dict[str, Any]:
    people = {
        e.user.username: e
        for e in Employee.objects.select_related("user").filter(
            user__username__in=["sam", "priya", "lena", "daniel"]
        )
    }
    if not people:
        return {"notifications": 0}
    now = timezone.now()
    sam, priya, lena = people.get("sam"), people.get("priya"), people.get("lena")
    batches: list[tuple[dt.datetime, list[NotificationRequest]]] = []
    if sam is not None:
        batches += [
            (
                now - dt.timedelta(days=9),
                [
                    _n(
                        sam,
                        "launch",
                        Category.PROGRAM_LAUNCHED,
                        "New program: AI fluency for everyone",
                        'Our CEO launched "AI fluency for everyone". Everyone completes it within 90 days; it takes about 6 hours.',
                        "/learning/",
                    )
                ],
            ),
            (
                now - dt.timedelta(days=9, minutes=-1),
                [
                    _n(
                        sam,
                        "assigned",
                        Category.ASSIGNED,
                        "Assigned to you: AI fluency for everyone",
                        'Due in 90 days. Start with "What is generative AI?" (20 minutes).',
                        "/learning/",
                    )
                ],
            ),
            (
                now - dt.timedelta(days=4),
                [
                    _n(
                        sam,
                        "new",
                        Category.NEW_CONTENT,
                        "New in the catalog for your skills: Data visualisation with Python",
                        "New items that teach skills of your role:\n- Data visualisation with Python\n- Statistics refresher",
                        "/catalog/",
                    )
                ],
            ),
            (
                now - dt.timedelta(days=2),
                [
                    _n(
                        sam,
                        "privacy",
                        Category.DUE_SOON,
                        "Due in 5 days: Data privacy essentials",
                        "Your yearly data privacy recertification is due in 5 days. It takes 45 minutes.",
                        "/learning/",
                        mandatory=True,
                    )
                ],
            ),
            (
                now - dt.timedelta(hours=20),
                [
                    _n(
                        sam,
                        "nudge",
                        Category.NUDGE,
                        "Priya sent you a nudge",
                        'Priya Raman: "Could you finish the AI fluency module on prompts this week?"',
                        "/learning/",
                    )
                ],
            ),
        ]
    if priya is not None:
        batches += [
            (
                now - dt.timedelta(days=3),
                [
                    _n(
                        priya,
                        "escalation",
                        Category.ESCALATION,
                        "3 people in your team are overdue",
                        "Overdue in your team: Data privacy essentials (3 people). Open your team view to nudge or extend.",
                        "/people/team/",
                    )
                ],
            ),
            (
                now - dt.timedelta(days=1),
                [
                    _n(
                        priya,
                        "digest",
                        Category.DIGEST,
                        "Your weekly Trellis digest",
                        "Your team: 3 overdue, 5 due within 7 days, 2 at risk.",
                        "/people/team/",
                    )
                ],
            ),
        ]
    if lena is not None:
        batches += [
            (
                now - dt.timedelta(days=1),
                [
                    _n(
                        lena,
                        "failed",
                        Category.DIGEST,
                        "Your weekly Trellis digest",
                        "1 delivery failed this week: see Admin → Failed deliveries.",
                        "/notifications/admin/failed/",
                    )
                ],
            ),
        ]
    created = 0
    for when, requests in batches:
        created += notifications_send(requests, now=when)
    # History: delivered, and the oldest ones read.
    demo = Notification.objects.filter(key__startswith="demo:")
    Delivery.objects.filter(
        notification__in=demo, status__in=[Delivery.Status.PENDING, Delivery.Status.HELD]
    ).update(status=Delivery.Status.SENT, sent_at=now, attempts=1, updated_at=now)
    demo.filter(created_at__lt=now - dt.timedelta(days=5), read_at__isnull=True).update(
        read_at=now - dt.timedelta(days=5)
    )
    if sam is not None:
        nudge = Notification.objects.filter(key=f"demo:nudge:{sam.pk}").first()
        if nudge is not None:
            Delivery.objects.get_or_create(
                notification=nudge,
                channel=Channel.SLACK,
                defaults={
                    "recipient": sam,
                    "status": Delivery.Status.FAILED,
                    "due_at": nudge.created_at + dt.timedelta(hours=14, minutes=36),
                    "attempts": MAX_ATTEMPTS,
                    "last_error": "WebhookError: HTTP 404: no_service",
                    "reason": f"retry {MAX_ATTEMPTS} of {MAX_ATTEMPTS}",
                    "created_at": nudge.created_at,
                },
            )
    return {"notifications": created}
