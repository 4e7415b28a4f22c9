from __future__ import annotations

import datetime as dt

from trellis.notify.models import Category, Channel, Delivery, Notification
from trellis.notify.services import NotificationRequest, notification_send, notifications_send

NOON_UTC = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)  # a Wednesday


def req(recipient, key: str, **kw) -> NotificationRequest:
    return NotificationRequest(
        recipient_id=recipient.pk,
        category=kw.pop("category", Category.ASSIGNED),
        key=key,
        subject=kw.pop("subject", f"Subject {key}"),
        body=kw.pop("body", "Body"),
        **kw,
    )


def test_same_key_twice_gives_one_notification(personas):
    alice = personas.alice
    assert notification_send(
        recipient=alice, category=Category.ASSIGNED, key="k1", subject="S", body="B"
    )
    assert not notification_send(
        recipient=alice, category=Category.ASSIGNED, key="k1", subject="S2", body="B2"
    )
    assert notifications_send([req(alice, "k1"), req(alice, "k2"), req(alice, "k2")]) == 1
    assert sorted(Notification.objects.values_list("key", "subject")) == [
        ("k1", "S"),
        ("k2", "Subject k2"),
    ]
    n = Notification.objects.get(key="k1")
    assert sorted(n.deliveries.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.IN_APP]
    assert Delivery.objects.count() == 4
