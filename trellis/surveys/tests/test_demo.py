from __future__ import annotations

import pytest

from trellis.people.tests.factories import EmployeeFactory, UserFactory
from trellis.surveys.demo import build_demo
from trellis.surveys.models import Participation, Response, Survey, Wave
from trellis.surveys.selectors import readiness_waves, survey_signals_for

pytestmark = pytest.mark.django_db


def test_demo_pulse_waves_and_sam(personas):
    sam = EmployeeFactory(user=UserFactory(username="sam"), manager=personas.maria)
    summary = build_demo()
    survey = Survey.objects.get(template="ai-readiness-pulse")
    assert survey.confidential and survey.repeat_months == 3
    waves = readiness_waves()
    assert [w["label"].split(" (")[0] for w in waves] == ["Wave 1", "Wave 2", "Wave 3", "Wave 4"]
    assert [Wave.objects.get(pk=w["id"]).status for w in waves] == [
        "closed",
        "closed",
        "open",
        "scheduled",
    ]
    assert [w["invited"] for w in waves[:3]] == [9, 9, 9]
    assert [w["respondents"] for w in waves[:2]] == [w["respondents"] for w in summary["waves"][:2]]
    # Sam answered the closed waves, not the open one, and opted in
    answered = dict(
        Participation.objects.filter(employee=sam).values_list("wave__number", "answered")
    )
    assert answered == {1: True, 2: True, 3: False}
    assert survey_signals_for(sam)["interests"] == ["personalised_paths", "practice_feedback"]
    assert Response.objects.filter(employee__isnull=False).count() == 0
    # idempotent
    assert build_demo() == {"skipped": "the demo pulse exists"}
    assert Survey.objects.count() == 1
