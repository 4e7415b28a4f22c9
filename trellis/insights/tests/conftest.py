"""A small organisation with one program, learning records and (fake) survey results.

- "AI fluency" (everyone, 30 days, straight-line plan), every enrollment started 15 days ago: the plan
  expects 50 % today. alice and charlie have completed; nobody else.
- Statements: alice 30 min on the required item (one attempt: 10 then 30 min) and 20 min on another
  item (no attempt id); bob 60 min on the other item; charlie 45 min on the required item.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from trellis.catalog.tests.factories import ItemFactory
from trellis.insights import readiness
from trellis.insights.refresh import insights_refresh
from trellis.lrs.events import COMPLETED, XAPI_VERSION, build_statement, trellis_authority
from trellis.lrs.statements import statements_store
from trellis.programs import services
from trellis.programs.models import Enrollment, Program

PROGRESSED = ("http://adlnet.gov/expapi/verbs/progressed", "progressed")


def store(
    employee: Any,
    item: Any,
    duration: str,
    *,
    at: dt.datetime,
    registration: Any = None,
    verb: Any = COMPLETED,
) -> None:
    statement = build_statement(
        employee=employee, item=item, verb=verb, result={"duration": duration}, timestamp=at
    )
    if registration is not None:
        statement["context"]["registration"] = str(registration)
    statements_store(
        [statement], version=XAPI_VERSION, authority=trellis_authority(), project=False
    )


@dataclass
class Org:
    personas: Any
    program: Program
    required: Any
    other: Any
    registration: uuid.UUID
    today: dt.date
    at: dt.datetime


@pytest.fixture
def org(personas: Any) -> Org:
    today = timezone.localdate()
    required = ItemFactory(title="Prompting basics", duration_minutes=30)
    other = ItemFactory(title="Negotiation skills", duration_minutes=60)
    program = services.program_create(
        actor=personas.lena.user,
        name="AI fluency",
        due_policy=Program.DuePolicy.RELATIVE,
        due_days=30,
        planned_hours=2,
    )
    services.audience_set(actor=personas.lena.user, program=program, rules=[{}])
    services.requirement_add(actor=personas.lena.user, program=program, item=required)
    services.program_activate(actor=personas.lena.user, program=program)
    start = today - dt.timedelta(days=15)
    Enrollment.objects.filter(program=program).update(starts_on=start)
    Program.objects.filter(pk=program.pk).update(starts_on=start)
    program.refresh_from_db()
    done_at = timezone.now() - dt.timedelta(days=2)
    Enrollment.objects.filter(
        program=program, employee__in=[personas.alice, personas.charlie]
    ).update(completed_at=done_at, started_at=done_at)
    at = timezone.now() - dt.timedelta(days=3)
    reg = uuid.uuid4()
    store(personas.alice, required, "PT10M", at=at, registration=reg, verb=PROGRESSED)
    store(personas.alice, required, "PT30M", at=at + dt.timedelta(minutes=20), registration=reg)
    store(personas.alice, other, "PT20M", at=at)
    store(personas.bob, other, "PT1H", at=at, registration=uuid.uuid4())
    store(personas.charlie, required, "PT45M", at=at, registration=uuid.uuid4())
    from trellis.lrs.models import Statement
    from trellis.lrs.projection import project_statements

    project_statements(list(Statement.objects.values_list("pk", flat=True)))
    return Org(personas, program, required, other, reg, today, at)


def refresh(*, full: bool = True) -> dict[str, Any]:
    return insights_refresh(full=full, now=timezone.now() + dt.timedelta(minutes=5))


@pytest.fixture
def refreshed(org: Org) -> Org:
    refresh()
    return org


class FakeSurveys:
    """The surveys selectors' interface (see trellis.insights.readiness), with fixed figures."""

    METRICS = {
        "comfort": 0.5,
        "weekly_use": 0.7,
        "tool_confidence": 0.56,
        "advanced": 0.14,
        "self_level_score": 0.4,
        "strategy_communicated": 0.5,
        "usage_expectations": 0.45,
        "ownership_very_clear": 0.23,
        "ownership_unclear": 0.25,
        "tailoring_comfort": 0.5,
        "time_saving": 0.47,
        "want_more_control": 0.49,
        "want_more_human": 0.44,
    }

    def __init__(self, personas: Any) -> None:
        self.personas = personas
        self.calls: list[dict[str, Any]] = []

    def readiness_waves(self) -> list[dict[str, Any]]:
        return [
            {
                "id": 1,
                "survey_id": 1,
                "label": "Q1 pulse",
                "opens_at": None,
                "closes_at": None,
                "invited": 20,
                "respondents": 12,
            },
            {
                "id": 2,
                "survey_id": 1,
                "label": "Q2 pulse",
                "opens_at": None,
                "closes_at": None,
                "invited": 20,
                "respondents": 14,
            },
        ]

    def readiness_breakdown(
        self, *, wave_id: Any, dimension: str, employee_ids: Any = None
    ) -> list[dict[str, Any]]:
        self.calls.append(
            {"wave_id": wave_id, "dimension": dimension, "employee_ids": employee_ids}
        )
        bump = 0.1 if wave_id == 2 else 0.0
        metrics = {k: round(v + bump, 4) if k == "comfort" else v for k, v in self.METRICS.items()}
        if employee_ids is not None:  # a manager's line: too few respondents everywhere
            return [
                {
                    "key": "all" if dimension == "all" else "x",
                    "label": "Everyone" if dimension == "all" else "Technology & Data",
                    "respondents": None,
                    "suppressed": True,
                    "metrics": None,
                }
            ]
        if dimension == "all":
            return [
                {
                    "key": "all",
                    "label": "Everyone",
                    "respondents": 12,
                    "suppressed": False,
                    "metrics": metrics,
                }
            ]
        tech = self.personas.alice.department
        sales = self.personas.charlie.department
        return [
            {
                "key": str(tech.pk),
                "label": tech.name,
                "respondents": 8,
                "suppressed": False,
                "metrics": metrics,
            },
            {
                "key": str(sales.pk),
                "label": sales.name,
                "respondents": None,
                "suppressed": True,
                "metrics": None,
            },
        ]


@pytest.fixture
def surveys(personas: Any, monkeypatch: Any) -> FakeSurveys:
    fake = FakeSurveys(personas)
    monkeypatch.setattr(readiness, "PROVIDER", fake)
    return fake
