from __future__ import annotations

import time

from django.urls import reverse

from trellis.notify.demo import build_inboxes
from trellis.notify.models import Channel, Delivery, Notification
from trellis.people.tests.factories import EmployeeFactory, UserFactory


def test_demo_inboxes(db, client, password):
    people = {
        name: EmployeeFactory(user=UserFactory(username=name, roles=roles))
        for name, roles in (("sam", None), ("priya", None), ("lena", ["ld_admin"]))
    }
    started = time.monotonic()
    assert build_inboxes() == {"notifications": 8}
    assert time.monotonic() - started < 5
    sam = people["sam"]
    mine = Notification.objects.filter(recipient=sam)
    assert mine.count() == 5
    assert sorted(mine.filter(read_at__isnull=True).values_list("category", flat=True)) == [
        "due_soon",
        "new_content",
        "nudge",
    ]
    assert mine.filter(mandatory=True).count() == 1
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert (failed.recipient, failed.channel) == (sam, Channel.SLACK)
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    # idempotent
    assert build_inboxes() == {"notifications": 0}
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 1
    # what a demo visitor sees
    assert client.login(username="sam", password=password)
    page = client.get(reverse("notify:inbox"))
    assert page.context["unread"] == 3
    assert b"WebhookError: HTTP 404: no_service" in client.get(reverse("notify:log")).content
    assert client.login(username="lena", password=password)
    assert [d.pk for d in client.get(reverse("notify:failed")).context["page"]] == [failed.pk]
