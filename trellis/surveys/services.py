"""Every change to surveys, waves and answers goes through one of these functions.

Admin actions (create, edit, questions, audience, scheduling, archiving) and every results export
are written to the audit log (codes ``trellis.survey.*``). Answers are not: an audit entry with a
time would tie a person to the moment a confidential response was stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.people.models import Employee
from trellis.programs.audience import audience_queryset, audience_rules_write
from trellis.surveys.models import (
    MIN_THRESHOLD,
    Participation,
    Question,
    Response,
    Section,
    Survey,
    SurveyAudienceRule,
    SurveySignal,
    Wave,
)
from trellis.surveys.templates_catalog import READINESS_TEMPLATE, TEMPLATES

logger = logging.getLogger(__name__)

SURVEY_FIELDS = (
    "title",
    "intro",
    "confidential",
    "anonymity_threshold",
    "repeat_months",
    "reminder_days",
)
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: The pulse answers copied (with consent) for personalization.
SIGNAL_KEYS = ("ai_self_level", "ai_comfort", "ai_weekly_use", "ai_benefits", "want_more_human")


def _check_threshold(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {"anonymity_threshold": "Give the anonymity threshold as a whole number."}
        ) from None
    if number < MIN_THRESHOLD:
        raise ValidationError(
            {
                "anonymity_threshold": f"The anonymity threshold must be at least {MIN_THRESHOLD} "
                f"respondents (you gave {number}): fewer would let people be singled out."
            }
        )
    return number


# --- surveys ------------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, actor: Any, title: str, **fields: Any) -> Survey:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"survey_create() got unknown fields {sorted(unknown)}")
    if not title.strip():
        raise ValidationError({"title": "Give the survey a title."})
    if "anonymity_threshold" in fields:
        fields["anonymity_threshold"] = _check_threshold(fields["anonymity_threshold"])
    survey = Survey(title=title.strip(), created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean(exclude=["created_by"])
    survey.save()
    audit_log(actor=actor, code="trellis.survey.created", target=survey, data={"title": title})
    return survey


@transaction.atomic
def survey_update(*, actor: Any, survey: Survey, **fields: Any) -> Survey:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"survey_update() got unknown fields {sorted(unknown)}")
    if "title" in fields and not str(fields["title"]).strip():
        raise ValidationError({"title": "Give the survey a title."})
    if "anonymity_threshold" in fields:
        fields["anonymity_threshold"] = _check_threshold(fields["anonymity_threshold"])
    if (
        "confidential" in fields
        and fields["confidential"] != survey.confidential
        and survey.waves.exclude(status=Wave.Status.SCHEDULED).exists()
    ):
        raise ValidationError(
            {"confidential": "A survey that has opened cannot change between confidential and not."}
        )
    diff = {}
    for name, value in fields.items():
        if getattr(survey, name) != value:
            diff[name] = [str(getattr(survey, name)), str(value)]
            setattr(survey, name, value)
    if not diff:
        return survey
    survey.full_clean(exclude=["created_by"])
    survey.save()
    audit_log(actor=actor, code="trellis.survey.updated", target=survey, data=diff)
    return survey


@transaction.atomic
def survey_from_template(*, actor: Any, template: str = READINESS_TEMPLATE) -> Survey:
    """A new draft survey with the template's sections and questions (the admin may edit it)."""
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValidationError({"template": f"No survey template {template!r}."})
    survey = survey_create(
        actor=actor,
        title=spec["title"],
        intro=spec["intro"].format(threshold=5),
        repeat_months=spec["repeat_months"],
    )
    survey.template = template
    survey.save(update_fields=["template", "updated_at"])
    position = 0
    for s_pos, (section_title, questions) in enumerate(spec["sections"]):
        section = Section.objects.create(survey=survey, title=section_title, position=s_pos)
        for key, kind, text, options, required in questions:
            position += 1
            Question.objects.create(
                survey=survey,
                section=section,
                key=key,
                kind=kind,
                text=text,
                options=options,
                required=required,
                position=position,
            )
    audit_log(
        actor=actor,
        code="trellis.survey.from_template",
        target=survey,
        data={"template": template, "questions": position},
    )
    return survey


