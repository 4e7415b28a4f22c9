"""Reads of surveys and their results. Results are only ever computed through
``trellis.surveys.anonymity`` (see README.md, "Anonymity").

Public contract for other apps (insights, governance, discovery): ``READINESS_TEMPLATE``,
``READINESS_KEYS``, ``readiness_waves``, ``readiness_breakdown``, ``ownership_clarity`` and
``survey_signals_for``. Their names and shapes do not change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.core.permissions import ORG_READERS, Role, has_role, roles_for
from trellis.people.models import Employee
from trellis.people.selectors import employee_for_user
from trellis.surveys.anonymity import (
    ALL,
    DIMENSION_LABELS,
    DIMENSIONS,
    Cell,
    Entry,
    Plan,
    plan_for,
    table,
)
from trellis.surveys.models import Participation, Question, Response, Survey, SurveySignal, Wave
from trellis.surveys.templates_catalog import READINESS_KEYS, READINESS_TEMPLATE

__all__ = [
    "OWNERSHIP_SCORES",
    "READINESS_KEYS",
    "READINESS_TEMPLATE",
    "ownership_clarity",
    "readiness_breakdown",
    "readiness_waves",
    "survey_signals_for",
]

#: Dimensions a results page may break down by (one at a time).
BREAKDOWN_DIMENSIONS: tuple[str, ...] = (ALL, *DIMENSIONS)

#: The ownership clarity score: the mean of these points over the respondents (0..100).
OWNERSHIP_SCORES: dict[str, int] = {
    "very_clear": 100,
    "mostly_clear": 75,
    "somewhat_clear": 50,
    "mostly_unclear": 25,
    "completely_unclear": 0,
}
SELF_LEVEL_SCORES = {"beginner": 0.0, "intermediate": 0.5, "advanced": 1.0}


# --- the responses of a wave, and its plan -------------------------------------------------------


def wave_entries(wave: Wave) -> list[Entry]:
    """The responses of a wave as the anonymity rules read them (one query)."""
    out = []
    for answers, segment, path in Response.objects.filter(wave=wave).values_list(
        "answers", "segment", "manager_path"
    ):
        out.append(
            Entry(
                segment={d: (str(v[0]), str(v[1])) for d, v in (segment or {}).items()},
                chain=tuple(int(p) for p in path.strip("/").split("/") if p),
                answers=answers or {},
            )
        )
    # no order that could be matched with the order people answered in
    out.sort(key=lambda e: repr(sorted(e.answers.items())))
    return out


def wave_is_closed(wave: Wave, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return wave.status == Wave.Status.CLOSED or wave.closes_at <= now


def wave_plan(wave: Wave, entries: Sequence[Entry] | None = None) -> tuple[list[Entry], Plan]:
    """The wave's entries and its publication plan (nothing is published before it closes)."""
    entries = list(entries) if entries is not None else wave_entries(wave)
    return entries, plan_for(
        entries, k=wave.survey.anonymity_threshold, closed=wave_is_closed(wave)
    )


def line_for_population(employee_ids: Collection[int]) -> int | None:
    """The manager whose current reporting line (active, every level; with or without the manager)
    is exactly ``employee_ids``, or None when the set is not a reporting line."""
    ids = set(employee_ids)
    if not ids:
        return None
    paths = dict(Employee.objects.filter(pk__in=ids).values_list("pk", "manager_path"))
    if len(paths) != len(ids):
        return None
    split = [[int(p) for p in path.strip("/").split("/") if p] for path in paths.values()]
    common: list[int] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    for candidate in reversed(common[-2:]):
        manager = Employee.objects.filter(pk=candidate).only("pk", "manager_path").first()
        if manager is None:
            continue
        line = set(
            Employee.objects.filter(manager_path__startswith=manager.manager_path, is_active=True)
            .exclude(pk=manager.pk)
            .values_list("pk", flat=True)
        )
        if line and ids - {manager.pk} == line:
            return manager.pk
    return None


