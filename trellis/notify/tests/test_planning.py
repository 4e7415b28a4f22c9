"""When deliveries go out: quiet hours (across DST), active hours, caps and digests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trellis.notify import planning
from trellis.notify.models import Category, Channel, Delivery, Notification, NotificationProfile
from trellis.notify.services import (
    active_hours_refresh,
    digests_send_due,
    notification_send,
    notify_settings_update,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def email_due(key: str) -> Delivery:
    return Delivery.objects.get(notification__key=key, channel=Channel.EMAIL)


def send(who, key, now, **kw):
    return notification_send(
        recipient=who,
        category=kw.pop("category", Category.ASSIGNED),
        key=key,
        subject=kw.pop("subject", f"About {key}"),
        body="Body",
        now=now,
        **kw,
    )


@pytest.mark.parametrize(
    ("sent_local", "expected_utc", "hours_later"),
    [
        # Spring forward: Sun 29 Mar 2026, 02:00 CET -> 03:00 CEST. 21:00 Sat -> 08:00 Sun is 10 h.
        (dt.datetime(2026, 3, 28, 21, 0), dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC), 10),
        # Fall back: Sun 25 Oct 2026, 03:00 CEST -> 02:00 CET. 21:00 Sat -> 08:00 Sun is 12 h.
        (dt.datetime(2026, 10, 24, 21, 0), dt.datetime(2026, 10, 25, 7, 0, tzinfo=UTC), 12),
        # After midnight, inside the window, on the night of each change
        (dt.datetime(2026, 3, 29, 1, 30), dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC), None),
        (dt.datetime(2026, 10, 25, 1, 30), dt.datetime(2026, 10, 25, 7, 0, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_across_dst_in_berlin(personas, sent_local, expected_utc, hours_later):
    alice = personas.alice
    alice.timezone = "Europe/Berlin"
    alice.save(update_fields=["timezone"])
    now = sent_local.replace(tzinfo=BERLIN).astimezone(UTC)
    send(alice, "q", now)
    delivery = email_due("q")
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.due_at == expected_utc
    assert delivery.due_at.astimezone(BERLIN).time() == dt.time(8, 0)
    assert delivery.reason == "quiet hours"
    if hours_later is not None:
        assert delivery.due_at - now == dt.timedelta(hours=hours_later)
    # the inbox has it at once
    in_app = Delivery.objects.get(notification__key="q", channel=Channel.IN_APP)
    assert (in_app.status, in_app.due_at) == (Delivery.Status.SENT, now)


def test_outside_quiet_hours_and_personal_choice(personas):
    alice = personas.alice
    alice.timezone = "Europe/Berlin"
    alice.save(update_fields=["timezone"])
    day = dt.datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN).astimezone(UTC)
    send(alice, "day", day)
    assert (email_due("day").due_at, email_due("day").reason) == (day, "")
    night = dt.datetime(2026, 3, 29, 23, 0, tzinfo=BERLIN).astimezone(UTC)
    NotificationProfile.objects.create(employee=alice, quiet_hours_enabled=False)
    send(alice, "night", night)
    assert email_due("night").due_at == night


def test_local_at_maps_times_in_the_gap_after_it():
    # 02:30 does not exist in Berlin on 29 Mar 2026: it becomes 03:30 CEST (01:30 UTC).
    assert planning.local_at(dt.date(2026, 3, 29), dt.time(2, 30), BERLIN) == dt.datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # 02:30 happens twice on 25 Oct 2026: the first one (CEST, 00:30 UTC).
    assert planning.local_at(dt.date(2026, 10, 25), dt.time(2, 30), BERLIN) == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert planning.in_window(dt.time(20, 0), dt.time(20, 0), dt.time(8, 0))
    assert not planning.in_window(dt.time(8, 0), dt.time(20, 0), dt.time(8, 0))
    assert planning.in_window(dt.time(12, 0), dt.time(9, 0), dt.time(17, 0))
    assert not planning.in_window(dt.time(12, 0), dt.time(9, 0), dt.time(9, 0))


def test_cap_holds_the_extra_message_and_the_digest_carries_it(
    personas, django_capture_on_commit_callbacks
):
    alice = personas.alice  # UTC; digest Monday 08:00 by default
    notify_settings_update(actor=personas.lena.user, daily_cap=2, weekly_cap=10)
    wed = dt.datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    for i in range(3):
        send(alice, f"m{i}", wed + dt.timedelta(minutes=i))
    send(
        alice, "mandatory", wed + dt.timedelta(minutes=5), category=Category.OVERDUE, mandatory=True
    )
    statuses = {key: email_due(key).status for key in ("m0", "m1", "m2", "mandatory")}
    assert statuses == {
        "m0": Delivery.Status.PENDING,
        "m1": Delivery.Status.PENDING,
        "m2": Delivery.Status.HELD,
        "mandatory": Delivery.Status.HELD,  # batched, not dropped, not muted
    }
    assert email_due("m2").reason == "daily cap"
    # all four are in the inbox straight away
    assert Notification.objects.filter(recipient=alice, in_inbox=True).count() == 4
    # the next day the cap starts again
    send(alice, "thu", wed + dt.timedelta(days=1))
    assert email_due("thu").status == Delivery.Status.PENDING
    # no digest before Monday 08:00 (UTC for alice)
    assert digests_send_due(now=dt.datetime(2026, 6, 15, 7, 59, tzinfo=UTC)) == 0
    # the new week's digest (Monday 08:00) carries the held ones; the held deliveries are batched
    monday = dt.datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    assert digests_send_due(now=monday, employee_ids=[alice.pk]) == 1
    digest = Notification.objects.get(category=Category.DIGEST, recipient=alice)
    assert digest.key == f"digest:{alice.pk}:2026-W25"
    assert digest.mandatory is True  # it carries a mandatory notice
    assert "Held back to keep your inbox quiet:\n- About m2\n- About mandatory" in digest.body
    assert [i["subject"] for i in digest.context["items"]] == ["About m2", "About mandatory"]
    assert set(Notification.objects.filter(digest=digest).values_list("key", flat=True)) == {
        "m2",
        "mandatory",
    }
    assert email_due("m2").status == Delivery.Status.BATCHED
    assert email_due(digest.key).status == Delivery.Status.PENDING
    # idempotent: the same week's digest is not sent twice
    assert digests_send_due(now=monday + dt.timedelta(hours=3)) == 0


def test_weekly_cap(personas):
    notify_settings_update(actor=personas.lena.user, daily_cap=5, weekly_cap=6)
    mon = dt.datetime(2026, 6, 8, 10, 0, tzinfo=UTC)
    for day in range(3):
        for i in range(3):
            send(personas.alice, f"d{day}-{i}", mon + dt.timedelta(days=day, minutes=i))
    held = Delivery.objects.filter(channel=Channel.EMAIL, status=Delivery.Status.HELD)
    assert sorted(d.notification.key for d in held) == ["d2-0", "d2-1", "d2-2"]
    assert {d.reason for d in held} == {"weekly cap"}


def test_active_hours_schedule_non_urgent_categories(personas):
    from trellis.catalog.tests.factories import ItemFactory
    from trellis.lrs.events import VIEWED, XAPI_VERSION, build_statement, trellis_authority
    from trellis.lrs.statements import statements_store

    alice = personas.alice
    alice.timezone = "Europe/Berlin"
    alice.save(update_fields=["timezone"])
    item = ItemFactory()
    # alice learns at 17:xx Berlin time (15:xx UTC in summer) three times, once at 09:xx
    stamps = [dt.datetime(2026, 6, d, 15, 10, tzinfo=UTC) for d in (1, 2, 3)] + [
        dt.datetime(2026, 6, 4, 7, 10, tzinfo=UTC)
    ]
    statements_store(
        [build_statement(employee=alice, item=item, verb=VIEWED, timestamp=t) for t in stamps],
        version=XAPI_VERSION,
        authority=trellis_authority(),
        project=False,
    )
    assert active_hours_refresh(now=dt.datetime(2026, 6, 10, tzinfo=UTC)) == 1
    assert NotificationProfile.objects.get(employee=alice).active_hour == 17
    assert NotificationProfile.objects.filter(active_hour__isnull=False).count() == 1
    morning = dt.datetime(2026, 6, 10, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    # off by default: sent now
    send(alice, "before", morning, category=Category.NUDGE)
    assert email_due("before").due_at == morning
    notify_settings_update(actor=personas.lena.user, active_hours_enabled=True)
    send(alice, "nudge", morning, category=Category.NUDGE)
    send(alice, "assigned", morning, category=Category.ASSIGNED)
    assert email_due("nudge").due_at == dt.datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
    assert email_due("nudge").reason == "active hour 17:00"
    assert email_due("assigned").due_at == morning  # urgent: not delayed
    evening = dt.datetime(2026, 6, 10, 18, 0, tzinfo=BERLIN).astimezone(UTC)
    send(alice, "late", evening, category=Category.NEW_CONTENT)
    assert email_due("late").due_at == dt.datetime(2026, 6, 11, 15, 0, tzinfo=UTC)  # tomorrow 17:00


def test_digest_says_what_is_due_and_tells_managers_about_their_team(personas):
    from trellis.programs import services as programs
    from trellis.programs.models import Enrollment

    lena = personas.lena.user
    monday = dt.datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # after 08:00 in London (alice, bob, maria)
    launched = dt.datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def program(name: str, due_on: dt.date) -> int:
        p = programs.program_create(actor=lena, name=name, due_policy="relative", due_days=30)
        programs.audience_set(actor=lena, program=p, rules=[{"managers": [personas.maria]}])
        programs.program_activate(actor=lena, program=p, now=launched)
        Enrollment.objects.filter(program=p).update(due_on=due_on)
        return p.pk

    program("Data privacy", dt.date(2026, 6, 12))  # overdue (Friday)
    program("AI fluency", dt.date(2026, 6, 17))  # due in 2 days
    program("Later", dt.date(2026, 7, 30))  # not due yet: not mentioned
    done = program("Done already", dt.date(2026, 6, 16))
    Enrollment.objects.filter(program_id=done, employee=personas.alice).update(
        completed_at=monday - dt.timedelta(days=3)
    )
    Enrollment.objects.filter(program_id=done, employee=personas.bob).update(state="exempt")

    people = [personas.alice, personas.maria, personas.charlie]
    assert digests_send_due(now=monday, employee_ids=[p.pk for p in people]) == 2
    alice = Notification.objects.get(category=Category.DIGEST, recipient=personas.alice)
    assert alice.body == (
        "Hello Alice, here is your week in Trellis.\n"
        "\n"
        "What is due:\n"
        "- Overdue: 1 (Data privacy (was due Friday 12 June 2026))\n"
        "- Due soon: 1 (AI fluency (due Wednesday 17 June 2026))"
    )
    assert alice.context["due"] == {
        "overdue": 1,
        "overdue_names": ["Data privacy (was due Friday 12 June 2026)"],
        "due_soon": 1,
        "due_soon_names": ["AI fluency (due Wednesday 17 June 2026)"],
    }
    assert alice.context["team"] == {}  # not a manager
    maria = Notification.objects.get(category=Category.DIGEST, recipient=personas.maria)
    assert maria.body == (
        "Hello Maria, here is your week in Trellis.\n"
        "\n"
        "Your team:\n"
        "- Overdue: 2 (Alice Learner — Data privacy, Bob Peer — Data privacy)\n"
        "- Due soon: 2 (Alice Learner — AI fluency, Bob Peer — AI fluency)\n"
        "- At risk: 4"  # AI fluency, and Later (not started, half of the time gone)
    )
    assert maria.context["due"] == {
        "overdue": 0,
        "overdue_names": [],
        "due_soon": 0,
        "due_soon_names": [],
    }
    # nothing due and no team: no digest for charlie
    assert not Notification.objects.filter(recipient=personas.charlie).exists()
