"""Slack incoming webhook (Block Kit message)."""

from __future__ import annotations

from typing import Any

from trellis.notify.channels.webhook import absolute, post_json
from trellis.notify.models import Category


def _escape(text: str) -> str:
    # Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(notification: Any, recipient: Any) -> dict[str, Any]:
    label = Category(notification.category).label
    mandatory = " · Mandatory" if notification.mandatory else ""
    context = f"For {_escape(recipient.full_name)} · {label}{mandatory}"
    if notification.url:
        context += f" · <{absolute(notification.url)}|Open in Trellis>"
    return {
        "text": f"{notification.subject} (for {recipient.full_name})",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{_escape(notification.subject)}*\n{_escape(notification.body)}",
                },
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


def send(delivery: Any, *, org: Any) -> None:
    post_json(org.slack_webhook_url, payload(delivery.notification, delivery.recipient))
