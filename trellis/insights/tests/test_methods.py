"""The methods behind the figures, with exact numbers: the reminder effect, the landing page's
headline figures, and bad input."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from trellis.insights.compute import nudge_effect
from trellis.insights.models import ProgramSnapshot
from trellis.notify.models import Category, Notification
from trellis.programs.models import Enrollment


def test_completion_after_a_reminder_vs_comparable_learners_not_reminded(org):
    p = org.personas
    t = timezone.now() - dt.timedelta(days=10)
    enrollments = {e.employee_id: e for e in Enrollment.objects.filter(program=org.program)}
    # alice and bob are nudged at t, neither started; alice completes 2 days later
    Enrollment.objects.filter(pk=enrollments[p.alice.pk].pk).update(
        started_at=None, completed_at=t + dt.timedelta(days=2)
    )
    for who in (p.alice, p.bob):
        e = enrollments[who.pk]
        Notification.objects.create(
            recipient=who,
            category=Category.NUDGE,
            key=f"program:{org.program.pk}:enrollment:{e.pk}:nudge:{t.date().isoformat()}",
            subject="A nudge",
            body="Please finish AI fluency.",
            created_at=t,
        )
    out = nudge_effect(employee_ids=None, today=timezone.localdate())
    # comparison: the 6 others, none started or complete at t; charlie completes 8 days after t
    assert out["rows"] == [
        {
            "program": "AI fluency",
            "nudged": 2,
            "nudged_rate": 0.5,
            "comparison": 6,
            "comparison_rate": 0.0,
            "difference": 50.0,
        }
    ]
    line = nudge_effect(employee_ids={p.alice.pk, p.bob.pk}, today=timezone.localdate())
    assert line["rows"] == [
        {
            "program": "AI fluency",
            "nudged": 2,
            "nudged_rate": 0.5,
            "comparison": 0,
            "comparison_rate": None,
            "difference": None,
        }
    ]


def test_landing_headline_figures(refreshed, surveys):
    r = refreshed.personas.client("lena").get(reverse("insights:home"))
    assert r.status_code == 200
    headline = dict(r.context["d"].headline)
    assert headline == {
        "Programs with a significant gap": "1 (100 %)",
        "AI readiness index": "48 / 100",
        "Self-directed share of learning time": "52 %",  # 80 of 155 minutes
        "AI-enriched catalog": "0 %",
    }
    line = dict(
        refreshed.personas.client("maria").get(reverse("insights:home")).context["d"].headline
    )
    assert line["Programs with a significant gap"] == "0 (0 %)"
    assert line["Self-directed share of learning time"] == "73 %"  # 80 of 110 minutes
    assert line["AI readiness index"] == "fewer than 5 respondents"


def test_bad_parameters_are_named_and_change_nothing(refreshed):
    client = refreshed.personas.client("lena")
    before = ProgramSnapshot.objects.count()
    r = client.get(reverse("insights:learning"), {"weeks": "many"})
    assert r.status_code == 400 and "weeks" in r.content.decode()
    r = client.get(reverse("insights:planned"), {"segment": "planet"})
    assert r.status_code == 400 and "segment" in r.content.decode()
    r = client.get(reverse("insights:readiness_pdf"), {"dimension": "shoe size"})
    assert r.status_code == 400 and "dimension" in r.content.decode()
    r = client.get(reverse("insights:planned"), {"export": "csv", "table": "nope"})
    assert r.status_code == 404
    assert ProgramSnapshot.objects.count() == before


def test_org_pages_read_the_aggregates_in_a_constant_number_of_queries(refreshed, surveys):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.programs import services

    from .conftest import refresh

    client = refreshed.personas.client("lena")

    def count(page: str) -> int:
        client.get(reverse(f"insights:{page}"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(f"insights:{page}")).status_code == 200
        return len(ctx.captured_queries)

    before = {page: count(page) for page in ("planned", "learning", "skills", "content")}
    lena = refreshed.personas.lena.user
    second = services.program_create(actor=lena, name="Data privacy", due_days=30)
    services.audience_set(actor=lena, program=second, rules=[{}])
    services.requirement_add(actor=lena, program=second, item=refreshed.other)
    services.program_activate(actor=lena, program=second)
    refresh()
    after = {page: count(page) for page in before}
    assert after == before
    assert max(after.values()) <= 15
