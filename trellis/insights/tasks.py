"""The periodic refresh of the insights aggregates (run by ``trellis worker``). Idempotent: the
learning-time part adds only statements stored after its watermark; the rest is recomputed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from trellis.core.scheduler import register_periodic

REFRESH_EVERY = timedelta(minutes=15)


@task()
def insights_refresh_task() -> dict[str, Any]:
    from trellis.insights.refresh import insights_refresh

    return insights_refresh(full=False)


register_periodic("insights.refresh", every=REFRESH_EVERY, task=insights_refresh_task)
