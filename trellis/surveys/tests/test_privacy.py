from __future__ import annotations

import pytest

from trellis.surveys import privacy, services
from trellis.surveys.models import Participation, Response, SurveySignal
from trellis.surveys.tests.conftest import NOW, PULSE, open_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(personas, make_pulse):
    """alice answered a confidential pulse (with personalization) and an open, named one."""
    confidential = open_wave(make_pulse(), actor=personas.lena.user)
    services.response_submit(
        employee=personas.alice, wave=confidential, answers=PULSE, personalize=True, now=NOW
    )
    named = open_wave(make_pulse(confidential=False), actor=personas.lena.user)
    services.response_submit(
        employee=personas.alice, wave=named, answers={**PULSE, "ai_comfort": 2}, now=NOW
    )
    services.response_submit(employee=personas.bob, wave=named, answers=PULSE, now=NOW)
    return confidential, named


def test_export_has_named_answers_and_participations_not_anonymous_ones(personas, answered):
    confidential, named = answered
    data = privacy.export_data(employee=personas.alice)
    assert [(p["wave"], p["confidential"], p["answered"]) for p in data["participations"]] == [
        (confidential.label, True, True),
        (named.label, False, True),
    ]
    assert len(data["answers"]) == 1
    assert data["answers"][0]["answers"]["ai_comfort"] == 2
    assert data["answers"][0]["segment"]["department"] == "Technology & Data"
    # consent granted once holds for later pulses: both answers were copied
    assert [s["values"]["ai_comfort"] for s in data["personalization_signals"]] == [4, 2]
    assert data["personalization_signals"][:1] == [
        {
            "wave_id": confidential.pk,
            "recorded_on": NOW.date().isoformat(),
            "values": {
                "ai_self_level": "intermediate",
                "ai_comfort": 4,
                "ai_weekly_use": "weekly",
                "ai_benefits": ["find_answers_faster"],
                "want_more_human": "no",
            },
        }
    ]
    import json

    json.dumps(data)  # JSON-ready


def test_erase_removes_the_link_and_keeps_aggregates(personas, answered):
    _confidential, named = answered
    before = Response.objects.count()
    result = privacy.erase_data(employee=personas.alice, pseudonym="anon-1")
    assert result == {"participations_deleted": 2, "signals_deleted": 2, "answers_unlinked": 1}
    assert Response.objects.count() == before  # aggregates keep every answer
    assert not Participation.objects.filter(employee=personas.alice).exists()
    assert not SurveySignal.objects.filter(employee=personas.alice).exists()
    assert not Response.objects.filter(employee=personas.alice).exists()
    unlinked = Response.objects.get(wave=named, answers__ai_comfort=2)
    assert unlinked.employee is None and unlinked.submitted_at is None
    assert unlinked.manager_path == ""
    # bob's data is untouched
    assert Response.objects.filter(employee=personas.bob).count() == 1
    assert privacy.export_data(employee=personas.alice) == {
        "participations": [],
        "answers": [],
        "personalization_signals": [],
        "note": privacy.export_data(employee=personas.alice)["note"],
    }
