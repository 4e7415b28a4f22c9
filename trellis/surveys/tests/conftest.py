from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from trellis.people.models import Employee
from trellis.people.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    JobRoleFactory,
    LocationFactory,
)
from trellis.surveys import services
from trellis.surveys.models import Survey, Wave

#: A full, valid answer to the AI-readiness pulse.
PULSE = {
    "ai_comfort": 4,
    "ai_weekly_use": "weekly",
    "ai_tool_confidence": 4,
    "ai_self_level": "intermediate",
    "ai_time_saving": 4,
    "ai_strategy_communicated": "yes",
    "ai_usage_expectations": "no",
    "ai_ownership_clarity": "mostly_clear",
    "ai_tailoring_comfort": 3,
    "ai_benefits": ["find_answers_faster"],
    "want_more_control": "yes",
    "want_more_human": "no",
    "ai_support_needed": "",
}

#: Far in the future, so that "now" in the selectors is before every wave of the tests.
NOW = timezone.make_aware(dt.datetime(2036, 6, 1, 9, 0))


@pytest.fixture
def make_pulse(personas: Any) -> Any:
    def make(*, rules: list[dict[str, Any]] | None = None, **fields: Any) -> Survey:
        survey = services.survey_from_template(actor=personas.lena.user)
        if fields:
            services.survey_update(actor=personas.lena.user, survey=survey, **fields)
        services.survey_audience_set(
            actor=personas.lena.user, survey=survey, rules=rules if rules is not None else [{}]
        )
        return survey

    return make


def open_wave(survey: Survey, *, actor: Any, now: dt.datetime = NOW, days: int = 14) -> Wave:
    wave = services.wave_schedule(
        actor=actor,
        survey=survey,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=days),
    )
    services.waves_tick(now=now)
    wave.refresh_from_db()
    return wave


@pytest.fixture
def live_wave(personas: Any, make_pulse: Any) -> Wave:
    """An open pulse wave (real "now"), audience: maria's department (maria, alice, bob)."""
    survey = make_pulse(rules=[{"departments": [personas.maria.department]}])
    return open_wave(survey, actor=personas.lena.user, now=timezone.now(), days=7)


def close_wave(wave: Wave) -> Wave:
    services.waves_tick(now=wave.closes_at + dt.timedelta(minutes=1))
    wave.refresh_from_db()
    return wave


def answer(employee: Employee, wave: Wave, now: dt.datetime = NOW, **overrides: Any) -> Any:
    return services.response_submit(
        employee=employee, wave=wave, answers={**PULSE, **overrides}, now=now
    )


def staff(
    n: int, *, manager: Employee, department: Any = None, location: Any = None, family: str = ""
) -> list[Employee]:
    """``n`` employees reporting to ``manager``."""
    role = JobRoleFactory(title=f"Role {family or 'x'}", family=family or "Technology & Data")
    return [
        EmployeeFactory(
            manager=manager,
            department=department or manager.department,
            location=location or LocationFactory(name="London"),
            job_role=role,
        )
        for _ in range(n)
    ]


@pytest.fixture
def org(personas: Any) -> dict[str, Any]:
    """Beyond the personas: maria's line (alice, bob + 8 more in tech, London) and oscar's line
    (charlie + 9 more in sales, Berlin)."""
    london = LocationFactory(name="London")
    berlin = LocationFactory(name="Berlin")
    tech = personas.maria.department
    sales = personas.oscar.department
    maria_rest = staff(8, manager=personas.maria, location=london)
    oscar_rest = staff(9, manager=personas.oscar, location=berlin, family="Sales")
    for e in (personas.alice, personas.bob):
        e.location = london
        e.job_role = maria_rest[0].job_role
        e.save(update_fields=["location", "job_role"])
    personas.charlie.location = berlin
    personas.charlie.job_role = oscar_rest[0].job_role
    personas.charlie.save(update_fields=["location", "job_role"])
    maria_team = [personas.alice, personas.bob, *maria_rest]
    oscar_team = [personas.charlie, *oscar_rest]
    return {
        "london": london,
        "berlin": berlin,
        "tech": tech,
        "sales": sales,
        "maria_team": maria_team,
        "oscar_team": oscar_team,
        "finance": DepartmentFactory(name="Finance", code="finance"),
    }
