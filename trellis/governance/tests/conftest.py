from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from trellis.governance import services
from trellis.governance.models import Policy


def aware(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h))


@pytest.fixture
def make_policy(personas: Any) -> Any:
    """A policy written by Lena on behalf of Erin (the executive), published when ``published_at``."""

    def make(
        *,
        title: str = "Our AI strategy",
        body: str = "# Why\nBecause.",
        rules: list[dict[str, Any]] | None = None,
        published_at: dt.datetime | None = None,
        **fields: Any,
    ) -> Policy:
        fields.setdefault("sponsor", personas.erin)
        fields.setdefault("due_days", 30)
        policy = services.policy_create(actor=personas.lena.user, title=title, body=body, **fields)
        services.policy_audience_set(
            actor=personas.lena.user, policy=policy, rules=rules if rules is not None else [{}]
        )
        if published_at is not None:
            services.policy_publish(actor=personas.lena.user, policy=policy, now=published_at)
            policy.refresh_from_db()
        return policy

    return make
