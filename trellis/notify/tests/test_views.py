from __future__ import annotations

from django.urls import reverse

from trellis.core.models import AuditEvent
from trellis.notify.models import (
    Category,
    Channel,
    Delivery,
    Notification,
    NotifySettings,
    Preference,
)
from trellis.notify.services import notification_send


def send(who, key, **kw):
    return notification_send(
        recipient=who,
        category=kw.pop("category", Category.ASSIGNED),
        key=key,
        subject=kw.pop("subject", f"About {key}"),
        body=kw.pop("body", "Body text"),
        **kw,
    )


def test_inbox_shows_only_own_notifications_and_badge(personas):
    send(personas.alice, "a1", subject="For Alice one")
    send(personas.alice, "a2", subject="For Alice two")
    send(personas.bob, "b1", subject="For Bob")
    response = personas.client("alice").get(reverse("notify:inbox"))
    assert response.status_code == 200
    assert [n.subject for n in response.context["page"]] == ["For Alice two", "For Alice one"]
    assert response.context["unread"] == 2
    assert b"For Bob" not in response.content
    assert b'data-testid="unread-badge">2<' in response.content
    # the badge is on every page
    home = personas.client("alice").get("/")
    assert b'data-testid="unread-badge">2<' in home.content
    # bob cannot open, or mark read, alice's notification: 404, nothing changes
    note = Notification.objects.get(key="a1")
    bob = personas.client("bob")
    assert bob.get(reverse("notify:open", args=[note.pk])).status_code == 404
    assert bob.post(reverse("notify:read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_read_and_all_read_without_js(personas):
    send(personas.alice, "a1")
    send(personas.alice, "a2")
    send(personas.bob, "b1")
    client = personas.client("alice")
    note = Notification.objects.get(key="a1")
    response = client.post(reverse("notify:read", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get("/").context["unread_notifications"] == 1
    response = client.post(reverse("notify:read_all"), follow=True)
    assert response.context["unread"] == 0
    assert b"unread-badge" not in response.content
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # bob's


def test_mark_all_read_with_htmx_returns_partial_and_badge(personas):
    send(personas.alice, "a1")
    client = personas.client("alice")
    response = client.post(reverse("notify:read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="inbox"' in response.content
    assert b'hx-swap-oob="true"' in response.content and b"unread-badge" not in response.content


def test_open_notification_marks_read_and_redirects(personas):
    send(personas.alice, "a1", url="/learning/")
    note = Notification.objects.get(key="a1")
    response = personas.client("alice").get(reverse("notify:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/learning/"
    note.refresh_from_db()
    assert note.is_read


def test_pages_need_login(client, personas):
    for name in (
        "notify:inbox",
        "notify:settings",
        "notify:log",
        "notify:org_settings",
        "notify:failed",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_delivery_log_scope(personas):
    send(personas.alice, "a1", subject="Alice's notice")
    alice_id = personas.alice.employee_id
    url = reverse("notify:log_for", args=[alice_id])
    response = personas.client("alice").get(reverse("notify:log"))
    assert response.status_code == 200
    assert sorted(d.channel for d in response.context["page"]) == [Channel.EMAIL, Channel.IN_APP]
    assert personas.client("alice").get(url).status_code == 200
    assert personas.client("bob").get(url).status_code == 404
    assert personas.client("maria").get(url).status_code == 404  # her manager: not the log
    assert personas.client("erin").get(url).status_code == 404
    assert personas.client("charlie").get(url).status_code == 404
    response = personas.client("lena").get(url)
    assert response.status_code == 200 and b"Alice&#x27;s notice" in response.content
    assert (
        personas.client("lena").get(reverse("notify:log_for", args=["nobody"])).status_code == 404
    )
    # Lena's look at Alice's log is recorded as access to personal data; Alice's own looks are not
    seen = AuditEvent.objects.filter(code="trellis.privacy.viewed")
    assert [(e.actor_id, e.data) for e in seen] == [
        (
            personas.lena.user.pk,
            {"employee": personas.alice.pk, "what": "notification delivery log"},
        )
    ]


def test_failed_page_and_settings_are_for_ld_admins(personas):
    for who in ("alice", "maria", "erin", "audrey"):
        assert personas.client(who).get(reverse("notify:failed")).status_code == 403
        assert personas.client(who).get(reverse("notify:org_settings")).status_code == 403
    assert personas.client("lena").get(reverse("notify:failed")).status_code == 200
    assert personas.client("lena").get(reverse("notify:org_settings")).status_code == 200


def test_org_settings_validate_and_audit(personas):
    client = personas.client("lena")
    form = {
        "daily_cap": 3,
        "weekly_cap": 10,
        "quiet_hours_enabled": "on",
        "quiet_start": "21:00",
        "quiet_end": "07:30",
        "inactivity_days": 10,
        "slack_webhook_url": "http://hooks.example.com/x",
        "teams_webhook_url": "",
    }
    response = client.post(reverse("notify:org_settings"), form)
    assert response.status_code == 200
    assert "slack_webhook_url" in response.context["form"].errors
    assert not NotifySettings.objects.filter(daily_cap=3).exists()
    assert not AuditEvent.objects.filter(code="trellis.notify.settings_changed").exists()
    form["slack_webhook_url"] = "https://hooks.slack.com/services/T000/B000/XXXX"
    response = client.post(reverse("notify:org_settings"), form)
    assert response.status_code == 302
    org = NotifySettings.objects.get()
    assert (org.daily_cap, org.weekly_cap, org.inactivity_days) == (3, 10, 10)
    assert org.quiet_start.isoformat() == "21:00:00" and org.active_hours_enabled is False
    assert org.slack_webhook_url == "https://hooks.slack.com/services/T000/B000/XXXX"
    event = AuditEvent.objects.get(code="trellis.notify.settings_changed")
    assert event.actor == personas.lena.user
    assert event.data["slack_webhook_url"] == "(changed)"
    assert event.data["daily_cap"] == "3"


def test_preferences_page_saves_matrix_and_profile(personas):
    client = personas.client("alice")
    response = client.get(reverse("notify:settings"))
    assert response.status_code == 200
    assert b"cannot be muted" in response.content
    data = {
        "quiet_hours": "off",
        "digest_weekday": "4",
        "digest_hour": "16",
        # everything default except: due soon email off
        **{
            f"pref-{c}-{ch}": "1"
            for c in Category.values
            for ch in (Channel.IN_APP, Channel.EMAIL)
            if not (c == Category.DUE_SOON and ch == Channel.EMAIL)
        },
    }
    response = client.post(reverse("notify:settings"), data)
    assert response.status_code == 302
    assert list(
        Preference.objects.filter(employee=personas.alice).values_list(
            "category", "channel", "enabled"
        )
    ) == [(Category.DUE_SOON, Channel.EMAIL, False)]
    profile = personas.alice.notification_profile
    assert (profile.quiet_hours_enabled, profile.digest_weekday, profile.digest_hour) == (
        False,
        4,
        16,
    )
    # muted: a non-mandatory due-soon notice gets no email; a mandatory one still does
    send(personas.alice, "d1", category=Category.DUE_SOON)
    send(personas.alice, "d2", category=Category.DUE_SOON, mandatory=True)
    assert sorted(
        Delivery.objects.filter(notification__key="d1").values_list("channel", flat=True)
    ) == [Channel.IN_APP]
    assert sorted(
        Delivery.objects.filter(notification__key="d2").values_list("channel", flat=True)
    ) == [Channel.EMAIL, Channel.IN_APP]
