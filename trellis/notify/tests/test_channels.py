"""Channels against real receivers: aiosmtpd for email, a local HTTP server for webhooks."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse

from trellis.notify.models import Category, Channel, Delivery, Notification, Preference
from trellis.notify.services import (
    BACKOFF,
    MAX_ATTEMPTS,
    deliveries_dispatch,
    notification_send,
    notify_settings_update,
    preference_set,
)

NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


class Hook:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append(
                    {
                        "path": self.path,
                        "content_type": self.headers["Content-Type"],
                        "json": json.loads(body),
                    }
                )
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok" if hook.status < 400 else b"internal_error")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook(allow_http_webhooks: None) -> Any:
    h = Hook()
    yield h
    h.close()


def test_email_received_by_smtp_server_with_both_parts_and_unsubscribe(
    personas, smtp_server, client, settings
):
    settings.SITE_URL = "http://trellis.test"
    alice = personas.alice
    assert notification_send(
        recipient=alice,
        category=Category.DUE_SOON,
        key="due:1",
        subject="AI fluency is due in 3 days",
        body="Finish 2 items by Friday.",
        url="/learning/",
        now=NOON,
    )
    result = deliveries_dispatch(now=NOON)
    assert result.as_dict() == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == alice.email
    assert message["Subject"] == "AI fluency is due in 3 days"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith("http://trellis.test/notifications/unsubscribe/")
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert (
        "Finish 2 items by Friday." in plain
        and "Open in Trellis: http://trellis.test/learning/" in plain
    )
    assert unsubscribe in plain
    assert (
        "<p>Finish 2 items by Friday.</p>" in html
        and 'href="http://trellis.test/learning/"' in html
    )
    assert Delivery.objects.get(channel=Channel.EMAIL).status == Delivery.Status.SENT

    path = unsubscribe.removeprefix("http://trellis.test")
    # a tampered token is rejected and changes nothing
    bad = client.post(path[:-3] + "xyz/")
    assert bad.status_code == 400
    assert not Preference.objects.exists()
    # GET shows a confirmation page (no login), POST unsubscribes
    page = client.get(path)
    assert (
        page.status_code == 200
        and b"Stop \xe2\x80\x9cDue soon\xe2\x80\x9d notifications by email" in page.content
    )
    assert not Preference.objects.exists()
    done = client.post(path)
    assert done.status_code == 200 and b"will no longer receive" in done.content
    assert list(Preference.objects.values_list("employee", "category", "channel", "enabled")) == [
        (alice.pk, Category.DUE_SOON, Channel.EMAIL, False)
    ]
    # the next optional due-soon notice gets no email
    notification_send(
        recipient=alice, category=Category.DUE_SOON, key="due:2", subject="S", body="B", now=NOON
    )
    assert list(
        Delivery.objects.filter(notification__key="due:2").values_list("channel", flat=True)
    ) == [Channel.IN_APP]


def test_mandatory_email_has_no_unsubscribe_and_page_says_so(personas, smtp_server, client):
    notification_send(
        recipient=personas.alice,
        category=Category.OVERDUE,
        key="overdue:1",
        subject="Data privacy essentials is overdue",
        body="It was due yesterday.",
        mandatory=True,
        now=NOON,
    )
    deliveries_dispatch(now=NOON)
    message = smtp_server.messages[0]
    assert message["List-Unsubscribe"] is None
    assert "Mandatory notice" in message.get_body(("plain",)).get_content()
    from trellis.notify.channels.email import unsubscribe_url

    path = unsubscribe_url(
        employee_id=personas.alice.pk,
        category=Category.OVERDUE,
        channel=Channel.EMAIL,
        mandatory=True,
    )
    path = path[path.index("/notifications/") :]
    page = client.get(path)
    assert (
        page.status_code == 200
        and b"mandatory notice, which cannot be unsubscribed" in page.content
    )
    assert client.post(path).status_code == 400
    assert not Preference.objects.exists()


def _webhooks(lena_user: Any, hook: Hook) -> None:
    notify_settings_update(
        actor=lena_user, slack_webhook_url=hook.url("/slack"), teams_webhook_url=hook.url("/teams")
    )


def test_slack_and_teams_payloads(personas, hook, settings):
    settings.SITE_URL = "http://trellis.test"
    _webhooks(personas.lena.user, hook)
    alice = personas.alice
    for channel in (Channel.SLACK, Channel.TEAMS):
        preference_set(employee=alice, category=Category.ASSIGNED, channel=channel, enabled=True)
    preference_set(employee=alice, category=Category.ASSIGNED, channel=Channel.EMAIL, enabled=False)
    notification_send(
        recipient=alice,
        category=Category.ASSIGNED,
        key="assigned:1",
        subject="You have been assigned <AI fluency>",
        body="Due on 1 December & worth 4 hours.",
        url="/programs/assigned/",
        now=NOON,
    )
    assert deliveries_dispatch(now=NOON).sent == 2
    by_path = {r["path"]: r for r in hook.received}
    assert set(by_path) == {"/slack", "/teams"}
    assert by_path["/slack"]["content_type"] == "application/json; charset=utf-8"
    assert by_path["/slack"]["json"] == {
        "text": "You have been assigned <AI fluency> (for Alice Learner)",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*You have been assigned &lt;AI fluency&gt;*\nDue on 1 December &amp; worth 4 hours.",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "For Alice Learner · Assigned to you · <http://trellis.test/programs/assigned/|Open in Trellis>",
                    }
                ],
            },
        ],
    }
    assert by_path["/teams"]["json"] == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "type": "AdaptiveCard",
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "version": "1.4",
                    "fallbackText": "You have been assigned <AI fluency>",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": "You have been assigned <AI fluency>",
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                            "color": "Default",
                        },
                        {
                            "type": "TextBlock",
                            "text": "Due on 1 December & worth 4 hours.",
                            "wrap": True,
                        },
                        {
                            "type": "FactSet",
                            "facts": [
                                {"title": "For", "value": "Alice Learner"},
                                {"title": "Category", "value": "Assigned to you"},
                            ],
                        },
                    ],
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": "Open in Trellis",
                            "url": "http://trellis.test/programs/assigned/",
                        }
                    ],
                },
            }
        ],
    }


def test_webhooks_are_opt_in(personas, hook):
    _webhooks(personas.lena.user, hook)
    notification_send(
        recipient=personas.alice,
        category=Category.ASSIGNED,
        key="k",
        subject="S",
        body="B",
        now=NOON,
    )
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == [
        Channel.EMAIL,
        Channel.IN_APP,
    ]
    deliveries_dispatch(now=NOON)
    assert hook.received == []


def test_failing_webhook_retries_with_backoff_then_fails_visibly(personas, hook):
    _webhooks(personas.lena.user, hook)
    hook.status = 500
    alice = personas.alice
    preference_set(employee=alice, category=Category.NUDGE, channel=Channel.SLACK, enabled=True)
    notification_send(
        recipient=alice, category=Category.NUDGE, key="nudge:1", subject="Nudge", body="B", now=NOON
    )
    delivery = Delivery.objects.get(channel=Channel.SLACK)
    now = NOON
    for attempt in range(1, MAX_ATTEMPTS):
        result = deliveries_dispatch(now=now)
        assert result.retrying == 1 and result.failed == 0
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.attempts == attempt
        assert delivery.due_at == now + BACKOFF[attempt - 1]
        assert delivery.last_error == "WebhookError: HTTP 500: internal_error"
        # not due yet: nothing is sent a moment before the backoff ends
        assert deliveries_dispatch(now=delivery.due_at - dt.timedelta(seconds=1)).as_dict() == {
            "sent": 0,
            "retrying": 0,
            "failed": 0,
        }
        now = delivery.due_at
    assert [b.total_seconds() for b in BACKOFF] == [60, 300, 1800, 7200, 43200]
    assert deliveries_dispatch(now=now).failed == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, MAX_ATTEMPTS)
    assert len(hook.received) == MAX_ATTEMPTS
    # visible: on the person's log, and on L&D's failed deliveries page
    log = personas.client("alice").get(reverse("notify:log"))
    assert b"Failed" in log.content and b"WebhookError: HTTP 500: internal_error" in log.content
    failed = personas.client("lena").get(reverse("notify:failed"))
    assert [d.pk for d in failed.context["page"]] == [delivery.pk]
    # L&D retries it once the webhook works again
    hook.status = 200
    response = personas.client("lena").post(reverse("notify:retry", args=[delivery.pk]))
    assert response.status_code == 302
    deliveries_dispatch()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert Notification.objects.count() == 1
