"""Explicit hooks for apps that follow the catalog (no signals, see STYLE.md).

``items_changed(item_ids)`` is called by the catalog services and imports with the items created or
changed (fields or skill tags); the callbacks run once the current transaction commits. Another app
registers a callback ``(item_ids: list[int]) -> None`` from its ``AppConfig.ready()`` (discovery
re-indexes the items for search this way). A failing callback is logged and does not undo the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

logger = logging.getLogger(__name__)

Callback = Callable[[list[int]], None]
_callbacks: list[Callback] = []


def register(callback: Callback) -> Callback:
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def items_changed(item_ids: Iterable[int]) -> None:
    """Run the callbacks with these items once the current transaction commits."""
    ids = sorted({int(pk) for pk in item_ids if pk is not None})
    if not ids or not _callbacks:
        return

    def run() -> None:
        for callback in list(_callbacks):
            try:
                callback(ids)
            except Exception:
                logger.exception("items_changed callback %r failed", callback)

    transaction.on_commit(run)
