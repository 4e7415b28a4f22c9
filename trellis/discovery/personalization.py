"""Services and selectors of the learner's control over their feed (consent, interests, feedback).

Every change is recorded: consent as an append-only ``ConsentRecord`` (date and version of the text
the learner saw), everything else in the audit log. Recommendations read the state at call time, so
a change applies to the very next feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.catalog.models import Item
from trellis.core.services import audit_log
from trellis.discovery.models import (
    ConsentRecord,
    LearnerInterest,
    LearnerTargetSkill,
    PersonalizationSettings,
    RecommendationFeedback,
    Signal,
)
from trellis.people.models import Employee, JobRole
from trellis.skills.models import Skill

#: The version of the consent text on the Control page. Bump it when the text changes: records
#: keep the version the learner agreed to.
CONSENT_VERSION = "2026-11-28.2"

#: What each signal means when nobody has decided yet. HR data, activity and skills are used by
#: default (the organisation's legitimate interest in suggesting training; withdrawable at any
#: time); survey answers only with explicit consent.
CONSENT_DEFAULTS: dict[str, bool] = {
    Signal.HR_DATA: True,
    Signal.ACTIVITY: True,
    Signal.SKILLS: True,
    Signal.SURVEYS: False,
}

SIGNAL_HELP: dict[str, str] = {
    Signal.HR_DATA: "Your job role and department: to close the gaps of your role profile and to "
    "show what people in your role and department find useful.",
    Signal.ACTIVITY: "What you opened and finished: to suggest what people took next, and to hide "
    "what you have already done. Withdrawn, Trellis does not read your history for the feed, so it "
    "may show items you have already done.",
    Signal.SKILLS: "Your skill ratings and assessments, including your AI-literacy level: to pick "
    "items at the right level for you.",
    Signal.SURVEYS: "Your answers to the AI-readiness pulse survey (how you rate your own AI "
    "level): to pick items at your AI-literacy level when your skills profile does not show it. "
    "Used only if you agree, here or when you answer; confidential answers stay anonymous in "
    "every report either way.",
}


@dataclass(frozen=True)
class ConsentState:
    signal: str
    label: str
    help: str
    granted: bool
    decided: bool
    version: str
    recorded_at: Any


def consent_current(*, employee: Employee) -> dict[str, ConsentState]:
    """The consent in force for each signal (latest record, else the default): one query."""
    latest: dict[str, ConsentRecord] = {}
    for row in ConsentRecord.objects.filter(employee=employee).order_by(
        "signal", "-recorded_at", "-id"
    ):
        latest.setdefault(row.signal, row)
    out = {}
    for signal in Signal:
        record = latest.get(signal.value)
        out[signal.value] = ConsentState(
            signal=signal.value,
            label=str(signal.label),
            help=SIGNAL_HELP[signal.value],
            granted=record.granted if record else CONSENT_DEFAULTS[signal.value],
            decided=record is not None,
            version=record.version if record else "",
            recorded_at=record.recorded_at if record else None,
        )
    return out


def settings_get(*, employee: Employee) -> PersonalizationSettings:
    """The learner's settings (unsaved defaults when they never changed anything)."""
    # No join to the target role: reading the settings must not touch job roles (HR data).
    found = PersonalizationSettings.objects.filter(employee=employee).first()
    return found or PersonalizationSettings(employee=employee)


def _settings_for_update(employee: Employee) -> PersonalizationSettings:
    obj, _ = PersonalizationSettings.objects.select_for_update().get_or_create(employee=employee)
    return obj


