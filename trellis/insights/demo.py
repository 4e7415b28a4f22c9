"""The insights part of the demo organisation (a step of trellis.core.demo.DEMO_STEPS): compute the
aggregates once (the full refresh), so the dashboards have figures straight away."""

from __future__ import annotations

from typing import Any, TextIO

from django.utils import timezone


def build_demo(*, stdout: TextIO | None = None) -> dict[str, Any]:
    from trellis.insights.refresh import SAFETY_LAG, insights_refresh

    # The refresh leaves statements younger than SAFETY_LAG to the next run (a transaction that
    # commits late may still add older ones). The demo builder is the only writer while it runs and
    # has just stored six months of statements: count them all now.
    out = insights_refresh(full=True, stdout=stdout, now=timezone.now() + SAFETY_LAG)
    return {"seconds": out["seconds"], "programs": out["programs"]}
