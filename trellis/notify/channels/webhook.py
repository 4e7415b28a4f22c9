"""POST a JSON payload to an incoming webhook (Slack, Microsoft Teams) with the standard library."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

TIMEOUT_SECONDS = 10


class WebhookError(Exception):
    pass


def absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url if url.startswith('/') else '/' + url}"


def post_json(url: str, payload: dict[str, Any]) -> None:
    if not url:
        raise WebhookError("No webhook URL is configured (L&D → Notification settings).")
    if not url.startswith(("https://", "http://")):
        raise WebhookError("The webhook URL must be http(s).")
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Trellis"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode(errors="replace").strip()
        raise WebhookError(f"HTTP {exc.code}" + (f": {detail}" if detail else "")) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"Could not reach the webhook: {reason}") from None
