"""Transports, one module per channel. Each module has ``send(delivery, *, org)`` which returns
on success and raises (any exception) on failure; the dispatcher retries with backoff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trellis.notify.channels import email, in_app, slack, teams
from trellis.notify.models import Channel

SENDERS: dict[str, Callable[..., None]] = {
    Channel.IN_APP: in_app.send,
    Channel.EMAIL: email.send,
    Channel.SLACK: slack.send,
    Channel.TEAMS: teams.send,
}


def send_delivery(delivery: Any, *, org: Any) -> None:
    SENDERS[delivery.channel](delivery, org=org)