# --- the AI-readiness metrics ---------------------------------------------------------------------


def _share(entries: Sequence[Entry], test: Any) -> float:
    return round(sum(1 for e in entries if test(e.answers)) / len(entries), 4) if entries else 0.0


def readiness_metrics(entries: Sequence[Entry]) -> dict[str, float]:
    """Shares (0..1) of the respondents; see README.md for each definition."""

    def likert_at_least_4(key: str) -> Any:
        return lambda a: isinstance(a.get(key), int) and a[key] >= 4

    def equals(key: str, *values: str) -> Any:
        return lambda a: a.get(key) in values

    levels = [SELF_LEVEL_SCORES.get(e.answers.get("ai_self_level", ""), 0.0) for e in entries]
    return {
        "comfort": _share(entries, likert_at_least_4("ai_comfort")),
        "weekly_use": _share(entries, equals("ai_weekly_use", "daily", "weekly")),
        "tool_confidence": _share(entries, likert_at_least_4("ai_tool_confidence")),
        "advanced": _share(entries, equals("ai_self_level", "advanced")),
        "self_level_score": round(sum(levels) / len(levels), 4) if levels else 0.0,
        "strategy_communicated": _share(entries, equals("ai_strategy_communicated", "yes")),
        "usage_expectations": _share(entries, equals("ai_usage_expectations", "yes")),
        "ownership_very_clear": _share(entries, equals("ai_ownership_clarity", "very_clear")),
        "ownership_unclear": _share(
            entries, equals("ai_ownership_clarity", "mostly_unclear", "completely_unclear")
        ),
        "tailoring_comfort": _share(entries, likert_at_least_4("ai_tailoring_comfort")),
        "time_saving": _share(entries, likert_at_least_4("ai_time_saving")),
        "want_more_control": _share(entries, equals("want_more_control", "yes")),
        "want_more_human": _share(entries, equals("want_more_human", "yes")),
    }


def _readiness_waves_qs() -> QuerySet[Wave]:
    return (
        Wave.objects.filter(survey__template=READINESS_TEMPLATE)
        .select_related("survey")
        .annotate(respondent_count=Count("responses"))
        .order_by("opens_at", "id")
    )


def readiness_waves() -> list[dict[str, Any]]:
    """The waves of surveys made from the AI-readiness pulse, oldest first:
    ``{"id", "survey_id", "label", "opens_at", "closes_at", "invited", "respondents", "closed"}``
    (``opens_at``/``closes_at`` are aware datetimes; ``invited`` is 0 before the wave opens;
    ``closed``: results are published, which happens only once a wave has closed)."""
    now = timezone.now()
    return [
        {
            "id": w.pk,
            "survey_id": w.survey_id,
            "label": w.label,
            "opens_at": w.opens_at,
            "closes_at": w.closes_at,
            "invited": w.invited,
            "respondents": int(getattr(w, "respondent_count", 0)),
            "closed": w.status == Wave.Status.CLOSED or w.closes_at <= now,
        }
        for w in _readiness_waves_qs()
    ]


