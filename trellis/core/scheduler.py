"""A small periodic scheduler for Django tasks, run by ``trellis worker`` next to ``db_worker``.

Register a job once, at import time of your app's ``tasks.py`` (imported from ``AppConfig.ready``)::

    from datetime import timedelta
    from django_tasks import task
    from trellis.core.scheduler import register_periodic

    @task()
    def program_rules_task() -> dict[str, int]:
        return program_rules_evaluate()   # idempotent: safe to run twice

    register_periodic("programs.rules", every=timedelta(hours=1), task=program_rules_task)

``task`` is a django-tasks ``Task`` (enqueued with no arguments) or any callable taking no
arguments (called in the scheduler's thread; keep it short). The job runs at most once per
``every`` across all workers: the ``PeriodicJob`` row of each job holds ``next_run_at`` and a
worker enqueues only after moving it forward with a conditional ``UPDATE … WHERE next_run_at =
<the value it read>`` (the claim of healthchecks' ``sendalerts``). Jobs are not caught up: after a
long stop a job runs once, then every ``every`` again. Tasks must be idempotent anyway.

Public API: ``register_periodic(name, *, every, task)``, ``registered_jobs()``,
``run_due(now=None) -> list[str]`` (enqueue the due jobs once; what the loop and tests call) and
``run_forever(*, interval=5.0, stop=None)`` (the loop; ``trellis worker`` starts it in a thread).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger("trellis.scheduler")


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: timedelta
    task: Any  # a django_tasks Task, or a callable with no arguments


_REGISTRY: dict[str, PeriodicSpec] = {}


def register_periodic(name: str, *, every: timedelta, task: Any) -> None:
    """Run ``task`` every ``every`` (registering the same name again replaces it)."""
    if every.total_seconds() <= 0:
        raise ValueError("every: must be a positive duration")
    _REGISTRY[name] = PeriodicSpec(name=name, every=every, task=task)


def registered_jobs() -> dict[str, PeriodicSpec]:
    return dict(_REGISTRY)


def _start(spec: PeriodicSpec) -> None:
    enqueue: Callable[[], Any] | None = getattr(spec.task, "enqueue", None)
    if enqueue is not None:
        enqueue()
    else:
        spec.task()


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue every registered job that is due and that this process claimed; returns their names."""
    from django.db.models import F

    from trellis.core.models import PeriodicJob

    now = now or timezone.now()
    specs = registered_jobs()
    if not specs:
        return []
    PeriodicJob.objects.bulk_create(
        [PeriodicJob(name=name, next_run_at=now) for name in specs], ignore_conflicts=True
    )
    started: list[str] = []
    due = PeriodicJob.objects.filter(name__in=list(specs), next_run_at__lte=now).values_list(
        "name", "next_run_at"
    )
    for name, next_run_at in due:
        spec = specs[name]
        claimed = PeriodicJob.objects.filter(name=name, next_run_at=next_run_at).update(
            next_run_at=now + spec.every, last_enqueued_at=now, runs=F("runs") + 1
        )
        if not claimed:
            continue  # another worker took this run
        try:
            _start(spec)
            started.append(name)
        except Exception:
            logger.exception("periodic job %s could not start", name)
    return started


def run_forever(*, interval: float = 5.0, stop: threading.Event | None = None) -> None:
    """Call ``run_due`` every ``interval`` seconds until ``stop`` is set."""
    stop = stop or threading.Event()
    logger.info("scheduler started with %d periodic jobs", len(_REGISTRY))
    while not stop.is_set():
        close_old_connections()
        try:
            run_due()
        except Exception:
            logger.exception("scheduler pass failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def start_in_thread(*, interval: float = 5.0) -> threading.Event:
    """Start ``run_forever`` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, kwargs={"interval": interval, "stop": stop}, name="trellis-scheduler"
    )
    thread.daemon = True
    thread.start()
    return stop
