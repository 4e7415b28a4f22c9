from __future__ import annotations

from typing import Any

from django.utils import timezone

from trellis.notify.models import Notification, Preference
from trellis.notify.privacy import erase_data, export_data


def test_export_and_erase_notifications(personas: Any) -> None:
    now = timezone.now()
    Notification.objects.create(
        recipient=personas.alice, category="digest", key="a", subject="Hi", body="b", created_at=now
    )
    Notification.objects.create(
        recipient=personas.bob, category="digest", key="b", subject="Hi", body="b", created_at=now
    )
    Preference.objects.create(
        employee=personas.alice, category="digest", channel="email", enabled=False
    )
    data = export_data(employee=personas.alice)
    assert [n["subject"] for n in data["notifications"]] == ["Hi"]
    assert data["preferences"] == [{"category": "digest", "channel": "email", "enabled": False}]
    counts = erase_data(employee=personas.alice, pseudonym="anon-1")
    assert (counts["notifications"], counts["preferences"]) == (1, 1)
    assert list(Notification.objects.values_list("key", flat=True)) == ["b"]
