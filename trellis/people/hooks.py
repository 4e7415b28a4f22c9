"""Explicit hooks for other apps that follow the organisation (no signals, see STYLE.md).

``people_changed(employee_ids, reason)`` is called by the people services and the HRIS import after
their transaction commits, with the people who joined, moved, left, came back or changed groups.
Another app registers a callback ``(employee_ids: list[int], reason: str) -> None`` from its
``AppConfig.ready()`` (programs re-evaluates its audiences this way). A failing callback is logged and
does not undo the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

logger = logging.getLogger(__name__)

Callback = Callable[[list[int], str], None]
_callbacks: list[Callback] = []


def register(callback: Callback) -> Callback:
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def people_changed(employee_ids: Iterable[int], reason: str) -> None:
    """Run the callbacks with these people once the current transaction commits."""
    ids = sorted({int(pk) for pk in employee_ids})
    if not ids or not _callbacks:
        return

    def run() -> None:
        for callback in list(_callbacks):
            try:
                callback(ids, reason)
            except Exception:
                logger.exception("people_changed callback %r failed", callback)

    transaction.on_commit(run)
