"""The hourly job: registered with the scheduler, and what one run does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trellis.core import scheduler
from trellis.core.models import PeriodicJob
from trellis.notify.models import Category, Notification
from trellis.people.tests.factories import EmployeeFactory
from trellis.programs import services
from trellis.programs.models import Enrollment
from trellis.programs.tasks import programs_periodic_task

pytestmark = pytest.mark.django_db


def test_the_hourly_job_is_registered():
    job = scheduler.registered_jobs()["programs.periodic"]
    assert (job.every, job.task) == (dt.timedelta(hours=1), programs_periodic_task)


def test_run_due_runs_the_hourly_job_once_an_hour(personas, make_program):
    program = make_program(rules=[{"managers": [personas.maria]}], due_days=5, name="Quick")
    services.program_activate(actor=personas.lena.user, program=program)
    # a joiner whose hook did not run (its task was lost): the hourly resync is the safety net
    newcomer = EmployeeFactory(manager=personas.maria, department=personas.maria.department)
    assert not Enrollment.objects.filter(employee=newcomer).exists()
    now = timezone.now()
    assert "programs.periodic" in scheduler.run_due(now=now)
    joined = Enrollment.objects.get(program=program, employee=newcomer)
    assert joined.events.get().reason == "periodic resync"
    # and the reminder rules ran: due in 5 days, so "due soon" (7 days) for all three
    due_soon = Notification.objects.filter(category=Category.DUE_SOON)
    assert sorted(due_soon.values_list("recipient_id", flat=True)) == sorted(
        [personas.alice.pk, personas.bob.pk, newcomer.pk]
    )
    job = PeriodicJob.objects.get(name="programs.periodic")
    assert (job.runs, job.next_run_at) == (1, now + dt.timedelta(hours=1))
    # not again within the hour; again after it, sending nothing twice
    assert "programs.periodic" not in scheduler.run_due(now=now + dt.timedelta(minutes=59))
    assert "programs.periodic" in scheduler.run_due(now=now + dt.timedelta(hours=1))
    assert due_soon.count() == 3
    assert PeriodicJob.objects.get(name="programs.periodic").runs == 2


def test_the_hourly_job_takes_the_same_queries_for_more_people(personas, make_program, items):
    """Recertification checks, resync and rules: no query per person (a deferred field read per
    completed enrollment once made it 640 queries on the demo)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.programs.completion import enrollments_recompute
    from trellis.programs.tests.conftest import aware, progress

    program = make_program(rules=[{}], recurrence_months=12, renewal_window_days=30)
    services.requirement_add(actor=personas.lena.user, program=program, item=items[0])
    services.program_activate(actor=personas.lena.user, program=program, now=aware(2026, 1, 5))

    def queries(people: list) -> int:
        for who in people:
            progress(who, items[0], at=aware(2026, 1, 10))
        enrollments_recompute()
        services.programs_hourly(now=aware(2026, 6, 1))  # sends what is new once
        with CaptureQueriesContext(connection) as ctx:
            services.programs_hourly(now=aware(2026, 6, 1))
        return len(ctx.captured_queries)

    one = queries([personas.alice])
    assert queries([personas.bob, personas.charlie, personas.oscar, personas.erin]) == one
    assert Enrollment.objects.filter(program=program, completed_at__isnull=False).count() == 5
