"""Wiring of programs into the rest of Trellis (called from ``ProgramsConfig.ready``)."""

from __future__ import annotations

from typing import Any


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
    # the hourly safety net and reminder rules register with the scheduler when imported
    from trellis.programs import tasks  # noqa: F401
