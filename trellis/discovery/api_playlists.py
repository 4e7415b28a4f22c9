"""Playlists (/api/v1/discovery/playlists): what the caller sees (404 otherwise); the owner edits a
personal one, L&D admins a curated one (403 otherwise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from trellis.catalog.models import Item
from trellis.core.permissions import Role, has_role
from trellis.core.schemas import InvalidOut
from trellis.discovery import playlists as playlist_service
from trellis.discovery.api_common import (
    ItemRefOut,
    invalid,
    item_ref,
    read_access,
    unknown,
    write_access,
)
from trellis.discovery.models import Playlist
from trellis.people.models import Department, Employee, Group, JobRole, Location
from trellis.people.selectors import employee_for_user

router = Router(tags=["discovery"])


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
    read_access(request)
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
            {"id": e.pk, "position": e.position, "note": e.note, "item": item_ref(e.item)}
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
    write_access(request)
    try:
        playlist = playlist_service.playlist_create(
            user=request.user,
            kind=payload.kind,
            title=payload.title,
            description=payload.description,
            sharing=payload.sharing,
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _playlist_detail(request, playlist.uid))


@router.get("/playlists/{uid}", response=PlaylistDetailOut, summary="A playlist and its items")
def get_playlist(request: HttpRequest, uid: UUID) -> Any:
    read_access(request)
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
    write_access(request)
    playlist = _editable_playlist(request, uid)
    try:
        change(playlist)
    except ValidationError as exc:
        return invalid(exc, rename=rename)
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
        return unknown("body.shared_with", f"No colleague has the email {', '.join(missing)}.")
    return [found[w] for w in dict.fromkeys(wanted)]


@router.put(
    "/playlists/{uid}",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Change a playlist's title, description and sharing (its editor only)",
)
def update_playlist(request: HttpRequest, uid: UUID, payload: PlaylistUpdateIn) -> Any:
    write_access(request)
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
        return invalid(exc)
    return _playlist_detail(request, uid)


@router.delete("/playlists/{uid}", response={204: None}, summary="Delete a playlist (its editor)")
def delete_playlist(request: HttpRequest, uid: UUID) -> Any:
    write_access(request)
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
    write_access(request)
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
        return unknown(field, f"Unknown id(s): {missing}.")
    return [found[i] for i in dict.fromkeys(ids)]


def _people(employee_ids: list[str], field: str) -> list[Employee] | Status:
    found = {e.employee_id: e for e in Employee.objects.filter(employee_id__in=employee_ids)}
    missing = [i for i in employee_ids if i not in found]
    if missing:
        return unknown(field, f"No employee has the id(s) {', '.join(missing)}.")
    return [found[i] for i in dict.fromkeys(employee_ids)]


@router.put(
    "/playlists/{uid}/audience",
    response={200: PlaylistDetailOut, 422: InvalidOut},
    summary="Replace a curated playlist's audience (L&D admins): the programs' rules",
)
def set_audience(request: HttpRequest, uid: UUID, payload: AudienceIn) -> Any:
    write_access(request)
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
        return invalid(exc)
    return _playlist_detail(request, uid)
