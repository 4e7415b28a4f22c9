"""The surveys router of the JSON API (mounted at /api/v1/surveys/ by config/api.py).

- ``GET /open``: the signed-in person's open survey waves, with their questions (``surveys:read``);
- ``POST /waves/{id}/responses``: answer one (``surveys:write``); 422 names each bad question;
- ``GET /waves/{id}/results?dimension=``: aggregated results through the anonymity rules: the
  wave's table by one dimension for L&D, executives and auditors; a manager's own reporting
  line's totals for managers; any other query parameter is refused (400). Learners get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from trellis.core.api_auth import require_scope
from trellis.core.schemas import InvalidOut
from trellis.people.models import Employee
from trellis.people.selectors import employee_for_user
from trellis.surveys import selectors, services
from trellis.surveys.templates_catalog import READINESS_TEMPLATE
from trellis.surveys.views import RESULTS_PARAMS

router = Router(tags=["surveys"])


class QuestionOut(Schema):
    key: str
    kind: str
    text: str
    help_text: str
    required: bool
    section: str | None
    choices: list[list[str]]
    min_value: float | None
    max_value: float | None


class OpenWaveOut(Schema):
    wave_id: int
    survey_id: int
    title: str
    intro: str
    confidential: bool
    anonymity_threshold: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    answered: bool
    questions: list[QuestionOut]


class ResponseIn(Schema):
    answers: dict[str, Any]
    personalize: bool | None = None


class ResponseOut(Schema):
    wave_id: int
    confidential: bool
    editable_until: dt.datetime | None


class OptionOut(Schema):
    value: str
    label: str
    count: int
    share: float


class QuestionSummaryOut(Schema):
    answered: int
    options: list[OptionOut]
    mean: float | None


class CellOut(Schema):
    key: str
    label: str
    respondents: int | None
    suppressed: bool
    questions: dict[str, QuestionSummaryOut] | None


class ResultsOut(Schema):
    wave_id: int
    survey_id: int
    dimension: str
    line: str | None
    threshold: int
    closed: bool
    published: bool
    respondents: int | None
    cells: list[CellOut]
    comments: dict[str, list[str]]


def _me(request: HttpRequest) -> Employee:
    me = employee_for_user(request.user)
    if me is None:
        raise HttpError(404, "Only employees answer surveys.")
    return me


@router.get("/open", response=list[OpenWaveOut], summary="My open surveys")
def open_surveys(request: HttpRequest) -> Any:
    require_scope(request, "surveys:read")
    me = _me(request)
    out = []
    for row in selectors.open_waves_for(me):
        survey = row["survey"]
        questions = [
            {
                "key": q.key,
                "kind": q.kind,
                "text": q.text,
                "help_text": q.help_text,
                "required": q.required,
                "section": section.title if section else None,
                "choices": [list(c) for c in q.choices],
                "min_value": q.min_value,
                "max_value": q.max_value,
            }
            for section, qs in selectors.survey_structure(survey)
            for q in qs
        ]
        out.append(
            {
                "wave_id": row["wave"].pk,
                "survey_id": survey.pk,
                "title": survey.title,
                "intro": survey.intro,
                "confidential": survey.confidential,
                "anonymity_threshold": survey.anonymity_threshold,
                "opens_at": row["wave"].opens_at,
                "closes_at": row["wave"].closes_at,
                "answered": row["answered"],
                "questions": questions,
            }
        )
    return out


@router.post(
    "/waves/{wave_id}/responses",
    response={201: ResponseOut, 422: InvalidOut},
    summary="Answer an open survey wave",
)
def submit(request: HttpRequest, wave_id: int, payload: ResponseIn) -> Any:
    require_scope(request, "surveys:write")
    me = _me(request)
    try:
        wave = selectors.get_open_wave_for_employee(employee=me, wave_id=wave_id)
    except Http404:
        raise HttpError(404, "No such survey.") from None
    try:
        services.response_submit(
            employee=me,
            wave=wave,
            answers=payload.answers,
            personalize=payload.personalize if wave.survey.template == READINESS_TEMPLATE else None,
            actor=request.user,
        )
    except ValidationError as exc:
        errors = [
            {"field": f"answers.{field}" if field != "wave" else "wave", "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        return Status(422, {"detail": "Invalid input", "errors": errors})
    return Status(
        201,
        {
            "wave_id": wave.pk,
            "confidential": wave.survey.confidential,
            "editable_until": None if wave.survey.confidential else wave.closes_at,
        },
    )


@router.get("/waves/{wave_id}/results", response=ResultsOut, summary="Aggregated results")
def results(request: HttpRequest, wave_id: int, dimension: str = "all") -> Any:
    require_scope(request, "surveys:read")
    unknown = sorted(set(request.GET) - RESULTS_PARAMS)
    if unknown:
        raise HttpError(
            400,
            f"Results take one breakdown (dimension); other filters ({', '.join(unknown)}) are "
            "not allowed: combined filters could single a person out.",
        )
    if dimension not in selectors.BREAKDOWN_DIMENSIONS:
        raise HttpError(400, f"dimension: not one of {', '.join(selectors.BREAKDOWN_DIMENSIONS)}")
    try:
        wave = selectors.get_wave_for_results(user=request.user, wave_id=wave_id)
    except Http404:
        raise HttpError(404, "No such wave.") from None
    scope, me = selectors.results_scope(request.user)
    manager: Employee | None = me if scope == "line" else None
    if manager is not None and dimension != "all":
        raise HttpError(
            400,
            "A reporting line's results are its totals only: a breakdown inside it could single "
            "a person out.",
        )
    data = selectors.results(
        wave=wave,
        dimension=dimension,
        line=manager.pk if manager else None,
        with_wave_tables=False,
    )
    services.results_exported(
        actor=request.user,
        wave=wave,
        dimension=dimension,
        line=manager.pk if manager else None,
        via="api",
    )
    return {
        "wave_id": wave.pk,
        "survey_id": wave.survey_id,
        "dimension": dimension,
        "line": manager.employee_id if manager else None,
        "threshold": data["threshold"],
        "closed": data["closed"],
        "published": data["published"],
        "respondents": data["respondents"],
        "cells": data["cells"],
        "comments": data["comments"],
    }
