"""Learning paths (/api/v1/discovery/paths, /people/{id}/paths): the owner changes, the manager who
suggested reads while the owner is in their line; anyone else 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from trellis.core.schemas import InvalidOut
from trellis.discovery import paths as path_service
from trellis.discovery.api_common import (
    ItemRefOut,
    get_or_invalid,
    invalid,
    item_ref,
    me_or_404,
    read_access,
    write_access,
)
from trellis.discovery.models import LearningPath, PathStep
from trellis.people.models import Employee, JobRole

router = Router(tags=["discovery"])


class TargetSkillOut(Schema):
    skill_id: int
    level: int


class PathOut(Schema):
    id: int
    title: str
    status: str
    owner: str
    target_kind: str
    target_role_id: int | None
    target_skills: list[TargetSkillOut]
    weekly_minutes: int
    deadline: dt.date | None
    preferred_formats: list[str]
    starts_on: dt.date
    remaining_minutes: int
    finishes_week: int
    fits_deadline: bool | None
    weekly_minutes_needed: int | None
    suggested_by: str | None
    suggestion_note: str
    decline_reason: str
    done_steps: int
    planned_steps: int


class GapLineOut(Schema):
    skill_id: int
    label: str
    current: int
    target: int
    essential: bool
    reached: int | None


class StepOut(Schema):
    id: int
    item: ItemRefOut
    position: int
    status: str
    week_start: int
    week_end: int
    minutes: int
    reason: str
    pinned: bool
    fallback_format: bool
    by_deadline: bool
    completed_at: dt.datetime | None


class PathDetailOut(PathOut):
    can_edit: bool
    gap: list[GapLineOut]
    uncovered: list[str]
    steps: list[StepOut]
    done_minutes: int
    total_minutes: int
    percent: int
    finishes_on: dt.date | None


def _path_out(path: LearningPath, *, done: int, planned: int) -> dict[str, Any]:
    return {
        "id": path.pk,
        "title": path.title,
        "status": path.status,
        "owner": path.owner.employee_id,
        "target_kind": path.target_kind,
        "target_role_id": path.target_role_id,
        "target_skills": [
            {"skill_id": t["skill"], "level": t["level"]} for t in path.target_skills
        ],
        "weekly_minutes": path.weekly_minutes,
        "deadline": path.deadline,
        "preferred_formats": path.preferred_formats,
        "starts_on": path.starts_on,
        "remaining_minutes": path.remaining_minutes,
        "finishes_week": path.finishes_week,
        "fits_deadline": path.fits_deadline,
        "weekly_minutes_needed": path.weekly_minutes_needed,
        "suggested_by": path.suggested_by.employee_id if path.suggested_by else None,
        "suggestion_note": path.suggestion_note,
        "decline_reason": path.decline_reason,
        "done_steps": done,
        "planned_steps": planned,
    }


def _path_detail(path: LearningPath, *, can_edit: bool) -> dict[str, Any]:
    page = path_service.path_page(path=path)
    steps = [*page.done, *(s for w in page.weeks for s in w.steps), *page.dropped]
    out = _path_out(
        path,
        done=len(page.done),
        planned=sum(len(w.steps) for w in page.weeks),
    )
    out.update(
        can_edit=can_edit,
        gap=[
            {
                "skill_id": g["skill"],
                "label": g["label"],
                "current": g["current"],
                "target": g["target"],
                "essential": g.get("essential", True),
                "reached": g.get("reached"),
            }
            for g in path.gap
        ],
        uncovered=page.uncovered,
        steps=[
            {
                "id": s.pk,
                "item": item_ref(s.item),
                "position": s.position,
                "status": s.status,
                "week_start": s.week_start,
                "week_end": s.week_end,
                "minutes": s.minutes,
                "reason": s.reason,
                "pinned": s.pinned,
                "fallback_format": s.fallback_format,
                "by_deadline": s.by_deadline,
                "completed_at": s.completed_at,
            }
            for s in steps
        ],
        done_minutes=page.done_minutes,
        total_minutes=page.total_minutes,
        percent=page.percent,
        finishes_on=page.finishes_on,
    )
    return out


class TargetSkillIn(Schema):
    skill_id: int
    level: int


class PathSettingsIn(Schema):
    weekly_minutes: int = 180
    deadline: dt.date | None = None
    preferred_formats: list[str] = []


class PathIn(PathSettingsIn):
    """``target_kind``: ``role`` (my role), ``next_role`` (``target_role_id``) or ``skills``
    (``target_skills``, levels 1-5)."""

    target_kind: str
    target_role_id: int | None = None
    target_skills: list[TargetSkillIn] = []


class PathSuggestIn(PathIn):
    note: str = ""


_PATH_FIELDS = {"target_role": "target_role_id"}


def _target(payload: PathIn) -> dict[str, Any]:
    return {
        "target_kind": payload.target_kind,
        "target_role": get_or_invalid(
            JobRole, payload.target_role_id, "target_role_id", "job role"
        ),
        "target_skills": [{"skill": s.skill_id, "level": s.level} for s in payload.target_skills],
        "weekly_minutes": payload.weekly_minutes,
        "deadline": payload.deadline,
        "preferred_formats": payload.preferred_formats,
    }


def _plan(request: HttpRequest, make: Callable[[], LearningPath]) -> Any:
    """201 and the new path, or 422 naming the fields the service refused (nothing written)."""
    try:
        path = make()
    except ValidationError as exc:
        return invalid(exc, rename=_PATH_FIELDS)
    path, can_edit = path_service.get_path_for_user(user=request.user, path_id=path.pk)
    return Status(201, _path_detail(path, can_edit=can_edit))


def _paths_out(qs: Any) -> list[dict[str, Any]]:
    return [_path_out(p, done=p.done_steps, planned=p.planned_steps) for p in qs]


@router.get("/paths", response=list[PathOut], summary="My learning paths (suggested ones too)")
def list_paths(request: HttpRequest) -> Any:
    read_access(request)
    return _paths_out(path_service.paths_of(employee=me_or_404(request)))


@router.get(
    "/paths/suggested-by-me",
    response=list[PathOut],
    summary="Paths I suggested to people in my reporting line (managers)",
)
def list_suggested_paths(request: HttpRequest) -> Any:
    read_access(request)
    me = me_or_404(request)
    qs = path_service.paths_suggested_by(manager=me).filter(
        owner__manager_path__startswith=me.manager_path, owner__is_active=True
    )
    qs = path_service.with_step_counts(qs)
    return _paths_out(qs)


@router.post(
    "/paths",
    response={201: PathDetailOut, 422: InvalidOut},
    summary="Plan a path for me toward a target",
)
def create_path(request: HttpRequest, payload: PathIn) -> Any:
    write_access(request)
    me = me_or_404(request)
    return _plan(
        request,
        lambda: path_service.path_create(owner=me, actor=request.user, **_target(payload)),
    )


@router.post(
    "/people/{employee_id}/paths",
    response={201: PathDetailOut, 422: InvalidOut},
    summary="Suggest a path to someone in my reporting line (managers; 404 outside it)",
)
def suggest_path(request: HttpRequest, employee_id: str, payload: PathSuggestIn) -> Any:
    write_access(request)
    manager, report = path_service.get_report_for_manager(
        user=request.user, employee_id=employee_id
    )
    return _plan(
        request,
        lambda: path_service.path_suggest(
            manager=manager,
            employee=report,
            actor=request.user,
            note=payload.note,
            **_target(payload),
        ),
    )


@router.get("/paths/{path_id}", response=PathDetailOut, summary="A path: steps, weeks, gap")
def get_path(request: HttpRequest, path_id: int) -> Any:
    """The owner, or the manager who suggested it while the owner is in their line; else 404.
    Reading it as its owner first marks steps done that the learning record shows finished."""
    read_access(request)
    path, can_edit = path_service.get_path_for_user(user=request.user, path_id=path_id)
    if can_edit:
        path_service.path_sync_progress(path=path)
    return _path_detail(path, can_edit=can_edit)


def _own_path(request: HttpRequest, path_id: int) -> LearningPath:
    path, can_edit = path_service.get_path_for_user(user=request.user, path_id=path_id)
    if not can_edit:
        raise Http404("No such path.")
    return path


def _own_step(request: HttpRequest, path_id: int, step_id: int) -> tuple[LearningPath, PathStep]:
    path = _own_path(request, path_id)
    step = path.steps.select_related("item").filter(pk=step_id).first()
    if step is None:
        raise Http404("No such step.")
    return path, step


def _after(request: HttpRequest, path: LearningPath) -> dict[str, Any]:
    path, can_edit = path_service.get_path_for_user(user=request.user, path_id=path.pk)
    return _path_detail(path, can_edit=can_edit)


def _change_path(
    request: HttpRequest,
    path: LearningPath,
    change: Callable[[Employee], Any],
    *,
    rename: dict[str, str] | None = None,
) -> Any:
    """Call one path service as the path's owner; the path as it is now, or 422 naming the field
    the service refused."""
    try:
        change(me_or_404(request))
    except ValidationError as exc:
        return invalid(exc, rename=rename)
    return _after(request, path)


@router.post(
    "/paths/{path_id}/steps/{step_id}/skip",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Skip a planned step (never planned again); the rest re-plans",
)
def skip_step(request: HttpRequest, path_id: int, step_id: int) -> Any:
    write_access(request)
    path, step = _own_step(request, path_id, step_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_step_skip(
            path=path, step=step, employee=me, actor=request.user
        ),
    )


class AlternativeOut(Schema):
    item: ItemRefOut
    covers: list[str]


@router.get(
    "/paths/{path_id}/steps/{step_id}/alternatives",
    response=list[AlternativeOut],
    summary="Items that could take a planned step's place",
)
def step_alternatives(request: HttpRequest, path_id: int, step_id: int) -> Any:
    read_access(request)
    path, step = _own_step(request, path_id, step_id)
    return [
        {"item": item_ref(a.item), "covers": [f"{label} level {lvl}" for label, lvl in a.covers]}
        for a in path_service.step_alternatives(path=path, step=step)
    ]


class SwapIn(Schema):
    """``item_id``: one of the step's alternatives; none: Trellis chooses."""

    item_id: int | None = None


