"""Background work of surveys: the periodic job that opens waves, sends reminders and closes
waves (``trellis.core.scheduler``). Idempotent: each step claims its rows with a conditional
update."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from trellis.core.scheduler import register_periodic
from trellis.surveys import services

PERIODIC_EVERY = timedelta(minutes=15)


@task()
def surveys_periodic_task() -> dict[str, int]:
    """Open due waves (invite, schedule the next), remind before close, close ended waves."""
    return services.waves_tick()


register_periodic("surveys.waves", every=PERIODIC_EVERY, task=surveys_periodic_task)
