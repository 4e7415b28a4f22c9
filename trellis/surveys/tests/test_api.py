from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trellis.core.models import AuditEvent
from trellis.core.services import api_token_create
from trellis.surveys import services
from trellis.surveys.models import Response
from trellis.surveys.tests.conftest import PULSE, answer, close_wave

pytestmark = pytest.mark.django_db


def test_my_open_surveys(personas, live_wave):
    data = personas.client("alice").get("/api/v1/surveys/open").json()
    assert [(w["wave_id"], w["title"], w["answered"], w["confidential"]) for w in data] == [
        (live_wave.pk, "AI-readiness pulse", False, True)
    ]
    first = data[0]["questions"][0]
    assert first["key"] == "ai_comfort" and first["section"] == "Using AI at work"
    assert first["choices"][4] == ["5", "Very comfortable"]
    assert personas.client("charlie").get("/api/v1/surveys/open").json() == []


def test_submit_an_answer(personas, live_wave):
    url = f"/api/v1/surveys/waves/{live_wave.pk}/responses"
    client = personas.client("alice")
    bad = client.post(url, {"answers": {**PULSE, "ai_comfort": 0}}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {
            "field": "answers.ai_comfort",
            "message": "Question 1 “How comfortable do you feel using AI at work?”: choose a "
            "point of the scale from 1 to 5.",
        }
    ]
    assert Response.objects.count() == 0
    ok = client.post(url, {"answers": PULSE}, content_type="application/json")
    assert ok.status_code == 201
    assert ok.json() == {"wave_id": live_wave.pk, "confidential": True, "editable_until": None}
    again = client.post(url, {"answers": PULSE}, content_type="application/json")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "wave"
    outsider = personas.client("charlie").post(
        url, {"answers": PULSE}, content_type="application/json"
    )
    assert outsider.status_code == 404
    assert Response.objects.count() == 1


def test_token_scopes(personas, live_wave):
    _, read_only = api_token_create(
        user=personas.alice.user, name="t", scopes=["surveys:read"], created_by=personas.lena.user
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {read_only}"}
    from django.test import Client

    client = Client()
    assert client.get("/api/v1/surveys/open", **headers).status_code == 200
    denied = client.post(
        f"/api/v1/surveys/waves/{live_wave.pk}/responses",
        {"answers": PULSE},
        content_type="application/json",
        **headers,
    )
    assert denied.status_code == 403
    assert Response.objects.count() == 0


@pytest.fixture
def closed_wave(personas, org, make_pulse):
    survey = make_pulse()
    now = timezone.now()
    wave = services.wave_schedule(
        actor=personas.lena.user,
        survey=survey,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=1),
    )
    services.waves_tick(now=now - dt.timedelta(days=9))
    wave.refresh_from_db()
    for e in [*org["maria_team"], *org["oscar_team"][:4]]:
        answer(e, wave, now=now)
    return close_wave(wave)


def test_results_are_scoped_and_suppressed(personas, closed_wave):
    url = f"/api/v1/surveys/waves/{closed_wave.pk}/results"
    lena = personas.client("lena").get(url + "?dimension=department").json()
    event = AuditEvent.objects.get(code="trellis.survey.results_exported")
    assert event.data["via"] == "api" and event.actor == personas.lena.user
    assert lena["respondents"] == 14 and lena["published"] is True
    # sales has 4 respondents: hidden, and tech (10) with it, else it would be 14 - 10
    assert [(c["label"], c["respondents"], c["suppressed"]) for c in lena["cells"]] == [
        ("Sales", None, True),
        ("Technology & Data", None, True),
    ]
    # maria's line (10) is not shown either: the wave minus her line would be those 4
    maria = personas.client("maria").get(url).json()
    assert maria["line"] == personas.maria.employee_id
    assert maria["published"] is False and maria["cells"][0]["respondents"] is None
    assert personas.client("alice").get(url).status_code == 403
    oscar = personas.client("oscar").get(url).json()
    assert oscar["line"] == personas.oscar.employee_id and oscar["published"] is False
    assert personas.client("oscar").get(url + "?dimension=location").status_code == 400
    assert personas.client("lena").get(url + "?line=E1").status_code == 400
    refused = personas.client("lena").get(url + "?dimension=department&location=2")
    assert refused.status_code == 400
    assert "other filters (location) are not allowed" in refused.json()["detail"]
