"""Email over SMTP (Django's email backend): multipart plain text and HTML, with RFC 8058
one-click unsubscribe headers for optional notices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from trellis.notify.channels.webhook import absolute
from trellis.notify.models import Category, Channel

UNSUBSCRIBE_SALT = "trellis.notify.unsubscribe"


def unsubscribe_token(*, employee_id: int, category: str, channel: str, mandatory: bool) -> str:
    return signing.dumps(
        {"e": employee_id, "c": category, "ch": channel, "m": int(mandatory)},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )


def unsubscribe_token_read(token: str) -> dict[str, Any]:
    """The signed facts of an unsubscribe link; raises ``signing.BadSignature`` if tampered."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not {"e", "c", "ch", "m"} <= set(data):
        raise signing.BadSignature("incomplete token")
    return data


def unsubscribe_url(*, employee_id: int, category: str, channel: str, mandatory: bool) -> str:
    token = unsubscribe_token(
        employee_id=employee_id, category=category, channel=channel, mandatory=mandatory
    )
    return absolute(reverse("notify:unsubscribe", args=[token]))


def build_message(notification: Any, recipient: Any) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(
        employee_id=recipient.pk,
        category=notification.category,
        channel=Channel.EMAIL,
        mandatory=notification.mandatory,
    )
    context = {
        "notification": notification,
        "recipient": recipient,
        "category_label": Category(notification.category).label,
        "open_url": absolute(notification.url) if notification.url else "",
        "unsubscribe_url": unsubscribe,
        "settings_url": absolute(reverse("notify:settings")),
        "items": (notification.context or {}).get("items", []),
        "site_url": settings.SITE_URL,
        "organisation_name": settings.TRELLIS_ORGANISATION_NAME,
    }
    headers = {"X-Trellis-Notification": notification.key[:200]}
    if not notification.mandatory:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string("notify/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string("notify/email/notification.html", context), "text/html"
    )
    return message


def send(delivery: Any, *, org: Any) -> None:
    build_message(delivery.notification, delivery.recipient).send(fail_silently=False)
