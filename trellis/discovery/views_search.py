"""Search, ask and skill-tagging pages (``/discover/search/``, ``/discover/ask/``, ``/discover/tags/``).

Searches and questions are not stored: nothing of what a person types is recorded or logged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from trellis.catalog import selectors as catalog_selectors
from trellis.catalog.models import Item
from trellis.core.web import is_partial, render_partial
from trellis.discovery import search as search_service


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1000 else 1


def _filter_options(filters: catalog_selectors.ItemFilters) -> dict[str, list[dict[str, Any]]]:
    """The catalog's filter choices (without counts: they would be the catalog's, not the results')."""
    facets = catalog_selectors.item_facets(filters=catalog_selectors.ItemFilters())
    return {
        "format": [
            {"value": o["value"], "label": o["label"], "selected": o["value"] in filters.formats}
            for o in facets["format"]
        ],
        "level": [
            {"value": v, "label": label, "selected": v in filters.levels}
            for v, label in Item.Level.choices
        ],
        "duration": [
            {"value": key, "label": label, "selected": key in filters.durations}
            for key, (label, _, _) in catalog_selectors.DURATION_BUCKETS.items()
        ],
        "language": [
            {"value": o["value"], "label": o["label"], "selected": o["selected"]}
            for o in facets["language"]
        ],
        "provider": [
            {"value": o["value"], "label": o["label"], "selected": o["value"] == filters.provider}
            for o in facets["provider"]
        ],
    }


def search(request: HttpRequest) -> HttpResponse:
    """Everyone signed in. Results as you type with htmx (``#search-results``); a plain GET form
    without JavaScript."""
    parsed = catalog_selectors.item_filters_parse(request.GET)
    filters = parsed.filters
    query = filters.q
    results = None
    if query.strip():
        results = search_service.search_items(
            user=request.user,
            query=query,
            filters=filters,
            page=_page(request),
            typing=True,
            correct=request.GET.get("exact") != "1",
        )
    keep = request.GET.copy()
    keep.pop("page", None)
    exact = keep.copy()
    exact["exact"] = "1"
    context: dict[str, Any] = {
        "nav_active": "discover",
        "query": query,
        "exact_querystring": exact.urlencode(),
        "filters": filters,
        "filter_errors": parsed.errors,
        "results": results,
        "querystring": keep.urlencode(),
        "skill": _skill(filters.skill),
    }
    if is_partial(request):
        response = render_partial(request, "discovery/search.html#results", context)
    else:
        context["options"] = _filter_options(filters)
        response = render(request, "discovery/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _skill(skill_id: int | None) -> Any:
    if not skill_id:
        return None
    from trellis.skills.models import Skill

    return Skill.objects.filter(pk=skill_id).first()


def ask(request: HttpRequest) -> HttpResponse:
    """Everyone signed in: ``?q=`` a question -> an answer with its citations (GET, so a question
    can be linked to and works without JavaScript; htmx swaps ``#ask-result``)."""
    from trellis.discovery import ask as ask_service

    question = request.GET.get("q", "").strip()[:300]
    result = ask_service.ask(user=request.user, question=question) if question else None
    context = {
        "nav_active": "discover",
        "question": question,
        "result": result,
        "llm": ask_service.llm_enabled(),
    }
    if is_partial(request):
        response = render_partial(request, "discovery/ask.html#answer", context)
    else:
        response = render(request, "discovery/ask.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def passage(request: HttpRequest, passage_id: int) -> HttpResponse:
    """A cited passage in its item's text (published items only; others answer 404)."""
    from django.http import Http404

    from trellis.discovery.models import SearchPassage

    found = (
        SearchPassage.objects.select_related("item", "item__provider")
        .filter(pk=passage_id, item__is_published=True)
        .first()
    )
    if found is None:
        raise Http404("No such passage")
    around = list(
        SearchPassage.objects.filter(
            item_id=found.item_id,
            position__gte=found.position - 1,
            position__lte=found.position + 1,
        ).order_by("position")
    )
    return render(
        request,
        "discovery/ask_passage.html",
        {
            "nav_active": "discover",
            "passage": found,
            "item": found.item,
            "around": around,
            "question": request.GET.get("q", "")[:300],
        },
    )


# --- automatic skill tagging: L&D's review queue and the coverage report ----------------------

TAG_PAGE_SIZE = 50


def _tagging_views() -> Any:
    from trellis.core.permissions import ORG_READERS, Role, role_required

    return ORG_READERS, Role, role_required


_ORG_READERS, _Role, _role_required = _tagging_views()


@_role_required(_Role.LD_ADMIN)
def tag_queue(request: HttpRequest) -> HttpResponse:
    """L&D admins: suggested skills to accept or reject, best first (``?status=`` to see decided)."""
    from django.core.paginator import Paginator

    from trellis.discovery import tagging
    from trellis.discovery.models import TagSuggestion

    status = request.GET.get("status", TagSuggestion.Status.PENDING)
    if status not in TagSuggestion.Status.values:
        status = TagSuggestion.Status.PENDING
    page = Paginator(tagging.tag_queue(status=status), TAG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "discovery/tagging_queue.html",
        {
            "nav_active": "admin",
            "page": page,
            "suggestions": list(page.object_list),
            "status": status,
            "statuses": TagSuggestion.Status.choices,
            "coverage": tagging.tagging_coverage(),
        },
    )


@_role_required(_Role.LD_ADMIN)
def tag_decide(request: HttpRequest, suggestion_id: int, decision: str) -> HttpResponse:
    """POST: accept or reject one suggestion. htmx gets the updated row; a plain form is redirected."""
    from django.contrib import messages
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import get_object_or_404, redirect

    from trellis.discovery import tagging
    from trellis.discovery.models import TagSuggestion

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    suggestion = get_object_or_404(
        TagSuggestion.objects.select_related("item", "skill"),
        pk=suggestion_id,
        status=TagSuggestion.Status.PENDING,
    )
    if decision == "accept":
        tagging.tag_suggestion_accept(suggestion=suggestion, actor=request.user)
    else:
        tagging.tag_suggestion_reject(suggestion=suggestion, actor=request.user)
    suggestion.refresh_from_db()
    if is_partial(request):
        return render_partial(request, "discovery/tagging_queue.html#row", {"s": suggestion})
    verb = "Accepted" if decision == "accept" else "Rejected"
    messages.success(request, f"{verb}: {suggestion.skill.label} for {suggestion.item.title}.")
    return redirect("discovery:tag_queue")


@_role_required(_Role.LD_ADMIN)
def tag_refresh(request: HttpRequest) -> HttpResponse:
    """POST: recompute the suggestions of the whole catalog in the background."""
    from django.contrib import messages
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import redirect

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    search_service.search_enrich_task.enqueue()
    messages.success(request, "Suggestions are being refreshed in the background.")
    return redirect("discovery:tag_queue")


@_role_required(*_ORG_READERS)
def tag_coverage(request: HttpRequest) -> HttpResponse:
    """L&D, executives and auditors: how much of the catalog is mapped to skills, and by whom."""
    from trellis.discovery import tagging

    return render(
        request,
        "discovery/tagging_coverage.html",
        {"nav_active": "admin", "coverage": tagging.tagging_coverage()},
    )
