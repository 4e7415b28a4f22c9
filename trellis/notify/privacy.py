"""What the notify app holds about a person (export and erasure; contract in
``trellis.governance.personal_data``)."""

from __future__ import annotations

from typing import Any

from trellis.notify.models import Delivery, Notification, NotificationProfile, Preference


def export_data(*, employee: Any) -> dict[str, Any]:
    profile = NotificationProfile.objects.filter(employee_id=employee.pk).first()
    return {
        "settings": None
        if profile is None
        else {
            "quiet_hours_enabled": profile.quiet_hours_enabled,
            "quiet_start": profile.quiet_start,
            "quiet_end": profile.quiet_end,
            "digest_weekday": profile.digest_weekday,
            "digest_hour": profile.digest_hour,
            "active_hour": profile.active_hour,
        },
        "preferences": list(
            Preference.objects.filter(employee_id=employee.pk)
            .order_by("category", "channel")
            .values("category", "channel", "enabled")
        ),
        "notifications": [
            {
                "category": n.category,
                "subject": n.subject,
                "body": n.body,
                "url": n.url,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in Notification.objects.filter(recipient_id=employee.pk).order_by(
                "created_at", "id"
            )
        ],
        "deliveries": list(
            Delivery.objects.filter(recipient_id=employee.pk)
            .order_by("id")
            .values("notification_id", "channel", "status")
        ),
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """Notifications, their deliveries, preferences and settings are deleted."""
    deliveries = Delivery.objects.filter(recipient_id=employee.pk).delete()[0]
    notifications = Notification.objects.filter(recipient_id=employee.pk).delete()[0]
    preferences = Preference.objects.filter(employee_id=employee.pk).delete()[0]
    profiles = NotificationProfile.objects.filter(employee_id=employee.pk).delete()[0]
    return {
        "notifications": notifications,
        "deliveries": deliveries,
        "preferences": preferences,
        "profiles": profiles,
    }
