"""Microsoft Teams: a message with one Adaptive Card (schema 1.4), posted to the channel's
Workflows webhook ("Post to a channel when a webhook request is received"), the format Teams'
webhooks accept now that Office 365 connectors and their MessageCards are retired."""

from __future__ import annotations

from typing import Any

from trellis.notify.channels.webhook import absolute, post_json
from trellis.notify.models import Category


def payload(notification: Any, recipient: Any) -> dict[str, Any]:
    facts = [
        {"title": "For", "value": recipient.full_name},
        {"title": "Category", "value": str(Category(notification.category).label)},
    ]
    if notification.mandatory:
        facts.append({"title": "Mandatory", "value": "Yes"})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "fallbackText": notification.subject,
        "body": [
            {
                "type": "TextBlock",
                "text": notification.subject,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": "Attention" if notification.mandatory else "Default",
            },
            {"type": "TextBlock", "text": notification.body, "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
    }
    if notification.url:
        card["actions"] = [
            {
                "type": "Action.OpenUrl",
                "title": "Open in Trellis",
                "url": absolute(notification.url),
            }
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def send(delivery: Any, *, org: Any) -> None:
    post_json(org.teams_webhook_url, payload(delivery.notification, delivery.recipient))
