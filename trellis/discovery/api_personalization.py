"""Personalization controls (/api/v1/discovery/personalization): the caller's own only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from trellis.catalog.models import Item
from trellis.core.schemas import InvalidOut
from trellis.discovery import personalization
from trellis.discovery.api_common import (
    ItemRefOut,
    get_or_invalid,
    invalid,
    item_ref,
    me_or_404,
    read_access,
    write_access,
)
from trellis.discovery.models import RecommendationFeedback
from trellis.people.models import Employee, JobRole
from trellis.skills.models import Skill

router = Router(tags=["discovery"])


class ConsentOut(Schema):
    signal: str
    label: str
    help: str
    granted: bool
    decided: bool
    version: str
    recorded_at: dt.datetime | None


class SkillLevelOut(Schema):
    skill_id: int
    label: str
    level: int


class SkillRefOut(Schema):
    skill_id: int
    label: str


class FeedbackOut(Schema):
    item: ItemRefOut
    kind: str
    created_at: dt.datetime


class ConsentRecordOut(Schema):
    signal: str
    granted: bool
    version: str
    recorded_at: dt.datetime


class PersonalizationOut(Schema):
    enabled: bool
    consent_version: str
    consent: list[ConsentOut]
    consent_history: list[ConsentRecordOut]
    target_role_id: int | None
    target_skills: list[SkillLevelOut]
    interests: list[SkillRefOut]
    preferred_formats: list[str]
    feedback: list[FeedbackOut]
    history_reset_at: dt.datetime | None


def _controls(employee: Employee) -> dict[str, Any]:
    settings = personalization.settings_get(employee=employee)
    return {
        "enabled": settings.enabled,
        "consent_version": personalization.CONSENT_VERSION,
        "consent": [vars(c) for c in personalization.consent_current(employee=employee).values()],
        "consent_history": [
            {
                "signal": r.signal,
                "granted": r.granted,
                "version": r.version,
                "recorded_at": r.recorded_at,
            }
            for r in personalization.consent_history(employee=employee)
        ],
        "target_role_id": settings.target_role_id,
        "target_skills": [
            {"skill_id": t.skill_id, "label": t.skill.label, "level": t.level}
            for t in personalization.target_skills_list(employee=employee)
        ],
        "interests": [
            {"skill_id": i.skill_id, "label": i.skill.label}
            for i in personalization.interests_list(employee=employee)
        ],
        "preferred_formats": list(settings.preferred_formats or []),
        "feedback": [
            {"item": item_ref(f.item), "kind": f.kind, "created_at": f.created_at}
            for f in personalization.feedback_list(employee=employee)
        ],
        "history_reset_at": settings.history_reset_at,
    }


@router.get(
    "/personalization",
    response=PersonalizationOut,
    summary="What personalizes my feed: consent per signal, goal, interests, formats, feedback",
)
def get_controls(request: HttpRequest) -> Any:
    read_access(request)
    return _controls(me_or_404(request))


def _change_controls(
    request: HttpRequest, change: Callable[[Employee], Any], *, field_prefix: str = "body"
) -> Any:
    """Call one personalization service for the caller; their controls as they are now, or 422
    naming the field refused."""
    write_access(request)
    me = me_or_404(request)
    try:
        change(me)
    except ValidationError as exc:
        if field_prefix != "body":
            errors = [{"field": field_prefix, "message": m} for m in exc.messages]
            return Status(422, {"detail": "Invalid input", "errors": errors})
        return invalid(exc)
    return _controls(me)


class ConsentIn(Schema):
    granted: bool


@router.put(
    "/personalization/consent/{signal}",
    response={200: PersonalizationOut, 422: InvalidOut},
    summary="Grant or withdraw consent to one signal (hr_data, activity, skills, surveys)",
)
def set_consent(request: HttpRequest, signal: str, payload: ConsentIn) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.consent_set(
            employee=me, signal=signal, granted=payload.granted, actor=request.user
        ),
        field_prefix="path.signal",
    )


class EnabledIn(Schema):
    enabled: bool


@router.put(
    "/personalization/enabled",
    response=PersonalizationOut,
    summary="Personalization on or off (off: the same popular and new items for everyone)",
)
def set_enabled(request: HttpRequest, payload: EnabledIn) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.personalization_set_enabled(
            employee=me, enabled=payload.enabled, actor=request.user
        ),
    )


class TargetRoleIn(Schema):
    job_role_id: int | None = None


@router.put(
    "/personalization/target-role",
    response={200: PersonalizationOut, 422: InvalidOut},
    summary="Set (or clear, with null) the role I aim at",
)
def set_target_role(request: HttpRequest, payload: TargetRoleIn) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.target_role_set(
            employee=me,
            job_role=get_or_invalid(JobRole, payload.job_role_id, "job_role_id", "job role"),
            actor=request.user,
        ),
    )


class SkillIn(Schema):
    skill_id: int


class TargetSkillLevelIn(Schema):
    skill_id: int
    level: int


@router.post(
    "/personalization/interests",
    response={200: PersonalizationOut, 422: InvalidOut},
    summary="Add a skill to my interests",
)
def add_interest(request: HttpRequest, payload: SkillIn) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.interest_add(
            employee=me,
            skill=get_or_invalid(Skill, payload.skill_id, "skill_id", "skill"),
            actor=request.user,
        ),
    )


@router.delete(
    "/personalization/interests/{skill_id}",
    response=PersonalizationOut,
    summary="Remove a skill from my interests",
)
def remove_interest(request: HttpRequest, skill_id: int) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.interest_remove(
            employee=me, skill_id=skill_id, actor=request.user
        ),
    )


@router.put(
    "/personalization/target-skills",
    response={200: PersonalizationOut, 422: InvalidOut},
    summary="Add a skill and level to my goal (or change its level)",
)
def set_target_skill(request: HttpRequest, payload: TargetSkillLevelIn) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.target_skill_set(
            employee=me,
            skill=get_or_invalid(Skill, payload.skill_id, "skill_id", "skill"),
            level=payload.level,
            actor=request.user,
        ),
    )


@router.delete(
    "/personalization/target-skills/{skill_id}",
    response=PersonalizationOut,
    summary="Remove a skill from my goal",
)
def remove_target_skill(request: HttpRequest, skill_id: int) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.target_skill_remove(
            employee=me, skill_id=skill_id, actor=request.user
        ),
    )


class FormatsIn(Schema):
    formats: list[str]


@router.put(
    "/personalization/formats",
    response={200: PersonalizationOut, 422: InvalidOut},
    summary="The formats I prefer (none: any)",
)
def set_formats(request: HttpRequest, payload: FormatsIn) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.preferred_formats_set(
            employee=me, formats=payload.formats, actor=request.user
        ),
    )


class FeedbackIn(Schema):
    """``kind``: ``not_for_me``, ``more_like_this`` or ``dismissed``."""

    item_id: int
    kind: str


@router.post(
    "/personalization/feedback",
    response={200: PersonalizationOut, 422: InvalidOut},
    summary='"Not for me", "more like this" or dismissed, on one published item',
)
def add_feedback(request: HttpRequest, payload: FeedbackIn) -> Any:
    def record(me: Employee) -> None:
        item = get_or_invalid(Item, payload.item_id, "item_id", "published item", is_published=True)
        if payload.kind not in RecommendationFeedback.Kind.values:
            raise ValidationError(
                {"kind": f"Choose from {', '.join(RecommendationFeedback.Kind.values)}."}
            )
        personalization.feedback_record(
            employee=me, item=item, kind=payload.kind, actor=request.user
        )

    return _change_controls(request, record)


@router.delete(
    "/personalization/feedback/{item_id}",
    response=PersonalizationOut,
    summary="Undo my feedback on an item",
)
def undo_feedback(request: HttpRequest, item_id: int) -> Any:
    return _change_controls(
        request,
        lambda me: personalization.feedback_undo(employee=me, item_id=item_id, actor=request.user),
    )


@router.post(
    "/personalization/reset",
    response=PersonalizationOut,
    summary="Reset my history: the feed ignores activity before now; all feedback is removed",
)
def reset_history(request: HttpRequest) -> Any:
    return _change_controls(
        request, lambda me: personalization.history_reset(employee=me, actor=request.user)
    )
