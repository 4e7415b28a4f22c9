"""Idempotency, constant query counts, and two workers dispatching at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from trellis.notify.models import Category, Channel, Delivery, Notification, NotifySettings
from trellis.notify.services import NotificationRequest, deliveries_dispatch, notifications_send
from trellis.people.tests.factories import EmployeeFactory

NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


def requests_for(people, n: int, prefix: str) -> list[NotificationRequest]:
    return [
        NotificationRequest(
            recipient_id=people[i % len(people)].pk,
            category=Category.PROGRAM_LAUNCHED,
            key=f"{prefix}:{i}",
            subject=f"Launch {i}",
            body="A new program",
            url="/programs/",
        )
        for i in range(n)
    ]


def test_send_uses_a_constant_number_of_queries(personas, django_assert_num_queries):
    people = [EmployeeFactory() for _ in range(50)]
    notifications_send(requests_for(people[:1], 1, "warm"), now=NOON)  # settings row created
    with django_assert_num_queries(10) as small:
        assert notifications_send(requests_for(people[:10], 10, "small"), now=NOON) == 10
    with django_assert_num_queries(len(small.captured_queries)):
        assert notifications_send(requests_for(people, 1000, "large"), now=NOON) == 1000
    assert Notification.objects.count() == 1011
    assert Delivery.objects.count() == 2022
    # again: every key is known
    with django_assert_num_queries(3):  # savepoint, the key lookup, release
        assert notifications_send(requests_for(people, 1000, "large"), now=NOON) == 0


def test_leavers_and_unknown_categories(personas):
    personas.bob.is_active = False
    personas.bob.save(update_fields=["is_active"])
    assert notifications_send(requests_for([personas.bob], 1, "x")) == 0
    with pytest.raises(ValueError, match="category"):
        notifications_send(
            [
                NotificationRequest(
                    recipient_id=personas.alice.pk, category="spam", key="k", subject="s", body="b"
                )
            ]
        )
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_delivery_exactly_once(settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file database (TEST_SQLITE_NAME) or PostgreSQL")
    # only the two workers below dispatch (no immediate dispatch after commit), no cap
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    NotifySettings.objects.create(pk=1, daily_cap=100, weekly_cap=100)
    people = [EmployeeFactory() for _ in range(40)]
    notifications_send(requests_for(people, 400, "race"), now=NOON)
    assert (
        Delivery.objects.filter(channel=Channel.EMAIL, status=Delivery.Status.PENDING).count()
        == 400
    )
    mail.outbox = []
    start = threading.Barrier(2)
    results = []
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connections

        try:
            start.wait()
            results.append(deliveries_dispatch(now=NOON, limit=7))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.sent for r in results) == 400
    assert len(mail.outbox) == 400
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Launch {i}" for i in range(400))
    assert (
        Delivery.objects.filter(channel=Channel.EMAIL, status=Delivery.Status.SENT).count() == 400
    )
    assert set(
        Delivery.objects.filter(channel=Channel.EMAIL).values_list("attempts", flat=True)
    ) == {1}
    if connection.vendor == "postgresql":
        assert all(r.sent > 0 for r in results), "both workers should have taken part"


def test_interrupted_send_is_failed_not_repeated(personas):
    notifications_send(requests_for([personas.alice], 1, "crash"), now=NOON)
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENDING, claimed_at=NOON)
    deliveries_dispatch(now=NOON + dt.timedelta(minutes=5))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING
    deliveries_dispatch(now=NOON + dt.timedelta(minutes=16))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "stopped while sending" in delivery.last_error
    assert mail.outbox == []