@transaction.atomic
def survey_archive(*, actor: Any, survey: Survey) -> Survey:
    if survey.status != Survey.Status.ARCHIVED:
        survey.status = Survey.Status.ARCHIVED
        survey.save(update_fields=["status", "updated_at"])
        survey.waves.filter(status=Wave.Status.SCHEDULED).delete()
        audit_log(actor=actor, code="trellis.survey.archived", target=survey)
    return survey


@transaction.atomic
def survey_audience_set(*, actor: Any, survey: Survey, rules: list[dict[str, Any]]) -> Survey:
    """Replace the survey's audience rules (the programs' criteria; ``[{}]``: everyone)."""
    survey.rules.all().delete()
    audience_rules_write(
        rules, create=lambda **dates: SurveyAudienceRule.objects.create(survey=survey, **dates)
    )
    audit_log(
        actor=actor,
        code="trellis.survey.audience_set",
        target=survey,
        data={"rules": len(rules), "audience": audience_queryset(survey).count()},
    )
    return survey


# --- sections and questions ---------------------------------------------------------------------


@transaction.atomic
def section_add(*, actor: Any, survey: Survey, title: str, description: str = "") -> Section:
    if not title.strip():
        raise ValidationError({"title": "Give the section a title."})
    position = (survey.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    section = Section.objects.create(
        survey=survey, title=title.strip(), description=description, position=position
    )
    audit_log(
        actor=actor,
        code="trellis.survey.section_added",
        target=survey,
        data={"section": section.pk, "title": section.title},
    )
    return section


def _check_question(
    *,
    survey: Survey,
    key: str,
    kind: str,
    text: str,
    options: list[list[str]],
    min_value: float | None,
    max_value: float | None,
) -> list[list[str]]:
    errors: dict[str, str] = {}
    if not KEY_RE.match(key):
        errors["key"] = "Use lowercase letters, digits and underscores, starting with a letter."
    elif survey.questions.filter(key=key).exists():
        errors["key"] = f"The survey already has a question with the key {key!r}."
    if kind not in Question.Kind.values:
        errors["kind"] = f"Choose a kind of question ({', '.join(Question.Kind.values)})."
    if not text.strip():
        errors["text"] = "Write the question."
    clean = [[str(v).strip(), str(label).strip()] for v, label in options if str(label).strip()]
    if kind == Question.Kind.LIKERT:
        if not clean:
            clean = [
                [str(n), label]
                for n, label in enumerate(
                    [
                        "Strongly disagree",
                        "Disagree",
                        "Neither agree nor disagree",
                        "Agree",
                        "Strongly agree",
                    ],
                    1,
                )
            ]
        if len(clean) != 5:
            errors["options"] = "A Likert scale has exactly five labels, from 1 to 5."
        clean = [[str(n), label] for n, (_, label) in enumerate(clean, 1)]
    elif kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        values = [v for v, _ in clean]
        if len(clean) < 2:
            errors["options"] = "Give at least two choices."
        elif len(set(values)) != len(values) or not all(values):
            errors["options"] = "Each choice needs its own value."
    else:
        clean = []
    if (
        kind == Question.Kind.NUMERIC
        and min_value is not None
        and max_value is not None
        and min_value >= max_value
    ):
        errors["max_value"] = "The maximum must be greater than the minimum."
    if errors:
        raise ValidationError(errors)
    return clean


def _editable(survey: Survey) -> None:
    if survey.waves.exclude(status=Wave.Status.SCHEDULED).exists():
        raise ValidationError(
            "Questions cannot change once a wave has opened (results must stay comparable): "
            "make a copy from the template instead."
        )


def options_from_text(text: str) -> list[list[str]]:
    """ "value: Label" per line (or just "Label": its value is made from it)."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if ":" in line:
            value, label = line.split(":", 1)
        else:
            label = line
            value = re.sub(r"[^a-z0-9]+", "_", line.strip().lower()).strip("_")
        out.append([value.strip(), label.strip()])
    return out


@transaction.atomic
def question_add(
    *,
    actor: Any,
    survey: Survey,
    key: str,
    kind: str,
    text: str,
    section: Section | None = None,
    help_text: str = "",
    required: bool = True,
    options: Iterable[Iterable[str]] = (),
    min_value: float | None = None,
    max_value: float | None = None,
) -> Question:
    _editable(survey)
    if section is not None and section.survey_id != survey.pk:
        raise ValidationError({"section": "That section belongs to another survey."})
    clean = _check_question(
        survey=survey,
        key=key,
        kind=kind,
        text=text,
        options=[list(o) for o in options],
        min_value=min_value,
        max_value=max_value,
    )
    position = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        survey=survey,
        section=section,
        key=key,
        kind=kind,
        text=text.strip(),
        help_text=help_text.strip(),
        required=required,
        options=clean,
        min_value=min_value,
        max_value=max_value,
        position=position,
    )
    audit_log(
        actor=actor,
        code="trellis.survey.question_added",
        target=survey,
        data={"question": question.pk, "key": key, "kind": kind},
    )
    return question


@transaction.atomic
def question_remove(*, actor: Any, question: Question) -> None:
    survey = question.survey
    _editable(survey)
    audit_log(
        actor=actor,
        code="trellis.survey.question_removed",
        target=survey,
        data={"question": question.pk, "key": question.key},
    )
    question.delete()


@transaction.atomic
def question_move(*, actor: Any, question: Question, up: bool) -> None:
    """Swap the question with its neighbour (keyboard- and script-free reordering)."""
    survey = question.survey
    _editable(survey)
    ordered = list(survey.questions.order_by("position", "id"))
    index = ordered.index(question)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered, 1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])
    audit_log(
        actor=actor,
        code="trellis.survey.question_moved",
        target=survey,
        data={"question": question.pk, "up": up},
    )


# --- waves --------------------------------------------------------------------------------------


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(
        moment.day,
        [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1],
    )
    return moment.replace(year=year, month=month, day=day)


@transaction.atomic
def wave_schedule(
    *, actor: Any, survey: Survey, opens_at: dt.datetime, closes_at: dt.datetime
) -> Wave:
    """Schedule the survey's next wave (activates a draft survey). The worker opens it."""
    errors: dict[str, str] = {}
    if closes_at <= opens_at:
        errors["closes_at"] = "The wave must close after it opens."
    if survey.status == Survey.Status.ARCHIVED:
        errors["survey"] = "An archived survey cannot run again."
    if not survey.questions.exists():
        errors["survey"] = "Add at least one question before scheduling a wave."
    if not survey.rules.exists():
        errors["audience"] = "Choose who is asked (the audience) before scheduling a wave."
    if errors:
        raise ValidationError(errors)
    number = (survey.waves.aggregate(m=Max("number"))["m"] or 0) + 1
    wave = Wave.objects.create(survey=survey, number=number, opens_at=opens_at, closes_at=closes_at)
    if survey.status == Survey.Status.DRAFT:
        survey.status = Survey.Status.ACTIVE
        survey.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        code="trellis.survey.wave_scheduled",
        target=survey,
        data={
            "wave": wave.pk,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
        },
    )
    return wave


