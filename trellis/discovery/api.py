"""Self-directed learning API (/api/v1/discovery/): search, ask, learning paths, playlists and the
personalization controls, scoped exactly as the pages are.

- Everything is about the caller: a learner reads and changes only their own paths, playlists and
  controls; a manager suggests paths only to people in their reporting line and reads only the
  paths they suggested (404 for anyone else, whether they exist or not); curated playlists are made
  and changed by L&D admins only (403 for other roles); a playlist the caller may not see is 404.
- Tokens: reading needs the ``catalog:read`` scope, changing anything the ``discovery:write`` scope
  (a browser session is limited by roles only, CSRF-checked).
- Bad input answers 422 naming each field (``body.weekly_minutes``, ``query.level``) and writes
  nothing. Searches and questions are not stored, as on the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from trellis.catalog import selectors as catalog_selectors
from trellis.catalog.models import Item
from trellis.catalog.schemas import ItemQuery
from trellis.core.api_auth import require_scope
from trellis.core.permissions import Role, check_role, has_role
from trellis.core.schemas import InvalidOut
from trellis.discovery import paths as path_service
from trellis.discovery import personalization
from trellis.discovery import playlists as playlist_service
from trellis.discovery.models import LearningPath, PathStep, Playlist, RecommendationFeedback
from trellis.people.models import Department, Employee, Group, JobRole, Location
from trellis.people.selectors import employee_for_user
from trellis.skills.models import Skill

router = Router(tags=["discovery"])

READ_SCOPE = "catalog:read"
WRITE_SCOPE = "discovery:write"


def _read(request: HttpRequest) -> None:
    require_scope(request, READ_SCOPE)
    check_role(request.user, Role.LEARNER)


def _write(request: HttpRequest) -> None:
    require_scope(request, WRITE_SCOPE)
    check_role(request.user, Role.LEARNER)


def _me(request: HttpRequest) -> Employee:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("This belongs to people with an employee record.")
    return me


def _invalid(exc: ValidationError, *, rename: dict[str, str] | None = None) -> Status:
    """A service's ValidationError as the API's 422 body, each message under ``body.<field>``."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": f"body.{rename.get(name, name)}", "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "body", "message": message} for message in exc.messages]
    return Status(422, {"detail": "Invalid input", "errors": errors})


def _unknown(field: str, message: str) -> Status:
    return Status(
        422, {"detail": "Invalid input", "errors": [{"field": field, "message": message}]}
    )


