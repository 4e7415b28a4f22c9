from __future__ import annotations

import datetime as dt

import pytest

from trellis.programs import pace, reminders, services
from trellis.programs.models import Enrollment
from trellis.programs.tests.conftest import aware

D = dt.date


def test_planned_share_interpolates():
    points = [[30, 25], [60, 60], [90, 100]]
    assert pace.planned_share(points, 0) == 0.0
    assert pace.planned_share(points, 15) == 0.125
    assert pace.planned_share(points, 45) == 0.425
    assert pace.planned_share(points, 90) == 1.0
    assert pace.planned_share(points, 200) == 1.0
    assert pace.planned_share([], 10) == 0.0


def test_gap_segments_people_and_teams():
    start = D(2026, 1, 1)
    today = D(2026, 2, 15)  # day 45: planned 42.5 %
    points = [[30, 25], [60, 60], [90, 100]]

    def row(i, dept, done, manager):
        return pace.PaceRow(
            employee_id=i,
            name=f"P{i}",
            starts_on=start,
            completed_on=D(2026, 2, 1) if done else None,
            manager_id=manager,
            manager_name=f"M{manager}",
            segments={"department": (dept, dept)},
        )

    rows = [
        row(1, "Tech", True, 1),
        row(2, "Tech", True, 1),
        row(3, "Service", False, 2),
        row(4, "Service", False, 2),
    ]
    gap = pace.gap_for(rows, points, today)
    assert (gap.planned_pct, gap.actual_pct, gap.gap_points, gap.missing) == (42.5, 50.0, 7.5, -0.3)
    segs = pace.segments(rows, points, today, kind="department")
    assert [(s.label, s.gap.gap_points) for s in segs] == [("Service", -42.5), ("Tech", 57.5)]
    assert segs[0].people == [("P3", 0.425), ("P4", 0.425)]
    assert [(name, g.missing) for name, g in segs[0].teams] == [("M2", 0.8)]


def test_risk():
    kw = {"starts_on": D(2026, 1, 1), "due_on": D(2026, 3, 1)}
    assert pace.risk(status="not_started", today=D(2026, 1, 10), started=False, **kw) == "on_track"
    assert pace.risk(status="not_started", today=D(2026, 2, 1), started=False, **kw) == "at_risk"
    assert pace.risk(status="in_progress", today=D(2026, 2, 1), started=True, **kw) == "on_track"
    assert pace.risk(status="in_progress", today=D(2026, 2, 25), started=True, **kw) == "at_risk"
    assert pace.risk(status="overdue", today=D(2026, 3, 2), started=True, **kw) == "overdue"


@pytest.mark.django_db
def test_reminder_rules_due_soon_overdue_escalation(personas, make_program):
    program = make_program(rules=[{}], due_days=30, category="compliance")
    services.program_activate(actor=personas.lena.user, program=program, now=aware(2026, 3, 1))
    # due 31 March; 7 days before: everyone gets the 7-day reminder
    notices, escalated = reminders.rule_notices(now=aware(2026, 3, 24))
    assert {n.category for n in notices} == {"due_soon"}
    assert len(notices) == 8 and all(n.mandatory for n in notices)
    assert notices[0].key.endswith(":due_soon:7:2026-03-31")
    notices, _ = reminders.rule_notices(now=aware(2026, 3, 30))
    assert {n.key.split(":")[-2] for n in notices} == {"1"}
    # overdue; after 7 days overdue, one escalation per manager listing their reports
    alice = Enrollment.objects.get(program=program, employee=personas.alice)
    Enrollment.objects.filter(pk=alice.pk).update(completed_at=aware(2026, 3, 20))
    notices, escalated = reminders.rule_notices(now=aware(2026, 4, 8))
    by_cat = {}
    for n in notices:
        by_cat.setdefault(n.category, []).append(n)
    assert len(by_cat["overdue"]) == 7
    maria_msg = next(n for n in by_cat["escalation"] if n.recipient_id == personas.maria.pk)
    assert maria_msg.body.splitlines()[1:] == [
        f"- {personas.bob.full_name}: AI fluency (8 days overdue)"
    ]
    assert maria_msg.key == f"programs:escalation:manager:{personas.maria.pk}:2026-04-08"
    assert len(escalated) == 6  # everyone overdue with a manager (erin has none)
    reminders.reminders_evaluate(now=aware(2026, 4, 8))
    _, again = reminders.rule_notices(now=aware(2026, 4, 9))
    assert again == []  # each enrollment is escalated once


@pytest.mark.django_db
def test_team_digest_facts(personas, make_program):
    from trellis.programs.selectors import team_digest_facts

    program = make_program(rules=[{}], due_days=5, name="Quick")
    services.program_activate(actor=personas.lena.user, program=program)
    facts = team_digest_facts(personas.maria)
    assert facts == {
        "overdue": 0,
        "overdue_names": [],
        "due_soon": 2,
        "due_soon_names": [
            f"{personas.alice.full_name} — Quick",
            f"{personas.bob.full_name} — Quick",
        ],
        "at_risk": 2,
    }
