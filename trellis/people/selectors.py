from __future__ import annotations

from typing import Any


def employee_home_summary(*, user: Any) -> dict[str, Any]:
    return {}