def _get(model: Any, pk: int | None, field: str, what: str, **filters: Any) -> Any:
    """The row ``pk`` of ``model`` (None for None), or a ValidationError on ``field``."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **filters).first()
    if found is None:
        raise ValidationError({field: f"No {what} {pk}."})
    return found


def _item_url(item: Item) -> str:
    return reverse("catalog:item", args=[item.uid])


class ItemRefOut(Schema):
    id: int
    uid: UUID
    title: str
    format: str
    level: int
    duration_minutes: int
    url: str


def _item_ref(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "uid": item.uid,
        "title": item.title,
        "format": item.format,
        "level": item.level,
        "duration_minutes": item.duration_minutes,
        "url": _item_url(item),
    }


# --- search and ask -----------------------------------------------------------------------------


class SearchQuery(ItemQuery):
    page: int = 1
    exact: bool = False


class SearchHitOut(Schema):
    item: ItemRefOut
    provider: str
    score: float
    matched_by: str
    snippet: str


class SearchOut(Schema):
    query: str
    showing: str
    corrections: dict[str, str]
    synonyms: list[str]
    semantic: bool
    total: int
    page: int
    per_page: int
    hits: list[SearchHitOut]


@router.get(
    "/search",
    response=SearchOut,
    summary="Search the published catalog by words and meaning (filters as on the page)",
)
def search(request: HttpRequest, filters: Query[SearchQuery]) -> Any:
    """``q`` is required. Filters as ``/api/v1/catalog/items`` (``format``, ``level`` and
    ``duration`` repeat). ``exact=true``: no spelling correction. 20 hits a page."""
    from trellis.discovery import search as search_service

    _read(request)
    parsed = catalog_selectors.item_filters_parse(request.GET)
    errors = [{"loc": ["query", n], "msg": m} for n, m in parsed.errors.items() if n != "sort"]
    if not parsed.filters.q.strip():
        errors.append({"loc": ["query", "q"], "msg": "type something to search for"})
    if not 1 <= filters.page < 1000:
        errors.append({"loc": ["query", "page"], "msg": "from 1 to 999"})
    if errors:
        raise NinjaValidationError(errors)
    results = search_service.search_items(
        user=request.user,
        query=parsed.filters.q,
        filters=parsed.filters,
        page=filters.page,
        correct=not filters.exact,
    )
    return {
        "query": parsed.filters.q,
        "showing": results.plan.corrected_text,
        "corrections": results.plan.corrections,
        "synonyms": [" ".join(p) for p in results.plan.synonym_phrases],
        "semantic": results.semantic,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "hits": [
            {
                "item": _item_ref(h.item),
                "provider": h.item.provider.name if h.item.provider_id else "",
                "score": round(h.score, 6),
                "matched_by": h.matched_by,
                "snippet": h.snippet,
            }
            for h in results.hits
        ],
    }


class CitationOut(Schema):
    number: int
    passage_id: int
    heading: str
    section: str
    snippet: str
    item: ItemRefOut
    passage_url: str


class AskOut(Schema):
    question: str
    answer: str
    answer_source: str
    answer_citation: int | None
    confident: bool
    not_found: bool
    note: str
    citations: list[CitationOut]


@router.get("/ask", response=AskOut, summary="A question in plain words: an answer with citations")
def ask(request: HttpRequest, q: str) -> Any:
    """The best passages of the published catalog with their citations and a short answer
    (extractive, or written by the configured language model from the cited passages only)."""
    from trellis.discovery import ask as ask_service

    _read(request)
    question = q.strip()[:300]
    if not question:
        raise NinjaValidationError([{"loc": ["query", "q"], "msg": "ask a question"}])
    result = ask_service.ask(user=request.user, question=question)
    return {
        "question": result.question,
        "answer": result.answer,
        "answer_source": result.answer_source,
        "answer_citation": result.answer_citation,
        "confident": result.confident,
        "not_found": result.not_found,
        "note": result.note,
        "citations": [
            {
                "number": c.number,
                "passage_id": c.passage.pk,
                "heading": c.passage.heading,
                "section": c.section,
                "snippet": c.snippet,
                "item": _item_ref(c.item),
                "passage_url": reverse("discovery:passage", args=[c.passage.pk]),
            }
            for c in result.citations
        ],
    }


# --- learning paths -----------------------------------------------------------------------------


class PathOut(Schema):
    id: int
    title: str
    status: str
    owner: str
    target_kind: str
    target_role_id: int | None
    target_skills: list[dict[str, int]]
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
        "target_skills": path.target_skills,
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
                "item": _item_ref(s.item),
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
        "target_role": _get(JobRole, payload.target_role_id, "target_role_id", "job role"),
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
        return _invalid(exc, rename=_PATH_FIELDS)
    path, can_edit = path_service.get_path_for_user(user=request.user, path_id=path.pk)
    return Status(201, _path_detail(path, can_edit=can_edit))


def _paths_out(qs: Any) -> list[dict[str, Any]]:
    return [_path_out(p, done=p.done_steps, planned=p.planned_steps) for p in qs]


@router.get("/paths", response=list[PathOut], summary="My learning paths (suggested ones too)")
def list_paths(request: HttpRequest) -> Any:
    _read(request)
    return _paths_out(path_service.paths_of(employee=_me(request)))


@router.get(
    "/paths/suggested-by-me",
    response=list[PathOut],
    summary="Paths I suggested to people in my reporting line (managers)",
)
def list_suggested_paths(request: HttpRequest) -> Any:
    _read(request)
    me = _me(request)
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
    _write(request)
    me = _me(request)
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
    _write(request)
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
    _read(request)
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
        change(_me(request))
    except ValidationError as exc:
        return _invalid(exc, rename=rename)
    return _after(request, path)


@router.post(
    "/paths/{path_id}/steps/{step_id}/skip",
    response={200: PathDetailOut, 422: InvalidOut},
    summary="Skip a planned step (never planned again); the rest re-plans",
)
def skip_step(request: HttpRequest, path_id: int, step_id: int) -> Any:
    _write(request)
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
    _read(request)
    path, step = _own_step(request, path_id, step_id)
    return [
        {"item": _item_ref(a.item), "covers": [f"{label} level {lvl}" for label, lvl in a.covers]}
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
    _write(request)
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
    _write(request)
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
    _write(request)
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
    _write(request)
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
    _write(request)
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
    _write(request)
    path = _own_path(request, path_id)
    return _change_path(
        request,
        path,
        lambda me: path_service.path_archive(path=path, employee=me, actor=request.user),
    )


# --- playlists ----------------------------------------------------------------------------------


class PlaylistOut(Schema):
    uid: UUID
    kind: str
    title: str
    description: str
    status: str
    sharing: str
    owner: str | None
    entry_count: int
    following: bool
    can_edit: bool


class PlaylistsOut(Schema):
    for_me: list[PlaylistOut]
    mine: list[PlaylistOut]
    shared_with_me: list[PlaylistOut]
    following: list[PlaylistOut]
    curated_all: list[PlaylistOut]


class EntryOut(Schema):
    id: int
    position: int
    note: str
    item: ItemRefOut


class PlaylistDetailOut(PlaylistOut):
    shared_with: list[str]
    audience_count: int | None
    entries: list[EntryOut]


def _playlist_out(
    p: Playlist, *, following: bool, can_edit: bool, count: int | None = None
) -> dict[str, Any]:
    return {
        "uid": p.uid,
        "kind": p.kind,
        "title": p.title,
        "description": p.description,
        "status": p.status,
        "sharing": p.sharing,
        "owner": p.owner.employee_id if p.owner_id and p.owner else None,
        "entry_count": count if count is not None else getattr(p, "entry_count", 0),
        "following": following,
        "can_edit": can_edit,
    }


@router.get(
    "/playlists",
    response=PlaylistsOut,
    summary="The playlists I may see: for me (curated), mine, shared with me, following, "
    "and for L&D, executives and auditors every curated one",
)
def list_playlists(request: HttpRequest) -> Any:
    _read(request)
    home = playlist_service.playlists_home(user=request.user)
    ld = has_role(request.user, Role.LD_ADMIN)

    def out(rows: list[Playlist]) -> list[dict[str, Any]]:
        return [
            _playlist_out(
                p,
                following=p.pk in home.followed_ids,
                can_edit=ld if p.is_curated else home.me_id == p.owner_id,
            )
            for p in rows
        ]

    return {
        "for_me": out(home.for_me),
        "mine": out(home.mine),
        "shared_with_me": out(home.shared_with_me),
        "following": out(home.following),
        "curated_all": out(home.curated_all),
    }


def _playlist_detail(request: HttpRequest, uid: UUID) -> dict[str, Any]:
    playlist, can_edit = playlist_service.get_playlist_for_user(user=request.user, uid=uid)
    entries = playlist_service.playlist_entries(playlist=playlist)
    out = _playlist_out(
        playlist,
        following=playlist_service.is_following(
            playlist=playlist, employee=employee_for_user(request.user)
        ),
        can_edit=can_edit,
        count=len(entries),
    )
    out.update(
        shared_with=[e.email for e in playlist.shared_with.all()] if can_edit else [],
        audience_count=playlist_service.playlist_audience_count(playlist=playlist)
        if playlist.is_curated and can_edit
        else None,
        entries=[
            {"id": e.pk, "position": e.position, "note": e.note, "item": _item_ref(e.item)}
            for e in entries
        ],
    )
    return out


class PlaylistIn(Schema):
    """``kind``: ``personal`` (anyone with an employee record) or ``curated`` (L&D admins; a
    draft). ``sharing`` (personal only): ``private``, ``link`` or ``people``."""

    kind: str = "personal"
    title: str
    description: str = ""
    sharing: str = "private"


class PlaylistUpdateIn(Schema):
    """``shared_with``: work emails (personal playlists shared with named people)."""

    title: str
    description: str = ""
    sharing: str | None = None
    shared_with: list[str] | None = None


@router.post(
    "/playlists",
    response={201: PlaylistDetailOut, 422: InvalidOut},
    summary="Make a personal playlist, or a curated draft (L&D admins)",
)
def create_playlist(request: HttpRequest, payload: PlaylistIn) -> Any:
    _write(request)
    try:
        playlist = playlist_service.playlist_create(
            user=request.user,
            kind=payload.kind,
            title=payload.title,
            description=payload.description,
            sharing=payload.sharing,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _playlist_detail(request, playlist.uid))


@router.get("/playlists/{uid}", response=PlaylistDetailOut, summary="A playlist and its items")
def get_playlist(request: HttpRequest, uid: UUID) -> Any:
    _read(request)
    return _playlist_detail(request, uid)


def _editable_playlist(request: HttpRequest, uid: UUID) -> Playlist:
    playlist, _ = playlist_service.get_playlist_for_user(user=request.user, uid=uid)
    return playlist  # the services raise PermissionDenied (403) unless the caller edits it


def _change_playlist(
    request: HttpRequest,
    uid: UUID,
    change: Callable[[Playlist], Any],
    *,
    rename: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    """Call one playlist service on a playlist the caller sees (404 otherwise; the service says
    403 unless they edit it); the playlist as it is now, or 422 naming the field refused."""
    _write(request)
    playlist = _editable_playlist(request, uid)
    try:
        change(playlist)
    except ValidationError as exc:
        return _invalid(exc, rename=rename)
    return Status(status, _playlist_detail(request, uid))


def _emails(emails: list[str]) -> list[Employee] | Status:
    wanted = [e.strip().lower() for e in emails if e.strip()]
    found = {
        e.email.lower(): e
        for e in Employee.objects.filter(email__in=wanted, is_active=True)
        if e.email
    }
    missing = [w for w in wanted if w not in found]
    if missing:
        return _unknown("body.shared_with", f"No colleague has the email {', '.join(missing)}.")
    return [found[w] for w in dict.fromkeys(wanted)]


@router.put(
    "/playlists/{uid}",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Change a playlist's title, description and sharing (its editor only)",
)
def update_playlist(request: HttpRequest, uid: UUID, payload: PlaylistUpdateIn) -> Any:
    _write(request)
    playlist = _editable_playlist(request, uid)
    people = None
    if payload.shared_with is not None:
        found = _emails(payload.shared_with)
        if isinstance(found, Status):
            return found
        people = found
    try:
        playlist_service.playlist_update(
            user=request.user,
            playlist=playlist,
            title=payload.title,
            description=payload.description,
            sharing=payload.sharing,
            shared_with=people,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return _playlist_detail(request, uid)


@router.delete("/playlists/{uid}", response={204: None}, summary="Delete a playlist (its editor)")
def delete_playlist(request: HttpRequest, uid: UUID) -> Any:
    _write(request)
    playlist_service.playlist_delete(user=request.user, playlist=_editable_playlist(request, uid))
    return Status(204, None)


class EntryIn(Schema):
    item_id: int
    note: str = ""


@router.post(
    "/playlists/{uid}/entries",
    response={201: PlaylistDetailOut, 422: InvalidOut},
    summary="Add a published catalog item at the end",
)
def add_entry(request: HttpRequest, uid: UUID, payload: EntryIn) -> Any:
    def add(playlist: Playlist) -> None:
        item = Item.objects.filter(pk=payload.item_id).first()
        if item is None:
            raise ValidationError({"item": f"No item {payload.item_id}."})
        playlist_service.playlist_item_add(
            user=request.user, playlist=playlist, item=item, note=payload.note
        )

    return _change_playlist(request, uid, add, rename={"item": "item_id"}, status=201)


@router.delete(
    "/playlists/{uid}/entries/{entry_id}",
    response=PlaylistDetailOut,
    summary="Remove an item (the rest close up)",
)
def remove_entry(request: HttpRequest, uid: UUID, entry_id: int) -> Any:
    return _change_playlist(
        request,
        uid,
        lambda p: playlist_service.playlist_item_remove(
            user=request.user, playlist=p, entry_id=entry_id
        ),
    )


class OrderIn(Schema):
    """Every entry id of the playlist once, in the new order."""

    entry_ids: list[int]


@router.put(
    "/playlists/{uid}/order",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Reorder the items",
)
def reorder_entries(request: HttpRequest, uid: UUID, payload: OrderIn) -> Any:
    return _change_playlist(
        request,
        uid,
        lambda p: playlist_service.playlist_reorder(
            user=request.user, playlist=p, entry_ids=payload.entry_ids
        ),
        rename={"order": "entry_ids"},
    )


class MoveIn(Schema):
    """``direction``: ``up``, ``down``, ``top`` or ``bottom``."""

    direction: str


@router.post(
    "/playlists/{uid}/entries/{entry_id}/move",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Move one item up, down, to the top or to the bottom",
)
def move_entry(request: HttpRequest, uid: UUID, entry_id: int, payload: MoveIn) -> Any:
    return _change_playlist(
        request,
        uid,
        lambda p: playlist_service.playlist_item_move(
            user=request.user, playlist=p, entry_id=entry_id, direction=payload.direction
        ),
    )


class FollowOut(Schema):
    following: bool


def _follow(request: HttpRequest, uid: UUID, *, follow: bool) -> dict[str, bool]:
    _write(request)
    playlist, _ = playlist_service.get_playlist_for_user(user=request.user, uid=uid)
    return {
        "following": playlist_service.playlist_follow(
            user=request.user, playlist=playlist, follow=follow
        )
    }


@router.put("/playlists/{uid}/follow", response=FollowOut, summary="Follow a playlist I can see")
def follow_playlist(request: HttpRequest, uid: UUID) -> Any:
    return _follow(request, uid, follow=True)


@router.delete("/playlists/{uid}/follow", response=FollowOut, summary="Stop following a playlist")
def unfollow_playlist(request: HttpRequest, uid: UUID) -> Any:
    return _follow(request, uid, follow=False)


class PublishIn(Schema):
    published: bool = True


@router.put(
    "/playlists/{uid}/status",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Publish a curated playlist to its audience, or take it back to draft (L&D admins)",
)
def publish_playlist(request: HttpRequest, uid: UUID, payload: PublishIn) -> Any:
    return _change_playlist(
        request,
        uid,
        lambda p: playlist_service.playlist_publish(
            user=request.user, playlist=p, published=payload.published
        ),
    )


class AudienceRuleIn(Schema):
    """The programs' criteria. Departments, job roles, locations and groups by id; managers by
    employee id. A rule with no criterion matches everyone."""

    departments: list[int] = []
    job_roles: list[int] = []
    locations: list[int] = []
    groups: list[int] = []
    managers: list[str] = []
    hired_from: dt.date | None = None
    hired_to: dt.date | None = None


class AudienceIn(Schema):
    rules: list[AudienceRuleIn] = []
    include: list[str] = []
    exclude: list[str] = []


def _by_ids(model: Any, ids: list[int], field: str) -> list[Any] | Status:
    found = model.objects.in_bulk(ids)
    missing = sorted(set(ids) - set(found))
    if missing:
        return _unknown(field, f"Unknown id(s): {missing}.")
    return [found[i] for i in dict.fromkeys(ids)]


def _people(employee_ids: list[str], field: str) -> list[Employee] | Status:
    found = {e.employee_id: e for e in Employee.objects.filter(employee_id__in=employee_ids)}
    missing = [i for i in employee_ids if i not in found]
    if missing:
        return _unknown(field, f"No employee has the id(s) {', '.join(missing)}.")
    return [found[i] for i in dict.fromkeys(employee_ids)]


@router.put(
    "/playlists/{uid}/audience",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Replace a curated playlist's audience (L&D admins): the programs' rules",
)
def set_audience(request: HttpRequest, uid: UUID, payload: AudienceIn) -> Any:
    _write(request)
    playlist = _editable_playlist(request, uid)
    if not playlist_service.can_edit(user=request.user, playlist=playlist):
        raise PermissionDenied("Only L&D admins set a curated playlist's audience.")
    rules: list[dict[str, Any]] = []
    models = {
        "departments": Department,
        "job_roles": JobRole,
        "locations": Location,
        "groups": Group,
    }
    for n, rule in enumerate(payload.rules):
        spec: dict[str, Any] = {"hired_from": rule.hired_from, "hired_to": rule.hired_to}
        for name, model in models.items():
            found = _by_ids(model, getattr(rule, name), f"body.rules.{n}.{name}")
            if isinstance(found, Status):
                return found
            spec[name] = found
        managers = _people(rule.managers, f"body.rules.{n}.managers")
        if isinstance(managers, Status):
            return managers
        spec["managers"] = managers
        rules.append(spec)
    include = _people(payload.include, "body.include")
    if isinstance(include, Status):
        return include
    exclude = _people(payload.exclude, "body.exclude")
    if isinstance(exclude, Status):
        return exclude
    try:
        playlist_service.playlist_audience_set(
            user=request.user, playlist=playlist, rules=rules, include=include, exclude=exclude
        )
    except ValidationError as exc:
        return _invalid(exc)
    return _playlist_detail(request, uid)


# --- personalization controls ------------------------------------------------------------------


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
            {"item": _item_ref(f.item), "kind": f.kind, "created_at": f.created_at}
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
    _read(request)
    return _controls(_me(request))


def _change_controls(
    request: HttpRequest, change: Callable[[Employee], Any], *, field_prefix: str = "body"
) -> Any:
    """Call one personalization service for the caller; their controls as they are now, or 422
    naming the field refused."""
    _write(request)
    me = _me(request)
    try:
        change(me)
    except ValidationError as exc:
        if field_prefix != "body":
            errors = [{"field": field_prefix, "message": m} for m in exc.messages]
            return Status(422, {"detail": "Invalid input", "errors": errors})
        return _invalid(exc)
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
            job_role=_get(JobRole, payload.job_role_id, "job_role_id", "job role"),
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
            skill=_get(Skill, payload.skill_id, "skill_id", "skill"),
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
            skill=_get(Skill, payload.skill_id, "skill_id", "skill"),
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
        item = _get(Item, payload.item_id, "item_id", "published item", is_published=True)
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
