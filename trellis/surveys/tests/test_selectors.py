"""The public selectors' exact shapes and values on a small fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from trellis.surveys import selectors
from trellis.surveys.selectors import ownership_clarity, readiness_breakdown, readiness_waves
from trellis.surveys.tests.conftest import NOW, answer, close_wave, open_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(personas, org, make_pulse):
    """20 respondents: maria's line (10, tech, London), oscar's line (10, sales, Berlin)."""
    wave = open_wave(make_pulse(), actor=personas.lena.user)
    for n, e in enumerate(org["maria_team"]):
        keen = n < 6
        answer(
            e,
            wave,
            ai_comfort=5 if keen else 2,
            ai_weekly_use="daily" if keen else "monthly",
            ai_self_level="advanced" if keen else "beginner",
            ai_ownership_clarity="very_clear" if keen else "mostly_unclear",
            ai_support_needed=f"tech comment {n}" if n < 2 else "",
        )
    for e in org["oscar_team"]:
        answer(e, wave, ai_comfort=3, ai_weekly_use="weekly", ai_self_level="intermediate")
    return wave


TECH = {
    "comfort": 0.6,
    "weekly_use": 0.6,
    "tool_confidence": 1.0,
    "advanced": 0.6,
    "self_level_score": 0.6,
    "strategy_communicated": 1.0,
    "usage_expectations": 0.0,
    "ownership_very_clear": 0.6,
    "ownership_unclear": 0.4,
    "tailoring_comfort": 0.0,
    "time_saving": 1.0,
    "want_more_control": 1.0,
    "want_more_human": 0.0,
}
SALES = {
    **TECH,
    "comfort": 0.0,
    "weekly_use": 1.0,
    "advanced": 0.0,
    "self_level_score": 0.5,
    "ownership_very_clear": 0.0,
    "ownership_unclear": 0.0,
}


def test_nothing_is_published_while_the_wave_is_open(wave):
    assert readiness_breakdown(wave_id=wave.pk, dimension="all") == [
        {
            "key": "all",
            "label": "Everyone",
            "respondents": None,
            "suppressed": True,
            "metrics": None,
        }
    ]
    assert ownership_clarity(wave_id=wave.pk) is None


def test_readiness_breakdown_by_department(wave):
    close_wave(wave)
    assert readiness_breakdown(wave_id=wave.pk, dimension="department") == [
        {
            "key": "sales",
            "label": "Sales",
            "respondents": 10,
            "suppressed": False,
            "metrics": SALES,
        },
        {
            "key": "technology-data",
            "label": "Technology & Data",
            "respondents": 10,
            "suppressed": False,
            "metrics": TECH,
        },
    ]
    overall = readiness_breakdown(wave_id=wave.pk, dimension="all")
    assert overall[0]["respondents"] == 20
    assert overall[0]["metrics"]["comfort"] == 0.3
    assert overall[0]["metrics"]["self_level_score"] == 0.55
    families = readiness_breakdown(wave_id=wave.pk, dimension="role_family")
    assert [(r["key"], r["respondents"]) for r in families] == [
        ("sales", 10),
        ("technology-data", 10),
    ]
    levels = readiness_breakdown(wave_id=wave.pk, dimension="ai_literacy_level")
    assert [(r["key"], r["label"], r["respondents"]) for r in levels] == [
        ("none", "Not assessed", 20)
    ]


def test_unknown_dimension_is_an_error(wave):
    with pytest.raises(ValueError, match="dimension: not one of all, department"):
        readiness_breakdown(wave_id=wave.pk, dimension="manager")


def test_a_managers_line_is_published_only_when_the_rules_allow(personas, org, wave):
    close_wave(wave)
    line = [e.pk for e in org["maria_team"]]
    rows = readiness_breakdown(wave_id=wave.pk, dimension="all", employee_ids=line)
    assert rows == [
        {"key": "all", "label": "Everyone", "respondents": 10, "suppressed": False, "metrics": TECH}
    ]
    # with the manager herself: the same line
    with_maria = readiness_breakdown(
        wave_id=wave.pk, dimension="all", employee_ids=[*line, personas.maria.pk]
    )
    assert with_maria[0]["respondents"] == 10
    # a set that is not a reporting line (maria's line minus one person): everything suppressed
    assert readiness_breakdown(wave_id=wave.pk, dimension="department", employee_ids=line[1:]) == [
        {
            "key": "sales",
            "label": "Sales",
            "respondents": None,
            "suppressed": True,
            "metrics": None,
        },
        {
            "key": "technology-data",
            "label": "Technology & Data",
            "respondents": None,
            "suppressed": True,
            "metrics": None,
        },
    ]


@pytest.mark.parametrize(("answered", "published"), [(5, True), (4, False)])
def test_a_line_just_at_and_just_below_the_threshold(
    personas, org, make_pulse, answered, published
):
    wave = open_wave(make_pulse(), actor=personas.lena.user)
    for e in org["maria_team"][:answered]:
        answer(e, wave)
    for e in org["oscar_team"]:
        answer(e, wave)
    close_wave(wave)
    rows = readiness_breakdown(
        wave_id=wave.pk, dimension="all", employee_ids=[e.pk for e in org["maria_team"]]
    )
    assert rows[0]["suppressed"] is not published
    assert rows[0]["respondents"] == (answered if published else None)


def test_ownership_clarity(wave):
    close_wave(wave)
    expected = {
        "wave_id": wave.pk,
        "respondents": 20,
        "shares": {
            "very_clear": 0.3,
            "mostly_clear": 0.5,
            "somewhat_clear": 0.0,
            "mostly_unclear": 0.2,
            "completely_unclear": 0.0,
        },
        "score": 72.5,
    }
    assert ownership_clarity(wave_id=wave.pk) == expected
    assert ownership_clarity() == expected  # the latest closed pulse wave


def test_ownership_clarity_below_the_threshold_is_none(personas, make_pulse):
    wave = open_wave(make_pulse(), actor=personas.lena.user)
    for e in (personas.alice, personas.bob, personas.charlie, personas.maria):
        answer(e, wave)
    close_wave(wave)
    assert ownership_clarity(wave_id=wave.pk) is None
    assert ownership_clarity() is None


def test_readiness_waves(personas, wave):
    rows = readiness_waves()
    assert rows == [
        {
            "id": wave.pk,
            "survey_id": wave.survey_id,
            "label": "Wave 1 (Jun 2036)",
            "opens_at": NOW - dt.timedelta(hours=1),
            "closes_at": NOW + dt.timedelta(days=14),
            "invited": 25,
            "respondents": 20,
            "closed": False,
        },
        {
            "id": rows[1]["id"],
            "survey_id": wave.survey_id,
            "label": "Wave 2 (Sep 2036)",
            "opens_at": NOW.replace(month=9) - dt.timedelta(hours=1),
            "closes_at": NOW.replace(month=9) + dt.timedelta(days=14),
            "invited": 0,
            "respondents": 0,
            "closed": False,
        },
    ]
    close_wave(wave)
    assert [w["closed"] for w in readiness_waves()] == [True, False]


def test_free_text_only_without_identity_for_a_published_population(org, wave):
    close_wave(wave)
    data = selectors.results(wave=wave, dimension="department")
    assert data["comments"] == {"ai_support_needed": ["tech comment 0", "tech comment 1"]}
    assert [c["respondents"] for c in data["cells"]] == [10, 10]
    survey_signal_free = selectors.results(wave=wave, dimension="all", line=org["maria_team"][0].pk)
    assert survey_signal_free["published"] is False and survey_signal_free["comments"] == {}
