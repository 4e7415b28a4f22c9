"""Background tasks of governance (django-tasks; run by ``trellis worker``) and their periodic
schedule (``trellis.core.scheduler``). Idempotent: reminders are keyed per version, person and
threshold, so a second run sends nothing new."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from trellis.core.scheduler import register_periodic


@task()
def policy_reminders_task() -> dict[str, int]:
    """Due-soon and overdue reminders to acknowledge the current version of each policy."""
    from trellis.governance.services import policy_reminders_send

    return policy_reminders_send()


register_periodic("governance.reminders", every=timedelta(hours=1), task=policy_reminders_task)