@transaction.atomic
def consent_set(*, employee: Employee, signal: str, granted: bool, actor: Any) -> ConsentRecord:
    if signal not in Signal.values:
        raise ValidationError({"signal": f"Unknown signal {signal!r}."})
    record = ConsentRecord.objects.create(
        employee=employee,
        signal=signal,
        granted=granted,
        version=CONSENT_VERSION,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log(
        actor=actor,
        code="trellis.discovery.consent." + ("granted" if granted else "withdrawn"),
        target=employee,
        data={"signal": signal, "version": CONSENT_VERSION},
    )
    return record


@transaction.atomic
def personalization_set_enabled(
    *, employee: Employee, enabled: bool, actor: Any
) -> PersonalizationSettings:
    obj = _settings_for_update(employee)
    if obj.enabled != enabled:
        obj.enabled = enabled
        obj.save(update_fields=["enabled", "updated_at"])
        audit_log(
            actor=actor,
            code="trellis.discovery.personalization." + ("on" if enabled else "off"),
            target=employee,
            data={"version": CONSENT_VERSION},
        )
    return obj


@transaction.atomic
def target_role_set(
    *, employee: Employee, job_role: JobRole | None, actor: Any
) -> PersonalizationSettings:
    obj = _settings_for_update(employee)
    obj.target_role = job_role
    obj.save(update_fields=["target_role", "updated_at"])
    audit_log(
        actor=actor,
        code="trellis.discovery.target_role.set",
        target=employee,
        data={"job_role": job_role.pk if job_role else None},
    )
    return obj


@transaction.atomic
def preferred_formats_set(
    *, employee: Employee, formats: list[str], actor: Any
) -> PersonalizationSettings:
    valid = set(Item.Format.values)
    unknown = sorted(set(formats) - valid)
    if unknown:
        raise ValidationError({"formats": f"Unknown format(s): {', '.join(unknown)}."})
    obj = _settings_for_update(employee)
    obj.preferred_formats = sorted(set(formats))
    obj.save(update_fields=["preferred_formats", "updated_at"])
    audit_log(
        actor=actor,
        code="trellis.discovery.formats.set",
        target=employee,
        data={"formats": obj.preferred_formats},
    )
    return obj


@transaction.atomic
def interest_add(*, employee: Employee, skill: Skill, actor: Any) -> LearnerInterest:
    interest, created = LearnerInterest.objects.get_or_create(employee=employee, skill=skill)
    if created:
        audit_log(
            actor=actor,
            code="trellis.discovery.interest.added",
            target=employee,
            data={"skill": skill.pk},
        )
    return interest


@transaction.atomic
def interest_remove(*, employee: Employee, skill_id: int, actor: Any) -> None:
    deleted, _ = LearnerInterest.objects.filter(employee=employee, skill_id=skill_id).delete()
    if deleted:
        audit_log(
            actor=actor,
            code="trellis.discovery.interest.removed",
            target=employee,
            data={"skill": skill_id},
        )


@transaction.atomic
def target_skill_set(
    *, employee: Employee, skill: Skill, level: int, actor: Any
) -> LearnerTargetSkill:
    if not 1 <= level <= 5:
        raise ValidationError({"level": "Choose a level from 1 to 5."})
    target, _ = LearnerTargetSkill.objects.update_or_create(
        employee=employee, skill=skill, defaults={"level": level}
    )
    audit_log(
        actor=actor,
        code="trellis.discovery.target_skill.set",
        target=employee,
        data={"skill": skill.pk, "level": level},
    )
    return target


@transaction.atomic
def target_skill_remove(*, employee: Employee, skill_id: int, actor: Any) -> None:
    deleted, _ = LearnerTargetSkill.objects.filter(employee=employee, skill_id=skill_id).delete()
    if deleted:
        audit_log(
            actor=actor,
            code="trellis.discovery.target_skill.removed",
            target=employee,
            data={"skill": skill_id},
        )


@transaction.atomic
def feedback_record(
    *, employee: Employee, item: Item, kind: str, actor: Any
) -> RecommendationFeedback:
    """ "Not for me", "more like this" or "dismissed" on one item (the opposite opinion is replaced)."""
    if kind not in RecommendationFeedback.Kind.values:
        raise ValidationError({"kind": f"Unknown feedback {kind!r}."})
    opposite = {
        RecommendationFeedback.Kind.NOT_FOR_ME: RecommendationFeedback.Kind.MORE_LIKE_THIS,
        RecommendationFeedback.Kind.MORE_LIKE_THIS: RecommendationFeedback.Kind.NOT_FOR_ME,
    }.get(RecommendationFeedback.Kind(kind))
    if opposite:
        RecommendationFeedback.objects.filter(employee=employee, item=item, kind=opposite).delete()
    feedback, _ = RecommendationFeedback.objects.get_or_create(
        employee=employee, item=item, kind=kind
    )
    audit_log(
        actor=actor,
        code=f"trellis.discovery.feedback.{kind}",
        target=employee,
        data={"item": item.pk},
    )
    return feedback


@transaction.atomic
def feedback_undo(*, employee: Employee, item_id: int, actor: Any) -> None:
    deleted, _ = RecommendationFeedback.objects.filter(employee=employee, item_id=item_id).delete()
    if deleted:
        audit_log(
            actor=actor,
            code="trellis.discovery.feedback.undone",
            target=employee,
            data={"item": item_id},
        )


@transaction.atomic
def history_reset(*, employee: Employee, actor: Any) -> PersonalizationSettings:
    """Forget the past for the feed: activity before now is no longer read for recommendations, and
    every "not for me", "more like this" and "dismissed" is removed. Learning records themselves
    (and programs' completion) are not touched."""
    obj = _settings_for_update(employee)
    obj.history_reset_at = timezone.now()
    obj.save(update_fields=["history_reset_at", "updated_at"])
    removed, _ = RecommendationFeedback.objects.filter(employee=employee).delete()
    audit_log(
        actor=actor,
        code="trellis.discovery.history.reset",
        target=employee,
        data={"feedback_removed": removed},
    )
    return obj


def feedback_list(*, employee: Employee) -> list[RecommendationFeedback]:
    return list(
        RecommendationFeedback.objects.filter(employee=employee)
        .select_related("item")
        .order_by("-created_at", "-id")
    )


def interests_list(*, employee: Employee) -> list[LearnerInterest]:
    return list(LearnerInterest.objects.filter(employee=employee).select_related("skill"))


def target_skills_list(*, employee: Employee) -> list[LearnerTargetSkill]:
    return list(LearnerTargetSkill.objects.filter(employee=employee).select_related("skill"))


def consent_history(*, employee: Employee, limit: int = 20) -> list[ConsentRecord]:
    return list(
        ConsentRecord.objects.filter(employee=employee).order_by("-recorded_at", "-id")[:limit]
    )
