from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class PolicyOut(Schema):
    id: int
    title: str
    kind: str
    summary: str
    version: int
    published_on: dt.date
    sponsor: str | None
    due_on: dt.date
    status: str  # acknowledged / to_do / overdue
    acknowledged_at: dt.datetime | None
    body: str


class AcknowledgementIn(Schema):
    version: int | None = None  # the version the person read; refused if it is no longer current


class AcknowledgementOut(Schema):
    policy_id: int
    version: int
    acknowledged_at: dt.datetime


class PersonOut(Schema):
    employee_id: str
    name: str
    job_role: str | None
    active: bool


class OwnershipAreaOut(Schema):
    id: int
    name: str
    description: str
    accountable: list[PersonOut]
    responsible: list[PersonOut]
    consulted: list[PersonOut]
    informed: list[PersonOut]
    problems: list[str]


class ClarityOut(Schema):
    wave_id: int | None = None
    respondents: int | None = None
    shares: Any = None
    score: float | None = None


class OwnershipOut(Schema):
    areas: list[OwnershipAreaOut]
    clarity: ClarityOut | None


class EvaluationOut(Schema):
    metric: str
    value: str
    on: str = ""


class AISystemOut(Schema):
    slug: str
    name: str
    purpose: str
    data_used: list[str]
    owner: PersonOut | None
    model_name: str
    model_version: str
    evaluation: list[EvaluationOut]
    evaluated_on: dt.date | None
    limitations: str
    controls: str
    status: str


class DataExportOut(Schema):
    format: str
    generated_at: str
    person: str
    sections: dict[str, Any]
