"""Wiring of programs into the rest of Trellis (called from ``ProgramsConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

PERIODIC_EVERY = dt.timedelta(hours=1)


def _people_changed(employee_ids: list[int], reason: str) -> None:
    from trellis.programs.tasks import people_changed_task

    people_changed_task.enqueue(employee_ids, reason)


def _progress_changed(pairs: list[tuple[int, Any]]) -> None:
    # In the same process as the projection: completion follows the statement within seconds.
    from trellis.programs.completion import progress_changed

    progress_changed(pairs)


def register() -> None:
    from trellis.lrs import projection
    from trellis.people import hooks as people_hooks

    people_hooks.register(_people_changed)
    projection.progress_listener_add(_progress_changed)
    try:
        from trellis.core.scheduler import register_periodic  # type: ignore[import-not-found]
    except ImportError:  # the scheduler is not there (yet)
        return
    from trellis.programs.tasks import programs_periodic_task

    register_periodic("programs.periodic", every=PERIODIC_EVERY, task=programs_periodic_task)
