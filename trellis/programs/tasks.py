"""Background tasks of programs (django-tasks; run by ``trellis worker``) and their periodic
schedule (``trellis.core.scheduler``). Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from trellis.core.scheduler import register_periodic
from trellis.programs import services

PERIODIC_EVERY = timedelta(hours=1)


@task()
def people_changed_task(employee_ids: list[int], reason: str) -> dict[str, int]:
    """Re-evaluate these people in every active program's audience (joiners, movers, leavers)."""
    return services.people_changed(employee_ids, reason)


@task()
def programs_periodic_task() -> dict[str, int]:
    """The safety net and the reminder rules: resync audiences, recompute completion from the
    records, open recertification cycles, evaluate the notification rules."""
    return services.programs_hourly()


register_periodic("programs.periodic", every=PERIODIC_EVERY, task=programs_periodic_task)
