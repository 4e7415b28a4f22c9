"""The surveys part of the demo organisation (a step of trellis.core.demo.DEMO_STEPS).

The AI-readiness pulse, confidential, quarterly, for everyone:
- wave 1 opened about six months ago and wave 2 about three months ago, both closed, each answered
  by about 70 % of the active employees, with answers that follow the survey article overall
  (wave 2 on the article's figures, wave 1 slightly lower) and by role family (Technology & Data
  and Leadership highest in use and confidence, Customer Service and Operations the most cautious);
- wave 3 open now (invitations sent; about a third has answered; Sam has not yet);
- Sam answered waves 1 and 2 and opted in to let survey answers personalize his recommendations.

Deterministic (fixed seed), bulk inserts, idempotent (skips when the demo pulse exists).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from trellis.people.models import Employee
from trellis.surveys import services
from trellis.surveys.models import Participation, Response, Survey, SurveySignal, Wave
from trellis.surveys.templates_catalog import READINESS_TEMPLATE

SEED = 20261128
DEMO_TITLE = "AI-readiness pulse"

#: How much more (or less) than the company average each role family answers positively about AI.
FAMILY_FACTOR = {
    "Technology & Data": 1.45,
    "Leadership": 1.2,
    "Marketing": 1.1,
    "People & HR": 1.0,
    "Finance": 0.9,
    "Sales": 0.9,
    "Legal & Compliance": 0.85,
    "Operations": 0.7,
    "Customer Service": 0.55,
}
RESPONSE_RATE = {"Technology & Data": 0.78, "Customer Service": 0.6, "Operations": 0.62}
DEFAULT_RESPONSE_RATE = 0.71

#: Overall targets (the article) for wave 2; wave 1 is WAVE1_FACTOR of the positive shares.
TARGETS = {
    "comfort": 0.493,  # 28.3 % somewhat + 21 % very comfortable
    "very_comfortable": 0.21 / 0.493,  # share of the comfortable who are very comfortable
    "weekly_use": 0.70,
    "tool_confidence": 0.56,
    "advanced": 0.14,
    "intermediate": 0.50,
    "strategy_communicated": 0.50,
    "usage_expectations": 0.45,
    "tailoring_comfort": 0.50,
    "time_saving": 0.47,
    "want_more_control": 0.49,
    "want_more_human": 0.44,
}
OWNERSHIP = {  # 23 % very clear, 25 % mostly or completely unclear
    "very_clear": 0.23,
    "mostly_clear": 0.27,
    "somewhat_clear": 0.25,
    "mostly_unclear": 0.15,
    "completely_unclear": 0.10,
}
BENEFITS = {
    "find_answers_faster": 0.37,
    "more_relevant_content": 0.19,
    "personalised_paths": 0.24,
    "practice_feedback": 0.18,
    "other": 0.05,
}
WAVE1_FACTOR = 0.9
#: Sam (a data analyst) in waves 1 and 2: an intermediate, weekly user who wants paths and practice.
SAM_ANSWERS: dict[str, Any] = {
    "ai_comfort": 4,
    "ai_weekly_use": "weekly",
    "ai_self_level": "intermediate",
    "ai_benefits": ["personalised_paths", "practice_feedback"],
    "want_more_human": "yes",
}
SUPPORT_TEXTS = [
    "A short course on choosing the right AI tool for a task",
    "Clear rules on which data I may put into AI tools",
    "Examples from my own team of how AI saves time",
    "Time set aside to practise with AI tools",
    "Someone to ask when an AI answer looks wrong",
    "Knowing who decides which AI tools we may use",
    "Prompting tips for writing customer emails",
    "A mentor who already uses AI every day",
]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    roll = rng.random() * sum(weights.values())
    for value, weight in weights.items():
        roll -= weight
        if roll <= 0:
            return value
    return next(reversed(weights))


def _answers(rng: random.Random, factor: float, wave_factor: float) -> dict[str, Any]:
    def p(key: str, strength: float = 1.0) -> float:
        scaled = TARGETS[key] * wave_factor * (1 + (factor - 1) * strength)
        return max(0.02, min(0.95, scaled))

    def likert(key: str, strength: float = 1.0) -> int:
        if rng.random() < p(key, strength):
            return 5 if rng.random() < 0.36 else 4
        return int(_pick(rng, {"3": 0.45, "2": 0.35, "1": 0.2}))

    comfortable = rng.random() < p("comfort")
    comfort = (
        (5 if rng.random() < TARGETS["very_comfortable"] else 4)
        if comfortable
        else int(_pick(rng, {"3": 0.43, "2": 0.34, "1": 0.23}))
    )
    weekly = rng.random() < p("weekly_use")
    use = (
        ("daily" if rng.random() < 0.43 else "weekly")
        if weekly
        else _pick(rng, {"monthly": 0.5, "rarely": 0.3, "never": 0.2})
    )
    level_roll = rng.random()
    advanced = p("advanced", 1.6)
    level = (
        "advanced"
        if level_roll < advanced
        else "intermediate"
        if level_roll < advanced + TARGETS["intermediate"] * (0.8 + 0.2 * factor)
        else "beginner"
    )
    ownership = dict(OWNERSHIP)
    if wave_factor < 1:
        ownership["very_clear"] -= 0.03
        ownership["mostly_unclear"] += 0.03
    answers: dict[str, Any] = {
        "ai_comfort": comfort,
        "ai_weekly_use": use,
        "ai_tool_confidence": likert("tool_confidence"),
        "ai_self_level": level,
        "ai_time_saving": likert("time_saving", 0.6),
        "ai_strategy_communicated": "yes"
        if rng.random() < p("strategy_communicated", 0.3)
        else _pick(rng, {"no": 0.55, "not_sure": 0.45}),
        "ai_usage_expectations": "yes"
        if rng.random() < p("usage_expectations", 0.5)
        else _pick(rng, {"no": 0.6, "not_sure": 0.4}),
        "ai_ownership_clarity": _pick(rng, ownership),
        "ai_tailoring_comfort": likert("tailoring_comfort", 0.5),
        "ai_benefits": [b for b, share in BENEFITS.items() if rng.random() < share],
        "want_more_control": "yes" if rng.random() < p("want_more_control", 0.2) else "no",
        "want_more_human": "yes" if rng.random() < p("want_more_human", -0.4) else "no",
    }
    if rng.random() < 0.15:
        answers["ai_support_needed"] = rng.choice(SUPPORT_TEXTS)
    return answers


def _segment(
    e: Employee, levels: dict[int, int | None], level_name: Any
) -> tuple[dict[str, list[str]], str]:
    role = e.job_role
    family = role.family if role and role.family else ""
    level = levels.get(e.pk)
    segment = {
        "department": [e.department.code, e.department.name]
        if e.department
        else ["none", "Not set"],
        "job_role": [str(role.pk), role.title] if role else ["none", "Not set"],
        "location": [str(e.location.pk), e.location.name] if e.location else ["none", "Not set"],
        "role_family": [_slug(family), family] if family else ["none", "Not set"],
        "ai_literacy_level": [str(level), level_name(level)] if level else ["none", "Not assessed"],
    }
    ids = [p for p in e.manager_path.strip("/").split("/") if p]
    above = ids[:-1] if ids and ids[-1] == str(e.pk) else ids
    return segment, ("/" + "/".join(above) + "/") if above else ""


def _fill_wave(
    *,
    rng: random.Random,
    wave: Wave,
    people: list[Employee],
    levels: dict[int, int | None],
    level_name: Any,
    wave_factor: float,
    mean_factor: float,
    share: float = 1.0,
    must: set[int] = frozenset(),  # type: ignore[assignment]
    never: set[int] = frozenset(),  # type: ignore[assignment]
    fixed: dict[int, dict[str, Any]] | None = None,
) -> list[tuple[Employee, dict[str, Any]]]:
    """Participations for everyone, responses for about the response rate (times ``share``)."""
    parts = []
    responses = []
    answered: list[tuple[Employee, dict[str, Any]]] = []
    for e in people:
        family = e.job_role.family if e.job_role else ""
        rate = RESPONSE_RATE.get(family, DEFAULT_RESPONSE_RATE) * share
        yes = e.pk not in never and (e.pk in must or rng.random() < rate)
        parts.append(
            Participation(
                wave=wave,
                employee=e,
                invited_at=wave.opens_at,
                answered=yes,
                reminded_at=None
                if yes or wave.status != Wave.Status.CLOSED
                else wave.closes_at - dt.timedelta(days=3),
            )
        )
        if yes:
            factor = FAMILY_FACTOR.get(family, 1.0) / mean_factor
            answers = _answers(rng, factor, wave_factor)
            answers.update((fixed or {}).get(e.pk, {}))
            segment, chain = _segment(e, levels, level_name)
            responses.append(
                Response(wave=wave, answers=answers, segment=segment, manager_path=chain)
            )
            answered.append((e, answers))
    Participation.objects.bulk_create(parts, batch_size=2000, ignore_conflicts=True)
    rng.shuffle(responses)  # no order that follows the people
    Response.objects.bulk_create(responses, batch_size=1000)
    wave.invited = len(parts)
    wave.save(update_fields=["invited"])
    return answered


def build_demo(*, stdout: TextIO | None = None) -> dict[str, Any]:
    if Survey.objects.filter(template=READINESS_TEMPLATE, title=DEMO_TITLE).exists():
        return {"skipped": "the demo pulse exists"}
    from trellis.discovery.models import Signal
    from trellis.discovery.personalization import consent_set
    from trellis.skills.selectors import ai_literacy_level_name, ai_literacy_levels

    lena = Employee.objects.select_related("user").filter(user__username="lena").first()
    sam = Employee.objects.select_related("user").filter(user__username="sam").first()
    if lena is None or sam is None:
        return {"skipped": "no demo organisation"}
    rng = random.Random(SEED)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    people = list(
        Employee.objects.filter(is_active=True)
        .select_related("department", "job_role", "location")
        .order_by("pk")
    )
    levels = ai_literacy_levels(employees=[e.pk for e in people])
    # the factors average 1 over the expected respondents, so the overall shares hit the targets
    weights = [
        (
            RESPONSE_RATE.get(fam, DEFAULT_RESPONSE_RATE),
            FAMILY_FACTOR.get(fam, 1.0),
        )
        for fam in (e.job_role.family if e.job_role else "" for e in people)
    ]
    mean_factor = sum(w * f for w, f in weights) / sum(w for w, _ in weights)
    with transaction.atomic():
        survey = services.survey_from_template(actor=lena.user)
        services.survey_audience_set(actor=lena.user, survey=survey, rules=[{}])
        survey.status = Survey.Status.ACTIVE
        survey.save(update_fields=["status", "updated_at"])
        summary: dict[str, Any] = {"survey": survey.pk, "waves": []}
        for number, days_ago, factor in ((1, 184, WAVE1_FACTOR), (2, 92, 1.0)):
            opens = now - dt.timedelta(days=days_ago)
            wave = Wave.objects.create(
                survey=survey,
                number=number,
                opens_at=opens,
                closes_at=opens + dt.timedelta(days=14),
                status=Wave.Status.CLOSED,
                opened_at=opens,
                reminded_at=opens + dt.timedelta(days=11),
                closed_at=opens + dt.timedelta(days=14),
            )
            answered = _fill_wave(
                rng=rng,
                wave=wave,
                people=people,
                levels=levels,
                level_name=ai_literacy_level_name,
                wave_factor=factor,
                mean_factor=mean_factor,
                must={sam.pk},
                fixed={sam.pk: SAM_ANSWERS},
            )
            summary["waves"].append({"wave": wave.pk, "respondents": len(answered)})
            if number == 2:
                sam_answers = next(a for e, a in answered if e.pk == sam.pk)
                SurveySignal.objects.create(
                    employee=sam,
                    wave=wave,
                    values={k: sam_answers[k] for k in services.SIGNAL_KEYS if k in sam_answers},
                    recorded_on=timezone.localdate(opens + dt.timedelta(days=2)),
                )
        consent_set(employee=sam, signal=Signal.SURVEYS, granted=True, actor=sam.user)
    # wave 3: scheduled and opened like any other (invitations through notifications)
    wave3 = services.wave_schedule(
        actor=lena.user,
        survey=survey,
        opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=12),
    )
    services.wave_open(wave=wave3, now=now)
    wave3.refresh_from_db()
    with transaction.atomic():
        Participation.objects.filter(wave=wave3).delete()
        answered3 = _fill_wave(
            rng=rng,
            wave=wave3,
            people=people,
            levels=levels,
            level_name=ai_literacy_level_name,
            wave_factor=1.03,
            mean_factor=mean_factor,
            share=0.45,
            never={sam.pk},
        )
    summary["waves"].append({"wave": wave3.pk, "respondents": len(answered3), "open": True})
    if stdout is not None:
        stdout.write(
            "  surveys: AI-readiness pulse, waves "
            + ", ".join(str(w["respondents"]) for w in summary["waves"])
            + " respondents\n"
        )
    return summary
