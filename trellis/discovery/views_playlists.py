"""Playlist pages. Each view: parse input, fetch with a permission check (404 when the playlist is
not visible, 403 when it is visible but not editable), call one service, render.

Reordering works three ways with one service each: "Move up" / "Move down" buttons (plain forms
without JavaScript; with htmx they swap the list and keep the keyboard focus on the moved item),
and drag and drop (``static/discovery/playlist-reorder.js`` posts the new order)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trellis.catalog.models import Item
from trellis.core.permissions import Role, has_role
from trellis.core.web import form_errors
from trellis.discovery import playlists as service
from trellis.discovery.models import Playlist
from trellis.people.models import Department, Employee, Group, JobRole, Location
from trellis.people.selectors import employee_for_user


def _emails(text: str) -> list[Employee]:
    wanted = [v.lower() for v in re.split(r"[\s,;]+", text.strip()) if v]
    found = {e.email.lower(): e for e in Employee.objects.filter(email__in=wanted, is_active=True)}
    missing = [w for w in wanted if w not in {k.lower() for k in found}]
    if missing:
        raise forms.ValidationError(f"No colleague has the email {', '.join(missing)}.")
    return [found[w] for w in dict.fromkeys(wanted)]


def _employee_ids(text: str) -> list[Employee]:
    ids = [v for v in re.split(r"[\s,;]+", text.strip()) if v]
    found = {e.employee_id: e for e in Employee.objects.filter(employee_id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise forms.ValidationError(f"No employee has the id(s) {', '.join(missing)}.")
    return [found[i] for i in ids]


class PlaylistForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    sharing = forms.ChoiceField(
        choices=Playlist.Sharing.choices,
        initial=Playlist.Sharing.PRIVATE,
        widget=forms.RadioSelect,
        label="Who sees it",
    )
    shared_with = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="People (their work emails)",
        help_text="Used when “People I name” is chosen; they find it under “Shared with me”.",
    )

    def clean_shared_with(self) -> list[Employee]:
        return _emails(self.cleaned_data["shared_with"])


class AudienceForm(forms.Form):
    """One audience rule plus include/exclude lists: the programs' criteria."""

    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.order_by("path"),
        required=False,
        help_text="With their sub-departments",
    )
    job_roles = forms.ModelMultipleChoiceField(
        queryset=JobRole.objects.order_by("title"), required=False
    )
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.order_by("name"), required=False
    )
    groups = forms.ModelMultipleChoiceField(queryset=Group.objects.order_by("name"), required=False)
    managers = forms.CharField(required=False, label="Everyone under these managers (employee ids)")
    hired_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hired_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    everyone = forms.BooleanField(
        required=False, label="Everyone (a rule with no criterion matches every active person)"
    )
    include = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Always include (employee ids)",
    )
    exclude = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Always exclude (employee ids)",
    )

    def clean_managers(self) -> list[Employee]:
        return _employee_ids(self.cleaned_data["managers"])

    def clean_include(self) -> list[Employee]:
        return _employee_ids(self.cleaned_data["include"])

    def clean_exclude(self) -> list[Employee]:
        return _employee_ids(self.cleaned_data["exclude"])

    def rules(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        rule = {
            k: d[k]
            for k in (
                "departments",
                "job_roles",
                "locations",
                "groups",
                "managers",
                "hired_from",
                "hired_to",
            )
            if d[k]
        }
        return [rule] if rule or d["everyone"] else []

    @classmethod
    def initial_for(cls, playlist: Playlist) -> dict[str, Any]:
        rule = playlist.rules.first()
        out: dict[str, Any] = {
            "include": " ".join(playlist.included.values_list("employee_id", flat=True)),
            "exclude": " ".join(playlist.excluded.values_list("employee_id", flat=True)),
        }
        if rule is not None:
            out.update(
                departments=list(rule.departments.all()),
                job_roles=list(rule.job_roles.all()),
                locations=list(rule.locations.all()),
                groups=list(rule.groups.all()),
                managers=" ".join(rule.managers.values_list("employee_id", flat=True)),
                hired_from=rule.hired_from,
                hired_to=rule.hired_to,
                everyone=not any(
                    [
                        rule.departments.exists(),
                        rule.job_roles.exists(),
                        rule.locations.exists(),
                        rule.groups.exists(),
                        rule.managers.exists(),
                        rule.hired_from,
                        rule.hired_to,
                    ]
                ),
            )
        return out


def _vary(response: HttpResponse) -> HttpResponse:
    response["Vary"] = "HX-Request"
    return response


def playlist_list(request: HttpRequest) -> HttpResponse:
    home = service.playlists_home(user=request.user)
    return render(
        request,
        "discovery/playlists.html",
        {
            "home": home,
            "form": PlaylistForm(),
            "can_curate": has_role(request.user, Role.LD_ADMIN),
            "has_employee": employee_for_user(request.user) is not None,
            "nav_active": "discover",
        },
    )


@require_POST
def playlist_new(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", Playlist.Kind.PERSONAL)
    form = PlaylistForm(request.POST)
    if form.is_valid():
        try:
            playlist = service.playlist_create(
                user=request.user,
                kind=kind,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                sharing=form.cleaned_data["sharing"],
            )
            if playlist.kind == Playlist.Kind.PERSONAL and form.cleaned_data["shared_with"]:
                service.playlist_update(
                    user=request.user,
                    playlist=playlist,
                    title=playlist.title,
                    description=playlist.description,
                    shared_with=form.cleaned_data["shared_with"],
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"Created “{playlist.title}”. Add items from the catalog below."
            )
            return redirect("discovery:playlist", uid=playlist.uid)
    home = service.playlists_home(user=request.user)
    return render(
        request,
        "discovery/playlists.html",
        {
            "home": home,
            "form": form,
            "can_curate": has_role(request.user, Role.LD_ADMIN),
            "has_employee": employee_for_user(request.user) is not None,
            "nav_active": "discover",
        },
        status=400,
    )


def _detail_context(
    request: HttpRequest, playlist: Playlist, can_edit: bool, **extra: Any
) -> dict[str, Any]:
    me = employee_for_user(request.user)
    q = request.GET.get("q", "")
    context: dict[str, Any] = {
        "playlist": playlist,
        "can_edit": can_edit,
        "entries": service.playlist_entries(playlist=playlist),
        "following": service.is_following(playlist=playlist, employee=me),
        "is_owner": me is not None and playlist.owner_id == me.pk,
        "q": q,
        "found": service.playlist_item_search(playlist=playlist, q=q) if can_edit else [],
        "share_url": request.build_absolute_uri(reverse("discovery:playlist", args=[playlist.uid])),
        "nav_active": "discover",
    }
    if can_edit and not playlist.is_curated:
        context["edit_form"] = PlaylistForm(
            initial={
                "title": playlist.title,
                "description": playlist.description,
                "sharing": playlist.sharing,
                "shared_with": " ".join(e.email for e in playlist.shared_with.all()),
            }
        )
    if playlist.is_curated and can_edit:
        context["audience_count"] = service.playlist_audience_count(playlist=playlist)
        context["edit_form"] = PlaylistForm(
            initial={"title": playlist.title, "description": playlist.description}
        )
    context.update(extra)
    return context


def playlist_detail(request: HttpRequest, uid: str) -> HttpResponse:
    playlist, can_edit = service.get_playlist_for_user(user=request.user, uid=uid)
    return _vary(
        render(
            request, "discovery/playlist_detail.html", _detail_context(request, playlist, can_edit)
        )
    )


def _editable(request: HttpRequest, uid: str) -> Playlist:
    playlist, can_edit = service.get_playlist_for_user(user=request.user, uid=uid)
    if not can_edit:
        raise PermissionDenied("Only the owner edits a personal playlist; L&D edits curated ones.")
    return playlist


def _back(playlist: Playlist, anchor: str = "") -> HttpResponse:
    return redirect(reverse("discovery:playlist", args=[playlist.uid]) + anchor)


@require_POST
def playlist_edit(request: HttpRequest, uid: str) -> HttpResponse:
    playlist = _editable(request, uid)
    form = PlaylistForm(request.POST)
    if not playlist.is_curated and not form.is_valid():
        return render(
            request,
            "discovery/playlist_detail.html",
            _detail_context(request, playlist, True, edit_form=form),
            status=400,
        )
    if playlist.is_curated:
        form.is_valid()
        if form.errors.get("title"):
            messages.error(request, "Give the playlist a title.")
            return _back(playlist)
    d = form.cleaned_data
    try:
        service.playlist_update(
            user=request.user,
            playlist=playlist,
            title=d.get("title", playlist.title),
            description=d.get("description", ""),
            sharing=None if playlist.is_curated else d["sharing"],
            shared_with=None if playlist.is_curated else d["shared_with"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Saved.")
    return _back(playlist)


@require_POST
def playlist_delete(request: HttpRequest, uid: str) -> HttpResponse:
    playlist = _editable(request, uid)
    title = playlist.title
    service.playlist_delete(user=request.user, playlist=playlist)
    messages.success(request, f"Deleted “{title}”.")
    return redirect("discovery:playlists")


@require_POST
def playlist_add(request: HttpRequest, uid: str) -> HttpResponse:
    playlist = _editable(request, uid)
    value = request.POST.get("item", "")
    item = get_object_or_404(Item, pk=int(value)) if value.isdigit() else None
    if item is None:
        messages.error(request, "Choose an item to add.")
        return _back(playlist)
    try:
        service.playlist_item_add(
            user=request.user, playlist=playlist, item=item, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Added “{item.title}”.")
    return _back(playlist, "#entries")


def _entries_response(
    request: HttpRequest, playlist: Playlist, *, focus: str = "", announce: str = ""
) -> HttpResponse:
    context = _detail_context(request, playlist, True, focus=focus, announce=announce)
    return _vary(render(request, "discovery/playlist_detail.html#entries", context))


@require_POST
def playlist_remove(request: HttpRequest, uid: str, entry_id: int) -> HttpResponse:
    playlist = _editable(request, uid)
    service.playlist_item_remove(user=request.user, playlist=playlist, entry_id=entry_id)
    if request.htmx:  # type: ignore[attr-defined]
        return _entries_response(request, playlist, announce="Removed.")
    messages.success(request, "Removed.")
    return _back(playlist, "#entries")


@require_POST
def playlist_move(request: HttpRequest, uid: str, entry_id: int) -> HttpResponse:
    playlist = _editable(request, uid)
    direction = request.POST.get("direction", "")
    try:
        position, count = service.playlist_item_move(
            user=request.user, playlist=playlist, entry_id=entry_id, direction=direction
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(playlist, "#entries")
    announce = f"Moved to position {position} of {count}."
    if request.htmx:  # type: ignore[attr-defined]
        # keep the focus on the same button, or on the other one at either end of the list
        if direction in ("up", "top"):
            focus = "up" if position > 1 else "down"
        else:
            focus = "down" if position < count else "up"
        return _entries_response(
            request, playlist, focus=f"move-{focus}-{entry_id}", announce=announce
        )
    messages.success(request, announce)
    return _back(playlist, f"#entry-{entry_id}")


@require_POST
def playlist_reorder(request: HttpRequest, uid: str) -> HttpResponse:
    playlist = _editable(request, uid)
    raw = request.POST.get("order", "")
    ids = [int(v) for v in raw.split(",") if v.strip().isdigit()]
    try:
        service.playlist_reorder(user=request.user, playlist=playlist, entry_ids=ids)
    except ValidationError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            response = _entries_response(request, playlist, announce=" ".join(exc.messages))
            response.status_code = 400
            return response
        messages.error(request, " ".join(exc.messages))
        return _back(playlist, "#entries")
    if request.htmx:  # type: ignore[attr-defined]
        return _entries_response(request, playlist, announce="New order saved.")
    messages.success(request, "New order saved.")
    return _back(playlist, "#entries")


@require_POST
def playlist_follow(request: HttpRequest, uid: str) -> HttpResponse:
    playlist, _can_edit = service.get_playlist_for_user(user=request.user, uid=uid)
    follow = request.POST.get("follow", "1") == "1"
    service.playlist_follow(user=request.user, playlist=playlist, follow=follow)
    messages.success(
        request,
        f"You follow “{playlist.title}”."
        if follow
        else f"You no longer follow “{playlist.title}”.",
    )
    return _back(playlist)


@require_POST
def playlist_publish(request: HttpRequest, uid: str) -> HttpResponse:
    playlist = _editable(request, uid)
    publish = request.POST.get("publish", "1") == "1"
    try:
        service.playlist_publish(user=request.user, playlist=playlist, published=publish)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Published." if publish else "Back to draft: only L&D sees it.")
    return _back(playlist)


def playlist_audience(request: HttpRequest, uid: str) -> HttpResponse:
    playlist = _editable(request, uid)
    if not playlist.is_curated:
        raise PermissionDenied("Only curated playlists have an audience.")
    if request.method == "POST":
        form = AudienceForm(request.POST)
        if form.is_valid():
            try:
                service.playlist_audience_set(
                    user=request.user,
                    playlist=playlist,
                    rules=form.rules(),
                    include=form.cleaned_data["include"],
                    exclude=form.cleaned_data["exclude"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                count = service.playlist_audience_count(playlist=playlist)
                messages.success(request, f"Audience saved: {count} people.")
                return _back(playlist)
    else:
        form = AudienceForm(initial=AudienceForm.initial_for(playlist))
    return render(
        request,
        "discovery/playlist_audience.html",
        {
            "playlist": playlist,
            "form": form,
            "audience_count": service.playlist_audience_count(playlist=playlist),
            "nav_active": "discover",
        },
    )
