"""Background tasks of notifications (django-tasks; run by ``trellis worker``) and their
periodic schedule (``trellis.core.scheduler``). Each task calls one idempotent service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from trellis.core.scheduler import register_periodic
from trellis.notify import services


@task()
def deliveries_dispatch_task() -> dict[str, int]:
    """Send the due deliveries (claimed at most once even with several workers)."""
    return services.deliveries_dispatch().as_dict()


@task()
def notification_rules_task() -> dict[str, int]:
    """The rules that are not about programs: inactivity nudges and new content."""
    return {
        "inactivity": services.inactivity_nudges_send(),
        "new_content": services.new_content_notices_send(),
    }


@task()
def digests_send_task() -> dict[str, int]:
    """Weekly digests for the people whose digest time has come."""
    return {"digests": services.digests_send_due()}


@task()
def active_hours_refresh_task() -> dict[str, int]:
    """Recompute each person's most active hour from their learning records."""
    return {"profiles": services.active_hours_refresh()}


register_periodic("notify.dispatch", every=timedelta(seconds=30), task=deliveries_dispatch_task)
register_periodic("notify.rules", every=timedelta(hours=1), task=notification_rules_task)
register_periodic("notify.digests", every=timedelta(hours=1), task=digests_send_task)
register_periodic("notify.active_hours", every=timedelta(days=1), task=active_hours_refresh_task)