def readiness_breakdown(
    *,
    wave_id: int,
    dimension: str,
    employee_ids: Collection[int] | None = None,
    viewer_sees_wave_tables: bool = True,
) -> list[dict[str, Any]]:
    """The AI-readiness metrics of one wave broken down by one ``dimension`` ("all", "department",
    "job_role", "location", "role_family", "ai_literacy_level"), anonymity rules applied.

    Each row: ``{"key": str, "label": str, "respondents": int | None, "suppressed": bool,
    "metrics": dict[str, float] | None}`` with the metrics of ``readiness_metrics`` (shares 0..1 of
    the row's respondents). ``employee_ids`` restricts to a population, which must be a manager's
    current reporting line (with or without the manager) that the rules allow to publish, and is
    given as totals only (``dimension`` "all"): otherwise every row is suppressed. Leave
    ``viewer_sees_wave_tables`` True unless the person shown the line cannot see the wave's
    organisation-wide tables (a manager's own dashboard): the line must then also be safe to
    compare with those tables (README.md, rule 3). Nothing is published before the wave closes. Raises ``ValueError`` for an unknown dimension and
    ``Wave.DoesNotExist`` for an unknown wave.
    """
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise ValueError(f"dimension: not one of {', '.join(BREAKDOWN_DIMENSIONS)}")
    wave = Wave.objects.select_related("survey").get(pk=wave_id)
    entries, plan = wave_plan(wave)
    line = None
    if employee_ids is not None:
        line = line_for_population(employee_ids)
        if line is None:
            plan = Plan(k=plan.k, total=plan.total, published=False)
    cells = table(
        entries, plan, dimension=dimension, line=line, with_wave_tables=viewer_sees_wave_tables
    )
    return [
        {
            "key": c.key,
            "label": c.label,
            "respondents": c.respondents,
            "suppressed": c.suppressed,
            "metrics": None if c.suppressed else readiness_metrics(c.entries),
        }
        for c in cells
    ]


def ownership_clarity(*, wave_id: int | None = None) -> dict[str, Any] | None:
    """How clear AI ownership is (pulse question ``ai_ownership_clarity``) in one wave (the latest
    closed pulse wave by default): ``{"wave_id", "respondents", "shares": {answer: share},
    "score": 0..100}`` where score = mean of very clear 100, mostly clear 75, somewhat clear 50,
    mostly unclear 25, completely unclear 0 over those who answered. None when there is no such
    wave or it has fewer respondents than its anonymity threshold (or has not closed)."""
    if wave_id is None:
        now = timezone.now()
        closed = _readiness_waves_qs().filter(Q(status=Wave.Status.CLOSED) | Q(closes_at__lte=now))
        wave = closed.order_by("-closes_at", "-id").first()
        if wave is None:
            return None
    else:
        wave = Wave.objects.select_related("survey").filter(pk=wave_id).first()
        if wave is None:
            return None
    entries, plan = wave_plan(wave)
    cell = table(entries, plan, dimension=ALL)[0]
    if cell.suppressed:
        return None
    answers = [e.answers.get("ai_ownership_clarity") for e in cell.entries]
    answered = [a for a in answers if a in OWNERSHIP_SCORES]
    if not answered:
        return None
    counts = Counter(answered)
    return {
        "wave_id": wave.pk,
        "respondents": len(cell.entries),
        "shares": {k: round(counts[k] / len(answered), 4) for k in OWNERSHIP_SCORES},
        "score": round(sum(OWNERSHIP_SCORES[a] for a in answered) / len(answered), 1),
    }


def survey_signals_for(employee: Employee) -> dict[str, Any]:
    """What the learner's latest AI-readiness pulse answers tell their recommendations, only while
    they grant discovery's "surveys" consent (else ``{}``): ``{"wave_id": int, "answered_on":
    date, "ai_self_level": "beginner"|"intermediate"|"advanced"|None, "ai_comfort": 1..5|None,
    "ai_weekly_use": str|None, "interests": [benefit values of ai_benefits], "wants_more_human":
    bool|None}``."""
    from trellis.discovery.models import Signal
    from trellis.discovery.personalization import consent_current

    if not consent_current(employee=employee)[Signal.SURVEYS].granted:
        return {}
    latest = SurveySignal.objects.filter(employee=employee).order_by("-recorded_on", "-id").first()
    if latest is None:
        return {}
    values = latest.values or {}
    human = values.get("want_more_human")
    return {
        "wave_id": latest.wave_id,
        "answered_on": latest.recorded_on,
        "ai_self_level": values.get("ai_self_level"),
        "ai_comfort": values.get("ai_comfort"),
        "ai_weekly_use": values.get("ai_weekly_use"),
        "interests": list(values.get("ai_benefits") or []),
        "wants_more_human": None if human is None else human == "yes",
    }


