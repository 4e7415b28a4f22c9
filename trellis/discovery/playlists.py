"""Playlists: services (every change) and selectors (every non-trivial read).

Who sees and edits what (also in README.md):

- a **personal** playlist: its owner edits it. Others see it when it is shared: with the link
  (anyone signed in who has its address) or with named people (who also find it under "Shared
  with me"). L&D admins do not see personal playlists that are not shared with them.
- a **curated** playlist: L&D admins edit it and see it in draft. Once published, the people its
  audience selects see it (the programs' audience rules, evaluated when the page is shown, so
  joiners and movers see the right playlists at once); executives and auditors read every curated
  playlist.
- anyone who sees a playlist may follow it; a followed playlist that is no longer visible to them
  (unshared, unpublished, audience changed) drops out of "Following".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.core.permissions import ORG_READERS, Role, has_role
from trellis.core.services import audit_log
from trellis.discovery.models import Playlist, PlaylistAudienceRule, PlaylistEntry, PlaylistFollow
from trellis.people.models import Employee
from trellis.programs.audience import (
    AUDIENCE_PREFETCH,
    audience_queryset,
    audience_rules_write,
    audiences_containing,
)

MAX_ENTRIES = 500


def _me(user: Any) -> Employee | None:
    from trellis.people.selectors import employee_for_user

    return employee_for_user(user)


# --- who may do what --------------------------------------------------------------------------


def can_edit(*, user: Any, playlist: Playlist) -> bool:
    if playlist.is_curated:
        return has_role(user, Role.LD_ADMIN)
    me = _me(user)
    return me is not None and playlist.owner_id == me.pk


def _audience_prefetch(qs: QuerySet[Playlist]) -> QuerySet[Playlist]:
    return qs.prefetch_related(*AUDIENCE_PREFETCH)


def _visible(
    playlist: Playlist, *, user: Any, me: Employee | None, audience_ids: set[int], by_link: bool
) -> bool:
    """``audience_ids``: the curated playlists whose audience contains ``me``
    (``programs.audience.audiences_containing``)."""
    if playlist.is_curated:
        if has_role(user, *ORG_READERS):
            return True
        return playlist.status == Playlist.Status.PUBLISHED and playlist.pk in audience_ids
    if me is not None and playlist.owner_id == me.pk:
        return True
    if playlist.sharing == Playlist.Sharing.LINK:
        return by_link
    if playlist.sharing == Playlist.Sharing.PEOPLE and me is not None:
        return any(e.pk == me.pk for e in playlist.shared_with.all())
    return False


def _audiences_of(playlists: list[Playlist], me: Employee | None) -> set[int]:
    """Of these playlists, the published curated ones whose audience contains ``me`` (one query)."""
    wanted = [p for p in playlists if p.is_curated and p.status == Playlist.Status.PUBLISHED]
    if me is None or not wanted:
        return set()
    return audiences_containing(wanted, employee=me)


def get_playlist_for_user(*, user: Any, uid: Any) -> tuple[Playlist, bool]:
    """The playlist and whether ``user`` may edit it; 404 when they may not see it."""
    playlist = (
        _audience_prefetch(Playlist.objects.select_related("owner"))
        .prefetch_related(
            Prefetch("shared_with", queryset=Employee.objects.only("id", "full_name"))
        )
        .filter(uid=uid)
        .first()
    )
    if playlist is None:
        raise Http404("No such playlist.")
    me = _me(user)
    audience = _audiences_of([playlist], me) if not has_role(user, *ORG_READERS) else set()
    if not _visible(playlist, user=user, me=me, audience_ids=audience, by_link=True):
        raise Http404("No such playlist.")
    return playlist, can_edit(user=user, playlist=playlist)


def _editable(*, user: Any, playlist: Playlist) -> Playlist:
    if not can_edit(user=user, playlist=playlist):
        raise PermissionDenied("Only the owner edits a personal playlist; L&D edits curated ones.")
    return Playlist.objects.select_for_update().get(pk=playlist.pk)


# --- selectors ----------------------------------------------------------------------------------


@dataclass
class PlaylistsHome:
    for_me: list[Playlist]  # curated, published, audience includes me
    mine: list[Playlist]
    shared_with_me: list[Playlist]
    following: list[Playlist]
    curated_all: list[Playlist]  # org readers: every curated playlist, drafts included
    followed_ids: set[int]
    me_id: int | None = None


def _with_counts(qs: QuerySet[Playlist]) -> QuerySet[Playlist]:
    return qs.annotate(entry_count=Count("entries", distinct=True)).select_related("owner")


def playlists_home(*, user: Any) -> PlaylistsHome:
    """Every list of the playlists page, in a constant number of queries."""
    me = _me(user)
    org_reader = has_role(user, *ORG_READERS)
    curated = list(
        _audience_prefetch(_with_counts(Playlist.objects.filter(kind=Playlist.Kind.CURATED)))
    )
    audience = _audiences_of(curated, me)
    for_me = [p for p in curated if p.pk in audience]
    mine: list[Playlist] = []
    shared: list[Playlist] = []
    following: list[Playlist] = []
    followed_ids: set[int] = set()
    if me is not None:
        mine = list(_with_counts(Playlist.objects.filter(owner=me, kind=Playlist.Kind.PERSONAL)))
        shared = list(
            _with_counts(
                Playlist.objects.filter(
                    kind=Playlist.Kind.PERSONAL,
                    sharing=Playlist.Sharing.PEOPLE,
                    shared_with=me,
                ).exclude(owner=me)
            )
        )
        follows = set(
            PlaylistFollow.objects.filter(employee=me).values_list("playlist_id", flat=True)
        )
        by_id = {p.pk: p for p in curated}
        followed = [by_id[pk] for pk in follows if pk in by_id] + list(
            _with_counts(
                Playlist.objects.filter(pk__in=follows, kind=Playlist.Kind.PERSONAL)
            ).prefetch_related(Prefetch("shared_with", queryset=Employee.objects.only("id")))
        )
        following = sorted(
            (
                p
                for p in followed
                if _visible(p, user=user, me=me, audience_ids=audience, by_link=True)
            ),
            key=lambda p: (p.title, p.pk),
        )
        followed_ids = {p.pk for p in following}
    return PlaylistsHome(
        for_me=for_me,
        mine=mine,
        shared_with_me=shared,
        following=following,
        curated_all=curated if org_reader else [],
        followed_ids=followed_ids,
        me_id=me.pk if me is not None else None,
    )


def playlist_entries(*, playlist: Playlist) -> list[PlaylistEntry]:
    return list(
        playlist.entries.select_related("item", "item__provider").order_by("position", "id")
    )


def playlist_audience_count(*, playlist: Playlist) -> int:
    """How many active people a curated playlist's audience selects (the programs' rules)."""
    return audience_queryset(playlist).count()


def is_following(*, playlist: Playlist, employee: Employee | None) -> bool:
    if employee is None:
        return False
    return PlaylistFollow.objects.filter(playlist=playlist, employee=employee).exists()


def playlist_item_search(*, playlist: Playlist, q: str, limit: int = 10) -> list[Any]:
    """Published catalog items whose title contains ``q``, not yet in the playlist."""
    from trellis.catalog.models import Item

    q = q.strip()
    if not q:
        return []
    taken = playlist.entries.values("item_id")
    return list(
        Item.objects.filter(is_published=True, title__icontains=q)
        .exclude(pk__in=taken)
        .order_by("title", "id")[:limit]
    )


# --- services -----------------------------------------------------------------------------------


def _clean_text(title: str, description: str) -> tuple[str, str]:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the playlist a title."})
    if len(title) > 200:
        raise ValidationError({"title": "At most 200 characters."})
    return title, description.strip()


@transaction.atomic
def playlist_create(
    *,
    user: Any,
    kind: str,
    title: str,
    description: str = "",
    sharing: str = Playlist.Sharing.PRIVATE,
) -> Playlist:
    """A personal playlist for the signed-in person, or (L&D admins) a curated draft."""
    title, description = _clean_text(title, description)
    me = _me(user)
    if kind == Playlist.Kind.CURATED:
        if not has_role(user, Role.LD_ADMIN):
            raise PermissionDenied("Only L&D admins make curated playlists.")
        playlist = Playlist.objects.create(
            kind=kind, title=title, description=description, created_by=user
        )
    elif kind == Playlist.Kind.PERSONAL:
        if me is None:
            raise PermissionDenied("Personal playlists belong to an employee.")
        if sharing not in Playlist.Sharing.values:
            raise ValidationError({"sharing": "Choose who sees the playlist."})
        playlist = Playlist.objects.create(
            kind=kind,
            title=title,
            description=description,
            owner=me,
            created_by=user,
            sharing=sharing,
        )
    else:
        raise ValidationError({"kind": "Choose curated or personal."})
    audit_log(
        actor=user,
        code="trellis.discovery.playlist_created",
        target=playlist,
        data={"kind": kind, "title": title},
    )
    return playlist


@transaction.atomic
def playlist_update(
    *,
    user: Any,
    playlist: Playlist,
    title: str,
    description: str = "",
    sharing: str | None = None,
    shared_with: Iterable[Employee] | None = None,
) -> Playlist:
    playlist = _editable(user=user, playlist=playlist)
    playlist.title, playlist.description = _clean_text(title, description)
    fields = ["title", "description", "updated_at"]
    if not playlist.is_curated:
        if sharing is not None:
            if sharing not in Playlist.Sharing.values:
                raise ValidationError({"sharing": "Choose who sees the playlist."})
            playlist.sharing = sharing
            fields.append("sharing")
        if shared_with is not None:
            people = [e for e in shared_with if e.pk != playlist.owner_id]
            playlist.shared_with.set(people)
    playlist.save(update_fields=fields)
    audit_log(actor=user, code="trellis.discovery.playlist_updated", target=playlist)
    return playlist


@transaction.atomic
def playlist_delete(*, user: Any, playlist: Playlist) -> None:
    playlist = _editable(user=user, playlist=playlist)
    audit_log(
        actor=user,
        code="trellis.discovery.playlist_deleted",
        target=playlist,
        data={"title": playlist.title},
    )
    playlist.delete()


@transaction.atomic
def playlist_item_add(*, user: Any, playlist: Playlist, item: Any, note: str = "") -> PlaylistEntry:
    playlist = _editable(user=user, playlist=playlist)
    if not item.is_published:
        raise ValidationError({"item": "That item is not published."})
    existing = PlaylistEntry.objects.filter(playlist=playlist, item=item).first()
    if existing is not None:
        raise ValidationError({"item": "That item is already in the playlist."})
    if playlist.entries.count() >= MAX_ENTRIES:
        raise ValidationError({"item": f"A playlist holds at most {MAX_ENTRIES} items."})
    last = playlist.entries.aggregate(last=Max("position"))["last"] or 0
    entry = PlaylistEntry.objects.create(
        playlist=playlist, item=item, position=last + 1, note=note.strip()[:300]
    )
    audit_log(
        actor=user,
        code="trellis.discovery.playlist_item_added",
        target=playlist,
        data={"item": item.pk},
    )
    return entry


def _renumber(entries: Sequence[PlaylistEntry]) -> None:
    changed = []
    for n, entry in enumerate(entries, start=1):
        if entry.position != n:
            entry.position = n
            changed.append(entry)
    if changed:
        PlaylistEntry.objects.bulk_update(changed, ["position"])


@transaction.atomic
def playlist_item_remove(*, user: Any, playlist: Playlist, entry_id: int) -> None:
    playlist = _editable(user=user, playlist=playlist)
    entry = PlaylistEntry.objects.filter(playlist=playlist, pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry.")
    entry.delete()
    _renumber(list(playlist.entries.select_for_update().order_by("position", "id")))
    audit_log(
        actor=user,
        code="trellis.discovery.playlist_item_removed",
        target=playlist,
        data={"item": entry.item_id},
    )


@transaction.atomic
def playlist_item_move(
    *, user: Any, playlist: Playlist, entry_id: int, direction: str
) -> tuple[int, int]:
    """Move one entry ``up``, ``down``, to the ``top`` or the ``bottom``. Returns (its new
    position, number of entries)."""
    playlist = _editable(user=user, playlist=playlist)
    entries = list(playlist.entries.select_for_update().order_by("position", "id"))
    index = next((n for n, e in enumerate(entries) if e.pk == entry_id), None)
    if index is None:
        raise Http404("No such entry.")
    target = {
        "up": index - 1,
        "down": index + 1,
        "top": 0,
        "bottom": len(entries) - 1,
    }.get(direction)
    if target is None:
        raise ValidationError({"direction": "Move up, down, to the top or to the bottom."})
    target = max(0, min(len(entries) - 1, target))
    entry = entries.pop(index)
    entries.insert(target, entry)
    _renumber(entries)
    return target + 1, len(entries)


@transaction.atomic
def playlist_reorder(*, user: Any, playlist: Playlist, entry_ids: Sequence[int]) -> None:
    """Put the entries in this order (after a drag and drop); it must name every entry once."""
    playlist = _editable(user=user, playlist=playlist)
    entries = {e.pk: e for e in playlist.entries.select_for_update()}
    if sorted(entry_ids) != sorted(entries) or len(set(entry_ids)) != len(entry_ids):
        raise ValidationError({"order": "The order must list every item of the playlist once."})
    _renumber([entries[pk] for pk in entry_ids])


@transaction.atomic
def playlist_audience_set(
    *,
    user: Any,
    playlist: Playlist,
    rules: list[dict[str, Any]],
    include: Iterable[Employee] = (),
    exclude: Iterable[Employee] = (),
) -> Playlist:
    """Replace a curated playlist's audience: rules as for a program (departments, job_roles,
    locations, groups, managers: lists; hired_from / hired_to: dates)."""
    playlist = _editable(user=user, playlist=playlist)
    if not playlist.is_curated:
        raise ValidationError({"audience": "Only curated playlists have an audience."})
    playlist.rules.all().delete()
    audience_rules_write(
        rules,
        create=lambda **dates: PlaylistAudienceRule.objects.create(playlist=playlist, **dates),
    )
    playlist.included.set(list(include))
    playlist.excluded.set(list(exclude))
    audit_log(
        actor=user,
        code="trellis.discovery.playlist_audience_set",
        target=playlist,
        data={
            "rules": len(rules),
            "include": sorted(e.pk for e in playlist.included.all()),
            "exclude": sorted(e.pk for e in playlist.excluded.all()),
        },
    )
    return playlist


@transaction.atomic
def playlist_publish(*, user: Any, playlist: Playlist, published: bool = True) -> Playlist:
    playlist = _editable(user=user, playlist=playlist)
    if not playlist.is_curated:
        raise ValidationError({"status": "Only curated playlists are published."})
    playlist.status = Playlist.Status.PUBLISHED if published else Playlist.Status.DRAFT
    playlist.published_at = timezone.now() if published else None
    playlist.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(
        actor=user,
        code="trellis.discovery.playlist_published"
        if published
        else "trellis.discovery.playlist_unpublished",
        target=playlist,
    )
    return playlist


@transaction.atomic
def playlist_follow(*, user: Any, playlist: Playlist, follow: bool = True) -> bool:
    """Follow (or stop following) a playlist the person can see. Returns whether they follow it."""
    me = _me(user)
    if me is None:
        raise PermissionDenied("Following needs an employee record.")
    get_playlist_for_user(user=user, uid=playlist.uid)  # 404 unless visible
    if follow:
        PlaylistFollow.objects.get_or_create(playlist=playlist, employee=me)
    else:
        PlaylistFollow.objects.filter(playlist=playlist, employee=me).delete()
    return follow
