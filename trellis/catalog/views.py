"""Catalog pages: browse and filter, one item, and the L&D admin's editing pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from trellis.catalog import selectors, services
from trellis.catalog.forms import ItemForm, ItemSkillForm, ProviderForm
from trellis.catalog.models import Item, Provider
from trellis.core.permissions import Role, role_required
from trellis.core.web import is_partial, render_partial
from trellis.lrs.progress_views import learning_panel
from trellis.skills.models import Skill

BODY_COLLAPSE_CHARS = 1500
SKILL_SEARCH_LIMIT = 15


def _per_page(request: HttpRequest) -> int:
    raw = request.GET.get("per_page", "")
    return (
        int(raw)
        if raw.isdigit() and int(raw) in selectors.PER_PAGE_CHOICES
        else selectors.DEFAULT_PER_PAGE
    )


def item_list(request: HttpRequest) -> HttpResponse:
    """/catalog/: every signed-in person browses. With htmx, only the results region is returned."""
    parsed = selectors.item_filters_parse(request.GET)
    filters = parsed.filters
    per_page = _per_page(request)
    page = Paginator(selectors.item_list(filters=filters), per_page).get_page(
        request.GET.get("page")
    )
    keep = request.GET.copy()
    keep.pop("page", None)
    context: dict[str, Any] = {
        "nav_active": "catalog",
        "page": page,
        "items": list(page.object_list),
        "filters": filters,
        "filter_errors": parsed.errors,
        "per_page": per_page,
        "per_page_choices": selectors.PER_PAGE_CHOICES,
        "sorts": [(key, label) for key, (label, _) in selectors.SORTS.items()],
        "querystring": keep.urlencode(),
        "skill": Skill.objects.filter(pk=filters.skill).first() if filters.skill else None,
    }
    if is_partial(request):
        response = render_partial(request, "catalog/item_list.html#results", context)
    else:
        context["facets"] = selectors.item_facets(filters=filters)
        response = render(request, "catalog/item_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def item_detail(request: HttpRequest, uid: str) -> HttpResponse:
    item = selectors.item_get_for_user(uid=uid, user=request.user)
    siblings = selectors.item_collection_siblings(item=item)
    index = next((i for i, s in enumerate(siblings) if s["uid"] == item.uid), None)
    previous_item = siblings[index - 1] if index is not None and index > 0 else None
    next_item = siblings[index + 1] if index is not None and index + 1 < len(siblings) else None
    return render(
        request,
        "catalog/item_detail.html",
        {
            "nav_active": "catalog",
            "item": item,
            "learning": learning_panel(user=request.user, item=item),
            "links": list(item.skill_links.all()),
            "siblings": siblings,
            "previous_item": previous_item,
            "next_item": next_item,
            "collapse_body": len(item.body) > BODY_COLLAPSE_CHARS,
            # OpenStax descriptions are the objectives joined: do not show them twice.
            "show_description": bool(item.description)
            and item.description != "; ".join(item.learning_objectives or []),
        },
    )


def _apply_validation_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(Role.LD_ADMIN)
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(
                actor=request.user, provider=form.cleaned_data["provider"], data=form.item_data()
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, f"Created “{item.title}”.")
            return redirect("catalog:item_edit", uid=item.uid)
    return render(
        request, "catalog/item_form.html", {"nav_active": "catalog", "form": form, "item": None}
    )


def _skills_editor_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    query = request.GET.get("skill_q", "").strip()[:100]
    links = list(item.skill_links.select_related("skill").order_by("-weight", "skill__label"))
    results: list[Skill] = []
    if len(query) >= 2:
        tagged = {link.skill_id for link in links}
        results = [
            s
            for s in Skill.objects.filter(label__icontains=query).order_by("label")[
                : SKILL_SEARCH_LIMIT + len(tagged)
            ]
            if s.pk not in tagged
        ][:SKILL_SEARCH_LIMIT]
    return {"item": item, "links": links, "skill_q": query, "skill_results": results}


@role_required(Role.LD_ADMIN)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, uid: str) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("provider"), uid=uid)
    if request.method == "GET" and is_partial(request) and "skill_q" in request.GET:
        response = render_partial(
            request, "catalog/item_form.html#skills_editor", _skills_editor_context(request, item)
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                item=item,
                actor=request.user,
                data=form.item_data(),
                provider=form.cleaned_data["provider"],
            )
        except ValidationError as error:
            item.refresh_from_db()
            _apply_validation_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("catalog:item_edit", uid=item.uid)
    context = {"nav_active": "catalog", "form": form, **_skills_editor_context(request, item)}
    response = render(
        request, "catalog/item_form.html", context, status=400 if form.errors else 200
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(Role.LD_ADMIN)
@require_POST
def item_skills(request: HttpRequest, uid: str) -> HttpResponse:
    """Add, re-weight (action=set) or remove (action=remove) one skill tag; htmx gets the editor back."""
    item = get_object_or_404(Item, uid=uid)
    form = ItemSkillForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())
    else:
        skill = Skill.objects.filter(pk=form.cleaned_data["skill"]).first()
        if skill is None:
            error = "skill: no such skill"
        elif request.POST.get("action") == "remove":
            services.item_skill_remove(item=item, skill=skill, actor=request.user)
        else:
            services.item_skill_set(
                item=item, skill=skill, weight=form.cleaned_data["weight"], actor=request.user
            )
    if is_partial(request):
        context = _skills_editor_context(request, item)
        context["skill_error"] = error
        return render_partial(
            request, "catalog/item_form.html#skills_editor", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("catalog:item_edit", kwargs={"uid": item.uid}) + "#skills")


@role_required(Role.LD_ADMIN)
@require_http_methods(["GET", "POST"])
def provider_list(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, f"Added {provider.name}.")
            return redirect("catalog:providers")
    return render(
        request,
        "catalog/provider_list.html",
        {"nav_active": "catalog", "providers": selectors.provider_list(), "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.LD_ADMIN)
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(Provider, slug=slug)
    form = ProviderForm(request.POST or None, instance=Provider.objects.get(pk=provider.pk))
    form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.PROVIDER_EDITABLE_FIELDS}
        try:
            services.provider_update(provider=provider, actor=request.user, data=data)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("catalog:providers")
    return render(
        request,
        "catalog/provider_form.html",
        {"nav_active": "catalog", "provider": provider, "form": form},
        status=400 if form.errors else 200,
    )
