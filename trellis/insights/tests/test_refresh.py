from __future__ import annotations

import datetime as dt

from trellis.insights.models import LearningWeek, ProgramSnapshot, RefreshState, SegmentWeek
from trellis.insights.refresh import week_of

from .conftest import PROGRESSED, refresh, store


def minutes(employee, kind):
    rows = LearningWeek.objects.filter(employee=employee, kind=kind)
    return sum(r.seconds for r in rows) / 60


def test_full_refresh_splits_mandated_and_self_directed_time(org):
    refresh()
    p = org.personas
    assert minutes(p.alice, "mandated") == 30  # one attempt: its largest duration
    assert minutes(p.alice, "self") == 20
    assert minutes(p.bob, "self") == 60
    assert minutes(p.bob, "mandated") == 0
    assert minutes(p.charlie, "mandated") == 45
    assert set(LearningWeek.objects.values_list("week", flat=True)) == {week_of(org.at.date())}
    tech = p.alice.department_id
    seg = SegmentWeek.objects.filter(department_id=tech)
    assert sum(s.seconds for s in seg if s.kind == "self") == 80 * 60
    assert sum(s.seconds for s in seg if s.kind == "mandated") == 30 * 60


def test_incremental_adds_only_what_an_attempt_grew_by_and_is_idempotent(org):
    refresh()
    state = RefreshState.objects.get(name="learning")
    assert state.last_statement_pk > 0
    store(
        org.personas.alice,
        org.required,
        "PT50M",
        at=org.at + dt.timedelta(minutes=40),
        registration=org.registration,
        verb=PROGRESSED,
    )
    out = refresh(full=False)
    assert out["learning"] == {"rows": 1, "statements": 1}
    assert minutes(org.personas.alice, "mandated") == 50
    again = refresh(full=False)
    assert again["learning"] == {"rows": 0, "statements": 0}
    assert minutes(org.personas.alice, "mandated") == 50
    refresh()  # the full rebuild agrees
    assert minutes(org.personas.alice, "mandated") == 50
    assert minutes(org.personas.alice, "self") == 20


def test_program_snapshot_today_and_weekly_trend(org):
    refresh()
    overall = ProgramSnapshot.objects.get(program=org.program, day=org.today, kind="all")
    assert (overall.enrolled, overall.completed) == (8, 2)
    assert round(overall.planned, 4) == 0.5
    assert overall.planned_hours == 8.0  # 8 people x 2 h x 50 %
    tech = ProgramSnapshot.objects.get(
        program=org.program, day=org.today, kind="department", label="Technology & Data"
    )
    assert (tech.enrolled, tech.completed) == (3, 1)  # maria, alice, bob
    trend_days = set(
        ProgramSnapshot.objects.filter(program=org.program, kind="all").values_list(
            "day", flat=True
        )
    )
    assert org.today in trend_days
    assert len(trend_days) >= 3
    assert all(d.weekday() == 0 for d in trend_days - {org.today})


def test_periodic_job_is_registered():
    from trellis.core.scheduler import registered_jobs

    assert "insights.refresh" in registered_jobs()


def test_demo_step_counts_statements_stored_a_moment_ago(org):
    from trellis.insights.demo import build_demo

    build_demo()  # the statements of ``org`` were stored seconds ago
    assert minutes(org.personas.alice, "mandated") == 30
    assert minutes(org.personas.bob, "self") == 60
