"""The insights part of the demo organisation (a step of trellis.core.demo.DEMO_STEPS)."""

from __future__ import annotations

from typing import Any, TextIO


def build_demo(*, stdout: TextIO | None = None) -> dict[str, Any]:
    return {}