def _send(requests: list[Any], now: dt.datetime) -> int:
    if not requests:
        return 0
    from trellis.notify.services import notifications_send

    return int(notifications_send(requests, now=now) or 0)


def _notice(*, employee_id: int, wave: Wave, kind: str) -> Any:
    from trellis.notify.models import Category
    from trellis.notify.services import NotificationRequest

    survey = wave.survey
    closes = f"{wave.closes_at:%A} {wave.closes_at.day} {wave.closes_at:%B}"
    if kind == "invite":
        subject = f"Your view, please: {survey.title}"
        body = f"{survey.title} is open until {closes}."
    else:
        subject = f"Reminder: {survey.title} closes on {closes}"
        body = f"You have not answered {survey.title} yet; it closes on {closes}."
    if survey.confidential:
        body += " Your answers are anonymous."
    return NotificationRequest(
        recipient_id=employee_id,
        category=Category.SURVEY,
        key=f"survey:wave:{wave.pk}:{kind}:{employee_id}",
        subject=subject,
        body=body,
        url=reverse("surveys:answer", args=[wave.pk]),
    )


def wave_open(*, wave: Wave, now: dt.datetime | None = None) -> int | None:
    """Open a scheduled wave once (claimed with a conditional update): invite its audience and
    schedule the next wave of a repeating survey. Returns how many were invited (None if another
    worker opened it)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Wave.objects.filter(pk=wave.pk, status=Wave.Status.SCHEDULED).update(
            status=Wave.Status.OPEN, opened_at=now
        )
        if not claimed:
            return None
        wave.refresh_from_db()
        survey = wave.survey
        ids = sorted(audience_queryset(survey).values_list("pk", flat=True))
        Participation.objects.bulk_create(
            [Participation(wave=wave, employee_id=pk, invited_at=now) for pk in ids],
            ignore_conflicts=True,
            batch_size=2000,
        )
        wave.invited = Participation.objects.filter(wave=wave).count()
        wave.save(update_fields=["invited"])
        if survey.repeat_months and survey.status == Survey.Status.ACTIVE:
            length = wave.closes_at - wave.opens_at
            next_open = add_months(wave.opens_at, survey.repeat_months)
            Wave.objects.get_or_create(
                survey=survey,
                number=wave.number + 1,
                defaults={"opens_at": next_open, "closes_at": next_open + length},
            )
        # in the same transaction as the claim: invited once, or not at all
        _send([_notice(employee_id=pk, wave=wave, kind="invite") for pk in ids], now)
    return len(ids)


def wave_remind(*, wave: Wave, now: dt.datetime | None = None) -> int:
    """Remind once those invited who have not answered (claimed like ``wave_open``)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Wave.objects.filter(
            pk=wave.pk, status=Wave.Status.OPEN, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            return 0
        pending = Participation.objects.filter(
            wave=wave, answered=False, reminded_at__isnull=True, employee__is_active=True
        )
        ids = sorted(pending.values_list("employee_id", flat=True))
        pending.update(reminded_at=now)
        _send([_notice(employee_id=pk, wave=wave, kind="reminder") for pk in ids], now)
    return len(ids)


def wave_close(*, wave: Wave, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(
        Wave.objects.filter(pk=wave.pk, status=Wave.Status.OPEN).update(
            status=Wave.Status.CLOSED, closed_at=now
        )
    )


def signals_purge_withdrawn() -> int:
    """Delete the personalization copies of people whose "surveys" consent is no longer granted
    (withdrawn in discovery's Control your feed): the copy exists only for that use."""
    from trellis.discovery.models import ConsentRecord, Signal

    holders = set(SurveySignal.objects.values_list("employee_id", flat=True).distinct())
    if not holders:
        return 0
    latest: dict[int, bool] = {}
    for employee_id, granted in (
        ConsentRecord.objects.filter(employee_id__in=holders, signal=Signal.SURVEYS)
        .order_by("employee_id", "-recorded_at", "-id")
        .values_list("employee_id", "granted")
    ):
        latest.setdefault(employee_id, granted)
    withdrawn = [pk for pk in holders if not latest.get(pk, False)]
    if not withdrawn:
        return 0
    return int(SurveySignal.objects.filter(employee_id__in=withdrawn).delete()[0])


def waves_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: open due waves, send due reminders, close ended waves, and delete the
    personalization copies whose consent was withdrawn. Idempotent (each step claims its rows with
    a conditional update), so two workers or two runs do it once."""
    now = now or timezone.now()
    out = {"opened": 0, "invited": 0, "reminded": 0, "closed": 0}
    for wave in Wave.objects.select_related("survey").filter(
        status=Wave.Status.SCHEDULED, opens_at__lte=now, survey__status=Survey.Status.ACTIVE
    ):
        if wave.closes_at <= now:
            continue  # missed entirely: left for L&D to reschedule
        invited = wave_open(wave=wave, now=now)
        if invited is not None:
            out["opened"] += 1
            out["invited"] += invited
    for wave in Wave.objects.select_related("survey").filter(
        status=Wave.Status.OPEN, closes_at__lte=now
    ):
        out["closed"] += int(wave_close(wave=wave, now=now))
    for wave in Wave.objects.select_related("survey").filter(
        status=Wave.Status.OPEN, reminded_at__isnull=True, closes_at__gt=now
    ):
        if wave.closes_at - dt.timedelta(days=wave.survey.reminder_days) <= now:
            out["reminded"] += wave_remind(wave=wave, now=now)
    out["signals_purged"] = signals_purge_withdrawn()
    return out


# --- answers ------------------------------------------------------------------------------------


def _validate(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """Clean answers per question key; ValidationError keyed by question key, naming it."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    known = {q.key for q in questions}
    for extra in sorted(set(answers) - known):
        errors[extra] = f"{extra!r} is not a question of this survey."
    for n, q in enumerate(questions, 1):
        name = f"Question {n} “{q.text}”"
        raw = answers.get(q.key)
        empty = raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())
        if empty:
            if q.required:
                errors[q.key] = f"{name}: please answer this question."
            continue
        if q.kind == Question.Kind.LIKERT:
            try:
                value = int(str(raw))
            except (TypeError, ValueError):
                value = 0
            if not 1 <= value <= 5:
                errors[q.key] = f"{name}: choose a point of the scale from 1 to 5."
                continue
            clean[q.key] = value
        elif q.kind == Question.Kind.SINGLE:
            if isinstance(raw, list):
                raw = raw[0] if len(raw) == 1 else None
            if str(raw) not in dict(q.choices):
                errors[q.key] = f"{name}: choose one of the answers offered."
                continue
            clean[q.key] = str(raw)
        elif q.kind == Question.Kind.MULTIPLE:
            values = raw if isinstance(raw, list) else [raw]
            allowed = [v for v, _ in q.choices]
            if any(str(v) not in allowed for v in values):
                errors[q.key] = f"{name}: choose among the answers offered."
                continue
            clean[q.key] = [v for v in allowed if v in {str(x) for x in values}]
        elif q.kind == Question.Kind.NUMERIC:
            try:
                number = float(str(raw))
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number):
                errors[q.key] = f"{name}: give a number."
                continue
            if q.min_value is not None and number < q.min_value:
                errors[q.key] = f"{name}: give a number of at least {q.min_value:g}."
                continue
            if q.max_value is not None and number > q.max_value:
                errors[q.key] = f"{name}: give a number of at most {q.max_value:g}."
                continue
            clean[q.key] = int(number) if number.is_integer() else number
        else:
            text = str(raw).strip()
            if len(text) > 2000:
                errors[q.key] = f"{name}: keep it under 2,000 characters."
                continue
            clean[q.key] = text
    if errors:
        raise ValidationError(errors)
    return clean


