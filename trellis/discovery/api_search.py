"""Search and ask (/api/v1/discovery/search, /ask): everyone signed in; nothing stored."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from trellis.catalog import selectors as catalog_selectors
from trellis.catalog.schemas import ItemQuery
from trellis.discovery.api_common import (
    ItemRefOut,
    item_ref,
    read_access,
)

router = Router(tags=["discovery"])


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

    read_access(request)
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
                "item": item_ref(h.item),
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

    read_access(request)
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
                "item": item_ref(c.item),
                "passage_url": reverse("discovery:passage", args=[c.passage.pk]),
            }
            for c in result.citations
        ],
    }
