"""The demo programs on a small organisation (the personas): both orders of projection give the
same completions, and no completion comes from before a program's start."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from trellis.catalog.models import ItemSkill
from trellis.catalog.tests.factories import ItemFactory
from trellis.lrs.models import Progress, Statement
from trellis.lrs.projection import reproject_all
from trellis.programs.demo import build_completion, build_programs
from trellis.programs.models import Enrollment, Program
from trellis.programs.selectors import program_dashboard

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def catalog(personas: Any) -> None:
    from trellis.skills.services import ai_literacy_ensure

    skill = ai_literacy_ensure().skills.order_by("pk").first()
    for n in range(6):
        item = ItemFactory(title=f"AI {n}", duration_minutes=10 + n)
        ItemSkill.objects.create(item=item, skill=skill, weight=0.6)
    for n in range(3):
        ItemFactory(title=f"Other {n}", collection="", duration_minutes=20)


def completions() -> dict[tuple[str, int], Any]:
    return {
        (program, employee): completed_at
        for program, employee, completed_at in Enrollment.objects.values_list(
            "program__name", "employee_id", "completed_at"
        )
    }


def test_demo_programs_complete_from_their_records_in_either_order(personas, catalog):
    summary = build_programs(now=NOW)
    # everyone in the three org-wide programs, Sales (Oscar and Charlie) in "AI in sales"
    assert summary["programs"] == 4 and summary["enrollments"] == 8 * 3 + 2
    assert summary["statements"] == Statement.objects.count() > 8
    assert not Progress.objects.exists()  # stored, not projected
    assert set(Program.objects.values_list("status", flat=True)) == {"active"}

    # the demo folder of an older build: the LRS step has already run, so the step projects them
    fallback = build_completion()
    assert fallback["projected"] == summary["statements"]
    assert fallback["enrollments"] == summary["enrollments"]
    first = completions()
    assert 0 < fallback["completed"] == sum(1 for v in first.values() if v is not None)
    # no completion from before the program started (earlier records never count)
    for e in Enrollment.objects.filter(completed_at__isnull=False):
        assert timezone.localdate(e.completed_at) >= e.starts_on
    fluency = Program.objects.get(name="AI fluency for everyone")
    dashboard = program_dashboard(program=fluency, today=timezone.localdate(NOW))
    assert dashboard["funnel"]["enrolled"] == 8
    assert dashboard["overall"].completed == sum(
        1 for (name, _), v in first.items() if name == fluency.name and v is not None
    )
    assert dashboard["overall"].planned_pct == 42.5  # day 45: halfway from 25 % (30) to 60 % (60)

    # the order of a fresh demo: the LRS step's bulk rebuild projects them, then the step
    Enrollment.objects.update(started_at=None, completed_at=None, done_count=0, expires_on=None)
    Progress.objects.all().delete()
    reproject_all()
    again = build_completion()
    assert again["projected"] == 0
    assert completions() == first

    # idempotent
    assert build_programs(now=NOW) == {"skipped": True}
    assert Program.objects.count() == 4
