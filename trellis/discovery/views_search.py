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
from trellis.catalog.partials import render_partial
from trellis.discovery import search as search_service


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


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
            user=request.user, query=query, filters=filters, page=_page(request), typing=True
        )
    keep = request.GET.copy()
    keep.pop("page", None)
    context: dict[str, Any] = {
        "nav_active": "discover",
        "query": query,
        "filters": filters,
        "filter_errors": parsed.errors,
        "results": results,
        "querystring": keep.urlencode(),
        "skill": _skill(filters.skill),
    }
    if _is_partial(request):
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
    if _is_partial(request):
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
