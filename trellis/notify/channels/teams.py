"""Microsoft Teams incoming webhook (a legacy actionable MessageCard, which both Office 365
connectors and Workflows webhooks accept)."""

from __future__ import annotations

from typing import Any

from trellis.notify.channels.webhook import absolute, post_json
from trellis.notify.models import Category


def payload(notification: Any, recipient: Any) -> dict[str, Any]:
    facts = [
        {"name": "For", "value": recipient.full_name},
        {"name": "Category", "value": str(Category(notification.category).label)},
    ]
    if notification.mandatory:
        facts.append({"name": "Mandatory", "value": "Yes"})
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": notification.subject,
        "themeColor": "B3261E" if notification.mandatory else "2E7D32",
        "title": notification.subject,
        "text": notification.body,
        "sections": [{"facts": facts}],
    }
    if notification.url:
        card["potentialAction"] = [
            {
                "@type": "OpenUri",
                "name": "Open in Trellis",
                "targets": [{"os": "default", "uri": absolute(notification.url)}],
            }
        ]
    return card


def send(delivery: Any, *, org: Any) -> None:
    post_json(org.teams_webhook_url, payload(delivery.notification, delivery.recipient))
