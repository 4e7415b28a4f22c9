"""AI readiness on real survey data (trellis.surveys): anonymity holds in insights too."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.urls import reverse

from trellis.surveys import services
from trellis.surveys.tests.conftest import answer, close_wave, open_wave, staff


def _rows(client, table, **params):
    r = client.get(reverse("insights:readiness"), {**params, "export": "csv", "table": table})
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def test_readiness_from_the_pulse_survey(personas):
    lena = personas.lena.user
    tech_team = [personas.alice, personas.bob, *staff(4, manager=personas.maria)]
    sales_team = [personas.charlie, *staff(6, manager=personas.oscar)]
    hr_team: list = []
    survey = services.survey_from_template(actor=lena)
    services.survey_audience_set(actor=lena, survey=survey, rules=[{}])
    wave = open_wave(survey, actor=lena)
    for i, e in enumerate(tech_team):
        answer(e, wave, ai_comfort=5 if i < 3 else 2, ai_weekly_use="daily")
    for e in [*sales_team, *hr_team]:
        answer(e, wave)
    close_wave(wave)

    rows = {r["Department"]: r for r in _rows(personas.client("lena"), "groups")}
    tech = rows["Technology & Data"]
    assert tech["Respondents"] == "6"
    assert tech["Comfortable with AI (%)"] == "50.0"
    assert tech["Uses AI weekly (%)"] == "100.0"
    assert rows["Sales"]["Respondents"] == "7"
    assert rows["Sales"]["Comfortable with AI (%)"] == "100.0"
    # the index of a published group: 100 x (.15 x (.5 + 1 + 1 + .5) + .1 x (1 + 0) + .1 x .5)
    assert tech["Readiness index"] == "60.0"
    # a manager's line goes through the surveys selector with its people: whatever it suppresses
    # (here every row: the line is published only when its rules allow) shows as such
    line = _rows(personas.client("maria"), "groups")
    assert [(r["Department"], r["Respondents"], r["Readiness index"]) for r in line] == [
        ("Sales", "fewer than 5 respondents", "fewer than 5 respondents"),
        ("Technology & Data", "fewer than 5 respondents", "fewer than 5 respondents"),
    ]
    assert all(r["Comfortable with AI (%)"] == "—" for r in line)
    page = personas.client("maria").get(reverse("insights:readiness")).content.decode()
    assert "fewer than 5 respondents" in page
    assert personas.client("alice").get(reverse("insights:readiness")).status_code == 403


def test_an_open_wave_is_neither_the_default_nor_in_the_trend(personas):
    lena = personas.lena.user
    people = [personas.alice, personas.bob, *staff(4, manager=personas.maria)]
    survey = services.survey_from_template(actor=lena)
    services.survey_audience_set(actor=lena, survey=survey, rules=[{}])
    first = open_wave(survey, actor=lena)
    for e in people:
        answer(e, first)
    close_wave(first)
    second = open_wave(survey, actor=lena, now=first.closes_at + dt.timedelta(days=30))
    answer(personas.alice, second, now=first.closes_at + dt.timedelta(days=30))
    trend = _rows(personas.client("lena"), "trend")
    assert [r["Respondents"] for r in trend] == ["6"]
    page = personas.client("lena").get(reverse("insights:readiness"))
    headline = dict(page.context["d"].headline)
    assert (headline["Survey wave"], headline["Respondents"]) == (first.label, "6")