@router.post(
    "/paths/{path_id}/steps/{step_id}/swap",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Swap a planned step for an alternative (or let Trellis choose); the rest re-plans",
)
def swap_step(request: HttpRequest, path_id: int, step_id: int, payload: SwapIn) -> Any:
    write_access(request)
    path, step = _own_step(request, path_id, step_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_step_swap(
            path=path, step=step, employee=me, actor=request.user, replacement_id=payload.item_id
        ),
        rename={"item": "item_id"},
    )


@router.post(
    "/paths/{path_id}/replan",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Plan the rest again from today's skills and learning record",
)
def replan_path(request: HttpRequest, path_id: int) -> Any:
    write_access(request)
    path = _own_path(request, path_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_replan(path=path, employee=me, actor=request.user),
    )


@router.put(
    "/paths/{path_id}/settings",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Change the pace (weekly minutes, deadline, formats); the rest re-plans",
)
def path_settings(request: HttpRequest, path_id: int, payload: PathSettingsIn) -> Any:
    write_access(request)
    path = _own_path(request, path_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_settings_set(
            path=path,
            employee=me,
            actor=request.user,
            weekly_minutes=payload.weekly_minutes,
            deadline=payload.deadline,
            preferred_formats=payload.preferred_formats,
        ),
    )


class DeclineIn(Schema):
    reason: str = ""


@router.post(
    "/paths/{path_id}/accept",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Accept a path suggested to me (week 1 starts today)",
)
def accept_path(request: HttpRequest, path_id: int) -> Any:
    write_access(request)
    path = _own_path(request, path_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_accept(path=path, employee=me, actor=request.user),
    )


@router.post(
    "/paths/{path_id}/decline",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Decline a path suggested to me",
)
def decline_path(request: HttpRequest, path_id: int, payload: DeclineIn) -> Any:
    write_access(request)
    path = _own_path(request, path_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_decline(
            path=path, employee=me, actor=request.user, reason=payload.reason
        ),
    )


@router.post(
    "/paths/{path_id}/stop",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Stop (archive) an active or completed path",
)
def stop_path(request: HttpRequest, path_id: int) -> Any:
    write_access(request)
    path = _own_path(request, path_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_archive(path=path, employee=me, actor=request.user),
    )
