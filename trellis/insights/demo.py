"""The insights part of the demo organisation (a step of trellis.core.demo.DEMO_STEPS): compute the
aggregates once (the full refresh), so the dashboards have figures straight away."""

from __future__ import annotations

from typing import Any, TextIO


def build_demo(*, stdout: TextIO | None = None) -> dict[str, Any]:
    from trellis.insights.refresh import insights_refresh

    out = insights_refresh(full=True, stdout=stdout)
    return {"seconds": out["seconds"], "programs": out["programs"]}
