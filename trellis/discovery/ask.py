"""Ask: a question in plain words -> the best passages of the catalog, with citations, and a short
answer (extractive by default; written by a configured language model from the cited passages only).

Retrieval: the question's plan (typo correction, synonyms) runs on the passages' full-text index and
on the item vectors; a passage's rank is the reciprocal rank fusion of its own full-text rank and
the semantic rank of its item. Only passages of published items are indexed, so a learner never
sees text they could not open in the catalog.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from trellis.catalog.models import Item
from trellis.discovery import search as search_service
from trellis.discovery.engine import ask as engine
from trellis.discovery.engine import text as textmod
from trellis.discovery.engine.search import RRF_K, QueryPlan, plan_query
from trellis.discovery.models import SearchPassage

logger = logging.getLogger(__name__)

#: Passages shown as citations, and at most this many from one item.
CITATIONS = 5
CITATIONS_PER_ITEM = 2
#: Passages taken from full-text search, and items taken from the vectors, before fusion.
LEXICAL_PASSAGES = 40
SEMANTIC_ITEMS = 6
#: A semantic item contributes its best passages (by the question's words) up to this number.
PASSAGES_PER_SEMANTIC_ITEM = 2


@dataclass
class Citation:
    number: int
    passage: SearchPassage
    item: Item
    snippet: str

    @property
    def section(self) -> str:
        return " · ".join(p for p in [self.item.collection, self.item.section] if p)


@dataclass
class AskResult:
    question: str
    plan: QueryPlan
    answer: str
    answer_source: str  # "extractive", "llm", "none"
    answer_citation: int | None
    confident: bool
    not_found: bool
    citations: list[Citation] = field(default_factory=list)
    note: str = ""
    elapsed_ms: float = 0.0


def llm_enabled() -> bool:
    return bool(settings.TRELLIS_LLM_URL)


def _lexical_passages(plan: QueryPlan, limit: int = LEXICAL_PASSAGES) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        if search_service.is_postgres():
            query = search_service._tsquery(plan)
            if not query:
                return []
            cursor.execute(
                "SELECT p.id, ts_rank_cd(p.search_vector, q, 1) AS score "  # noqa: S608
                "FROM discovery_searchpassage p, to_tsquery('english', %s) q "
                f"WHERE p.search_vector @@ q ORDER BY score DESC, p.id LIMIT {int(limit)}",
                [query],
            )
        else:
            match = search_service._fts5_match(plan)
            if not match:
                return []
            cursor.execute(
                "SELECT rowid, -bm25(discovery_passage_fts, 2.0, 1.0) AS score "  # noqa: S608
                "FROM discovery_passage_fts WHERE discovery_passage_fts MATCH %s "
                f"ORDER BY score DESC, rowid LIMIT {int(limit)}",
                [match],
            )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def _overlap(text: str, terms: set[str]) -> int:
    return len(terms & set(textmod.terms(text)))


def passages_rank(plan: QueryPlan) -> list[int]:
    """Passage ids, best first."""
    state = search_service.search_state()
    lexical = _lexical_passages(plan)
    semantic_items = search_service.semantic_items(plan, state, limit=SEMANTIC_ITEMS)
    scores: dict[int, float] = {}
    for rank, (pid, _) in enumerate(lexical, start=1):
        scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    if semantic_items:
        item_rank = {item_id: rank for rank, (item_id, _) in enumerate(semantic_items, start=1)}
        terms = set(plan.terms)
        by_item: dict[int, list[tuple[int, str]]] = {}
        for pid, item_id, text in SearchPassage.objects.filter(
            item_id__in=list(item_rank)
        ).values_list("id", "item_id", "text"):
            by_item.setdefault(item_id, []).append((pid, text))
        lexical_ids = {pid for pid, _ in lexical}
        for item_id, rank in item_rank.items():
            passages = sorted(
                by_item.get(item_id, []), key=lambda p: (-_overlap(p[1], terms), p[0])
            )
            # the item's passages already found by their words get the item's semantic rank too
            chosen = [p for p in passages if p[0] in lexical_ids] or passages[
                :PASSAGES_PER_SEMANTIC_ITEM
            ]
            for pid, _ in chosen[:PASSAGES_PER_SEMANTIC_ITEM]:
                scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    return [pid for pid, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def _idf(state: Any) -> Any:
    total = max(len(state.words), 1)
    counts = state.counts

    def idf(term: str) -> float:
        return math.log(1 + total / (1 + counts.get(term, 0)))

    return idf


def ask(*, user: Any, question: str) -> AskResult:
    """Answer ``question`` for ``user`` from the published catalog. Nothing is stored."""
    started = time.perf_counter()
    state = search_service.search_state()
    plan = plan_query(question, state.vocabulary)
    result = AskResult(
        question=question.strip(),
        plan=plan,
        answer="",
        answer_source="none",
        answer_citation=None,
        confident=False,
        not_found=True,
    )
    if plan.is_empty:
        return result
    ranked = passages_rank(plan)[: CITATIONS * 4]
    passages = {
        p.pk: p
        for p in SearchPassage.objects.filter(
            id__in=ranked, item__is_published=True
        ).select_related("item", "item__provider")
    }
    ordered = []
    per_item: dict[int, int] = {}
    for pid in ranked:  # at most PER_ITEM passages of one item: the sources show several items
        p = passages.get(pid)
        if p is None or per_item.get(p.item_id, 0) >= CITATIONS_PER_ITEM:
            continue
        per_item[p.item_id] = per_item.get(p.item_id, 0) + 1
        ordered.append(p)
        if len(ordered) == CITATIONS:
            break
    terms = plan.terms
    result.citations = [
        Citation(
            number=i,
            passage=p,
            item=p.item,
            snippet=textmod.snippet(p.text, terms, width=300),
        )
        for i, p in enumerate(ordered, start=1)
    ]
    inputs = [
        engine.PassageIn(key=p.pk, text=p.text, title=p.item.title, heading=p.heading)
        for p in ordered
    ]
    if not inputs:
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result
    encode = None
    if search_service.embeddings_enabled():
        encode = search_service.encoder().encode
    try:
        answer = engine.extractive_answer(
            plan.corrected_text, inputs, _idf(_term_counts(state)), encode=encode
        )
    except Exception:  # the embedding service may fail: answer by words alone
        logger.warning("sentence embedding failed; answering by words", exc_info=True)
        answer = engine.extractive_answer(plan.corrected_text, inputs, _idf(_term_counts(state)))
    if answer is not None:
        result.answer = answer.text
        result.answer_source = "extractive"
        result.confident = answer.confident
        result.not_found = not answer.confident
        result.answer_citation = next(
            (c.number for c in result.citations if c.passage.pk == answer.passage_key), None
        )
    if llm_enabled():
        _llm(result, inputs)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


@dataclass
class _Counts:
    words: dict[int, Any]
    counts: dict[str, int]


def _term_counts(state: Any) -> _Counts:
    """Document frequencies by stemmed term (the vocabulary counts words)."""
    cached = getattr(state, "_stem_counts", None)
    if cached is not None and cached[0] == state.version:
        return cached[1]
    counts: dict[str, int] = {}
    for word, n in state.counts.items():
        stem = textmod.stem(word)
        counts[stem] = max(counts.get(stem, 0), n)
    value = _Counts(words=state.words, counts=counts)
    state._stem_counts = (state.version, value)
    return value


def _llm(result: AskResult, inputs: list[engine.PassageIn]) -> None:
    try:
        written = engine.llm_answer(
            result.question,
            inputs,
            url=settings.TRELLIS_LLM_URL,
            api_key=settings.TRELLIS_LLM_API_KEY,
            model=settings.TRELLIS_LLM_MODEL,
            timeout=settings.TRELLIS_LLM_TIMEOUT,
        )
    except engine.LLMError:
        logger.warning("language model failed; showing the extractive answer", exc_info=True)
        result.note = "The language model did not answer; this answer is taken from the passages."
        return
    if written.not_found:
        result.answer = ""
        result.answer_source = "llm"
        result.not_found = True
        result.confident = False
        result.answer_citation = None
        result.note = "The cited passages do not contain the answer to this question."
        return
    result.answer = written.text
    result.answer_source = "llm"
    result.not_found = False
    result.confident = True
    result.answer_citation = written.cited[0] if written.cited else None