def segment_for(employee: Employee) -> tuple[dict[str, list[str]], str]:
    """The respondent's segment at answer time and the chain of managers above them."""
    from trellis.skills.selectors import ai_literacy_level_name, ai_literacy_levels

    employee = Employee.objects.select_related("department", "job_role", "location").get(
        pk=employee.pk
    )
    level = ai_literacy_levels(employees=[employee.pk]).get(employee.pk)
    role = employee.job_role
    family = role.family if role and role.family else ""
    segment = {
        "department": [employee.department.code, employee.department.name]
        if employee.department
        else ["none", "Not set"],
        "job_role": [str(role.pk), role.title] if role else ["none", "Not set"],
        "location": [str(employee.location.pk), employee.location.name]
        if employee.location
        else ["none", "Not set"],
        "role_family": [re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-"), family]
        if family
        else ["none", "Not set"],
        "ai_literacy_level": [str(level), ai_literacy_level_name(level)]
        if level
        else ["none", "Not assessed"],
    }
    ids = [p for p in employee.manager_path.strip("/").split("/") if p]
    above = ids[:-1] if ids and ids[-1] == str(employee.pk) else ids
    return segment, ("/" + "/".join(above) + "/") if above else ""


def wave_is_open(wave: Wave, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return wave.status == Wave.Status.OPEN and wave.opens_at <= now < wave.closes_at


def _participation(employee: Employee, wave: Wave, now: dt.datetime) -> Participation | None:
    found = Participation.objects.select_for_update().filter(wave=wave, employee=employee).first()
    if found is None and audience_queryset(wave.survey).filter(pk=employee.pk).exists():
        try:
            with transaction.atomic():
                Participation.objects.create(wave=wave, employee=employee, invited_at=now)
        except IntegrityError:
            pass
        found = (
            Participation.objects.select_for_update().filter(wave=wave, employee=employee).first()
        )
    return found


@transaction.atomic
def response_submit(
    *,
    employee: Employee,
    wave: Wave,
    answers: dict[str, Any],
    personalize: bool | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Response | None:
    """Store one person's answers to an open wave.

    Confidential survey: one response per person per wave, final once sent (it cannot be found
    again to be changed); returns None (the stored response is not handed back). Not confidential:
    the response is the person's and can be changed until the wave closes.
    ``personalize`` True/False records the learner's consent to let survey answers personalize
    their recommendations (discovery's "surveys" signal); with consent, the pulse answers listed in
    ``SIGNAL_KEYS`` are copied, linked to them, for ``survey_signals_for``.
    """
    now = now or timezone.now()
    survey = wave.survey
    if not wave_is_open(wave, now):
        raise ValidationError({"wave": "This survey is not open for answers."})
    participation = _participation(employee, wave, now)
    if participation is None:
        raise ValidationError({"wave": "You are not in this survey's audience."})
    questions = list(survey.questions.order_by("position", "id"))
    clean = _validate(questions, answers)
    if survey.confidential and participation.answered:
        raise ValidationError(
            {"wave": "You have already answered; anonymous answers cannot be changed."}
        )
    segment, chain = segment_for(employee)
    response: Response | None
    if survey.confidential:
        Response.objects.create(wave=wave, answers=clean, segment=segment, manager_path=chain)
        response = None
    else:
        response, created = Response.objects.get_or_create(
            wave=wave,
            employee=employee,
            defaults={
                "answers": clean,
                "segment": segment,
                "manager_path": chain,
                "submitted_at": now,
            },
        )
        if not created:
            response.answers = clean
            response.segment = segment
            response.manager_path = chain
            response.updated_at = now
            response.save(update_fields=["answers", "segment", "manager_path", "updated_at"])
    if not participation.answered:
        participation.answered = True
        participation.save(update_fields=["answered"])
    from trellis.discovery.models import Signal
    from trellis.discovery.personalization import consent_current, consent_set

    if personalize is not None:
        current = consent_current(employee=employee)[Signal.SURVEYS]
        if current.granted != personalize or not current.decided:
            consent_set(
                employee=employee,
                signal=Signal.SURVEYS,
                granted=personalize,
                actor=actor or employee.user,
            )
    if (
        survey.template == READINESS_TEMPLATE
        and consent_current(employee=employee)[Signal.SURVEYS].granted
    ):
        values = {k: clean[k] for k in SIGNAL_KEYS if k in clean}
        SurveySignal.objects.update_or_create(
            employee=employee,
            wave=wave,
            defaults={"values": values, "recorded_on": timezone.localdate(now)},
        )
    return response


def results_exported(
    *, actor: Any, wave: Wave, dimension: str, line: int | None, via: str = "csv"
) -> None:
    """Record an export of (suppressed) results in the audit log (CSV download or API read)."""
    audit_log(
        actor=actor,
        code="trellis.survey.results_exported",
        target=wave.survey,
        data={"wave": wave.pk, "dimension": dimension, "line": line, "via": via},
    )


def named_answers_viewed(*, actor: Any, wave: Wave) -> None:
    """L&D opened the named answers of a survey that is not confidential (personal data)."""
    audit_log(
        actor=actor,
        code="trellis.survey.named_answers_viewed",
        target=wave.survey,
        data={"wave": wave.pk},
    )