# --- pages: who sees what --------------------------------------------------------------------------


def surveys_for_admin() -> QuerySet[Survey]:
    return Survey.objects.annotate(
        question_count=Count("questions", distinct=True), wave_count=Count("waves", distinct=True)
    ).order_by("status", "-created_at")


def get_survey_for_user(*, user: Any, survey_id: int) -> Survey:
    """A survey for its admin pages: org readers only (others get 403 from the view)."""
    if not has_role(user, *ORG_READERS):
        raise Http404("No such survey.")
    try:
        return Survey.objects.get(pk=survey_id)
    except Survey.DoesNotExist:
        raise Http404("No such survey.") from None


def survey_structure(survey: Survey) -> list[tuple[Any, list[Question]]]:
    """[(section or None, its questions)] in order (one query for questions, one for sections)."""
    questions = list(survey.questions.select_related("section").order_by("position", "id"))
    sections = list(survey.sections.order_by("position", "id"))
    out: list[tuple[Any, list[Question]]] = []
    loose = [q for q in questions if q.section_id is None]
    if loose:
        out.append((None, loose))
    for section in sections:
        out.append((section, [q for q in questions if q.section_id == section.pk]))
    return out


def open_waves_for(employee: Employee, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The waves open now that the person was invited to, with whether they answered."""
    now = now or timezone.now()
    rows = (
        Participation.objects.filter(
            employee=employee,
            wave__status=Wave.Status.OPEN,
            wave__opens_at__lte=now,
            wave__closes_at__gt=now,
        )
        .select_related("wave__survey")
        .order_by("wave__closes_at", "wave_id")
    )
    return [{"wave": p.wave, "survey": p.wave.survey, "answered": p.answered} for p in rows]


def answered_waves_for(employee: Employee) -> list[Participation]:
    return list(
        Participation.objects.filter(employee=employee, answered=True)
        .select_related("wave__survey")
        .order_by("-wave__closes_at")
    )


def get_open_wave_for_employee(*, employee: Employee | None, wave_id: int) -> Wave:
    """A wave the person may answer (invited or in the audience now); 404 otherwise."""
    from trellis.programs.audience import audience_queryset

    if employee is None:
        raise Http404("Only employees answer surveys.")
    wave = Wave.objects.select_related("survey").filter(pk=wave_id).first()
    if wave is None:
        raise Http404("No such survey.")
    invited = Participation.objects.filter(wave=wave, employee=employee).exists()
    if not invited and not (
        wave.status == Wave.Status.OPEN
        and audience_queryset(wave.survey).filter(pk=employee.pk).exists()
    ):
        raise Http404("No such survey.")
    return wave


def results_scope(user: Any) -> tuple[str, Employee | None]:
    """("all", None) for org readers, ("line", me) for a manager, else 403."""
    from django.core.exceptions import PermissionDenied

    if has_role(user, *ORG_READERS):
        return "all", None
    me = employee_for_user(user)
    if Role.MANAGER in roles_for(user) and me is not None:
        return "line", me
    raise PermissionDenied("Survey results are for L&D, executives and managers.")


def get_wave_for_results(*, user: Any, wave_id: int) -> Wave:
    """A wave whose results ``user`` may read: org readers any; a manager a wave whose audience
    had someone of their line (404 otherwise)."""
    scope, me = results_scope(user)
    wave = Wave.objects.select_related("survey").filter(pk=wave_id).first()
    if wave is None:
        raise Http404("No such wave.")
    if scope == "line" and me is not None:
        line = Employee.objects.filter(manager_path__startswith=me.manager_path).exclude(pk=me.pk)
        if not Participation.objects.filter(wave=wave, employee__in=line).exists():
            raise Http404("No such wave.")
    return wave


def waves_for_manager(manager: Employee) -> list[Wave]:
    line = Employee.objects.filter(manager_path__startswith=manager.manager_path).exclude(
        pk=manager.pk
    )
    ids = Participation.objects.filter(employee__in=line).values("wave_id").distinct()
    return list(Wave.objects.filter(pk__in=ids).select_related("survey").order_by("-opens_at"))


def question_summary(question: Question, entries: Sequence[Entry]) -> dict[str, Any]:
    """The distribution of one question over a published cell's entries (never a single value:
    numbers are summarised by their mean only)."""
    n = len(entries)
    values = [e.answers.get(question.key) for e in entries]
    answered = [v for v in values if v not in (None, "", [])]
    out: dict[str, Any] = {"answered": len(answered), "options": [], "mean": None}
    if question.kind in (Question.Kind.LIKERT, Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        counts: Counter[str] = Counter()
        for v in answered:
            for one in v if isinstance(v, list) else [v]:
                counts[str(one)] += 1
        out["options"] = [
            {
                "value": value,
                "label": label,
                "count": counts[value],
                "share": round(counts[value] / n, 4) if n else 0.0,
            }
            for value, label in question.choices
        ]
        if question.kind == Question.Kind.LIKERT and answered:
            out["mean"] = round(sum(int(v) for v in answered) / len(answered), 2)
    elif question.kind == Question.Kind.NUMERIC and answered:
        out["mean"] = round(sum(float(v) for v in answered) / len(answered), 2)
    return out


def results(
    *, wave: Wave, dimension: str = ALL, line: int | None = None, with_wave_tables: bool = True
) -> dict[str, Any]:
    """Everything a results page or export shows for one wave and one dimension (org readers), or
    one reporting line's totals (its manager: ``with_wave_tables`` False when they cannot see the
    wave's tables), through the anonymity rules: per cell, per question distributions; free text
    only for the whole wave (never a line), without identity, in alphabetical order."""
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise ValueError(f"dimension: not one of {', '.join(BREAKDOWN_DIMENSIONS)}")
    entries, plan = wave_plan(wave)
    questions = list(wave.survey.questions.order_by("position", "id"))
    cells: list[Cell] = table(
        entries, plan, dimension=dimension, line=line, with_wave_tables=with_wave_tables
    )
    whole = table(entries, plan, dimension=ALL, line=line, with_wave_tables=with_wave_tables)[0]
    comments: dict[str, list[str]] = {}
    if not whole.suppressed and line is None:
        for q in questions:
            if q.kind == Question.Kind.TEXT:
                comments[q.key] = sorted(
                    str(e.answers[q.key]) for e in whole.entries if e.answers.get(q.key)
                )
    return {
        "wave": wave,
        "dimension": dimension,
        "dimension_label": DIMENSION_LABELS[dimension],
        "threshold": plan.k,
        "closed": wave_is_closed(wave),
        "respondents": whole.respondents,
        "published": not whole.suppressed,
        "questions": [q for q in questions if q.kind != Question.Kind.TEXT],
        "text_questions": [q for q in questions if q.kind == Question.Kind.TEXT],
        "cells": [
            {
                "key": c.key,
                "label": c.label,
                "respondents": c.respondents,
                "suppressed": c.suppressed,
                "questions": None
                if c.suppressed
                else {
                    q.key: question_summary(q, c.entries)
                    for q in questions
                    if q.kind != Question.Kind.TEXT
                },
            }
            for c in cells
        ],
        "comments": comments,
    }


def named_responses(wave: Wave) -> list[Response]:
    """The named answers of a survey that is not confidential (L&D only; never for confidential)."""
    if wave.survey.confidential:
        return []
    return list(
        Response.objects.filter(wave=wave, employee__isnull=False)
        .select_related("employee")
        .order_by("employee__full_name")
    )


def own_response(*, employee: Employee, wave: Wave) -> Response | None:
    """The person's own answers (surveys that are not confidential only)."""
    if wave.survey.confidential:
        return None
    return Response.objects.filter(wave=wave, employee=employee).first()
