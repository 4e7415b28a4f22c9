"""Search over the catalog: the index (kept in sync from catalog changes) and the hybrid query.

- ``search_index_update(item_ids=)`` writes the search documents and passages of these items (and
  removes those of unpublished or deleted items); ``search_index_rebuild()`` does every item.
- ``search_vectors_update()`` embeds the documents whose text changed since they were embedded.
- ``search_items(user=, query=, filters=)`` plans the query (typo correction, synonyms from the
  skills' alternative labels, the word being typed as a prefix), ranks with the database's full-text
  search and with the item vectors, fuses both rankings (a linear blend, 0.7 lexical: see
  ``engine/search.py``) and returns the visible items.

Full text: SQLite FTS5 (``discovery_search_fts``, ``discovery_passage_fts``) on SQLite, a generated
``tsvector`` column with a GIN index on PostgreSQL. Vectors: exact cosine in process with numpy on
both (pgvector is not packaged for this Debian, so it is not used; see the README).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TextIO

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from trellis.catalog import selectors as catalog_selectors
from trellis.catalog.models import Item, ItemSkill
from trellis.discovery.engine import embeddings
from trellis.discovery.engine import text as textmod
from trellis.discovery.engine.lexical import Corrector, Synonyms
from trellis.discovery.engine.search import (
    CANDIDATES,
    Fused,
    QueryPlan,
    Vocabulary,
    fuse,
    plan_query,
)
from trellis.discovery.engine.vectors import VectorIndex
from trellis.discovery.models import SearchDocument, SearchPassage

logger = logging.getLogger(__name__)

#: Semantic hits below this cosine are dropped (all-MiniLM-L6-v2: unrelated texts score ~0-0.15).
SEMANTIC_MIN_SCORE = 0.2
#: Words of the body offered as corrections (the start of the text, where its topic is named).
VOCABULARY_BODY_WORDS = 300
#: Characters of an item's text embedded (title first; the model reads 128 tokens anyway).
EMBED_CHARS = 1200
#: How often a process checks whether the index changed, in seconds.
STATE_CHECK_SECONDS = 1.0
#: How often a process checks whether the taxonomy's labels (synonyms) changed, in seconds.
SYNONYMS_TTL = 60.0
#: Documents stamped this long before the last one seen are re-read when the index changes.
REFRESH_MARGIN = dt.timedelta(seconds=60)
PER_PAGE = 20
#: Weight of the synonyms' full-text scores against the query's own words (both divided by their best).
SYNONYM_WEIGHT = 0.5
#: Characters of an item's body read for its result snippet (the whole body can be 50 kB).
SNIPPET_SOURCE_CHARS = 4000


# --- configuration -----------------------------------------------------------------------------


def embeddings_enabled() -> bool:
    return bool(settings.TRELLIS_EMBEDDING_URL) or settings.TRELLIS_EMBEDDING_MODEL != "off"


def encoder() -> embeddings.Encoder:
    if settings.TRELLIS_EMBEDDING_URL:
        return embeddings.encoder_get(
            "service",
            url=settings.TRELLIS_EMBEDDING_URL,
            model=settings.TRELLIS_EMBEDDING_SERVICE_MODEL,
            api_key=settings.TRELLIS_EMBEDDING_API_KEY,
        )
    return embeddings.encoder_get(settings.TRELLIS_EMBEDDING_MODEL)


def model_name() -> str:
    if settings.TRELLIS_EMBEDDING_URL:
        return f"service:{settings.TRELLIS_EMBEDDING_SERVICE_MODEL or 'default'}"
    return {"minilm": embeddings.MINILM_NAME, "hashing": "hashing-1024"}.get(
        settings.TRELLIS_EMBEDDING_MODEL, settings.TRELLIS_EMBEDDING_MODEL
    )


def semantic_min_score() -> float:
    """The cosine below which a semantic hit is noise, for the configured model."""
    override = getattr(settings, "TRELLIS_SEARCH_SEMANTIC_MIN", None)
    if override is not None:
        return float(override)
    return 0.1 if model_name() == "hashing-1024" else SEMANTIC_MIN_SCORE


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- the index ---------------------------------------------------------------------------------


def _skill_labels(item_ids: Sequence[int]) -> dict[int, list[str]]:
    labels: dict[int, list[str]] = {}
    for item_id, label in (
        ItemSkill.objects.filter(item_id__in=item_ids)
        .order_by("-weight", "skill__label")
        .values_list("item_id", "skill__label")
    ):
        labels.setdefault(item_id, []).append(label)
    return labels


def document_fields(item: Item, skill_labels: Sequence[str]) -> dict[str, str]:
    """The text, words and embedded text of an item's search document."""
    objectives = "; ".join(str(o) for o in item.learning_objectives or [])
    description = item.description if item.description != objectives else ""
    head = [item.title, description, objectives, item.collection, item.section, *skill_labels]
    text = "\n".join(p for p in [*head[1:], item.body] if p)
    body_start = " ".join(item.body.split()[:VOCABULARY_BODY_WORDS])
    words = sorted(set(textmod.words(" ".join([*head, body_start]))))
    embedded = embeddings.document_text(
        item.title, description or objectives, item.collection, item.body, limit_chars=EMBED_CHARS
    )
    return {
        "text": text,
        "words": " ".join(words),
        "embedded": embedded,
        "content_hash": hashlib.sha256(embedded.encode()).hexdigest(),
    }


def _fts_delete(table: str, rowids: Sequence[int]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rowids), 500):
            chunk = list(rowids[start : start + 500])
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)  # noqa: S608


def _fts_insert(table: str, columns: tuple[str, str], rows: Sequence[tuple[int, str, str]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table}(rowid, {columns[0]}, {columns[1]}) VALUES (%s, %s, %s)",  # noqa: S608
            list(rows),
        )


@transaction.atomic
def search_index_update(*, item_ids: Iterable[int]) -> dict[str, int]:
    """Bring the search documents and passages of these items in line with the catalog: published
    items are (re)indexed, the others removed. Returns counts (indexed, removed, passages)."""
    ids = sorted({int(i) for i in item_ids})
    counts = {"indexed": 0, "removed": 0, "passages": 0}
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        items = list(Item.objects.filter(id__in=chunk, is_published=True))
        published = {item.pk for item in items}
        gone = [i for i in chunk if i not in published]
        if gone:
            counts["removed"] += (
                SearchDocument.objects.filter(item_id__in=gone)
                .delete()[1]
                .get("discovery.SearchDocument", 0)
            )
        existing = {d.item_id: d for d in SearchDocument.objects.filter(item_id__in=published)}
        labels = _skill_labels(sorted(published))
        old_passages = list(
            SearchPassage.objects.filter(item_id__in=chunk).values_list("id", flat=True)
        )
        if not is_postgres():
            _fts_delete("discovery_search_fts", chunk)
            _fts_delete("discovery_passage_fts", old_passages)
        SearchPassage.objects.filter(id__in=old_passages).delete()
        to_create: list[SearchDocument] = []
        to_update: list[SearchDocument] = []
        fts_rows: list[tuple[int, str, str]] = []
        passages: list[SearchPassage] = []
        for item in items:
            fields = document_fields(item, labels.get(item.pk, []))
            doc = existing.get(item.pk) or SearchDocument(item=item)
            doc.title = item.title
            doc.text, doc.words, doc.content_hash = (
                fields["text"],
                fields["words"],
                fields["content_hash"],
            )
            (to_update if item.pk in existing else to_create).append(doc)
            fts_rows.append((item.pk, item.title, fields["text"]))
            for passage in textmod.passages(item.body or item.description):
                passages.append(
                    SearchPassage(
                        item=item,
                        position=passage.index,
                        heading=passage.heading[:300],
                        text=passage.text,
                    )
                )
        SearchDocument.objects.bulk_create(to_create, batch_size=200)
        if to_update:
            # bulk_update does not touch auto_now fields: set it so that processes see the change
            now = timezone.now()
            for doc in to_update:
                doc.updated_at = now
            SearchDocument.objects.bulk_update(
                to_update, ["title", "text", "words", "content_hash", "updated_at"], batch_size=200
            )
        created = SearchPassage.objects.bulk_create(passages, batch_size=500)
        if not is_postgres():
            _fts_insert("discovery_search_fts", ("title", "text"), fts_rows)
            if created and created[0].pk is None:  # no RETURNING: read the ids back
                created = list(SearchPassage.objects.filter(item_id__in=published))
            _fts_insert(
                "discovery_passage_fts",
                ("heading", "text"),
                [(p.pk, p.heading, p.text) for p in created],
            )
        counts["indexed"] += len(items)
        counts["passages"] += len(passages)
    _state.checked = 0.0  # this process sees its own change at once
    return counts


def search_index_rebuild(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Re-index every item (the documents of items that no longer exist are removed too)."""
    ids = list(Item.objects.order_by("id").values_list("id", flat=True))
    stale = list(SearchDocument.objects.exclude(item_id__in=ids).values_list("item_id", flat=True))
    totals = {"indexed": 0, "removed": 0, "passages": 0}
    for start in range(0, len(ids) + len(stale), 1000):
        batch = (ids + stale)[start : start + 1000]
        for key, value in search_index_update(item_ids=batch).items():
            totals[key] += value
        if stdout:
            stdout.write(f"  indexed {min(start + 1000, len(ids))}/{len(ids)} items\n")
    return totals


def search_vectors_update(
    *, item_ids: Iterable[int] | None = None, limit: int | None = None, stdout: TextIO | None = None
) -> int:
    """Embed the documents whose text changed since they were embedded (with the configured model).
    Returns how many were embedded. Runs outside any transaction: it can take minutes."""
    if not embeddings_enabled():
        return 0
    name = model_name()
    qs = SearchDocument.objects.exclude(vector_model=name, vector_hash=F("content_hash"))
    if item_ids is not None:
        qs = qs.filter(item_id__in=list(item_ids))
    pending = list(qs.order_by("item_id").values_list("item_id", flat=True)[: limit or None])
    enc = encoder()
    done = 0
    started = time.monotonic()
    for start in range(0, len(pending), 64):
        chunk = pending[start : start + 64]
        items = {i.pk: i for i in Item.objects.filter(id__in=chunk)}
        docs = [d for d in SearchDocument.objects.filter(item_id__in=chunk) if d.item_id in items]
        texts = []
        for doc in docs:
            item = items[doc.item_id]
            objectives = "; ".join(str(o) for o in item.learning_objectives or [])
            texts.append(
                embeddings.document_text(
                    item.title,
                    item.description or objectives,
                    item.collection,
                    item.body,
                    limit_chars=EMBED_CHARS,
                )
            )
        vectors = enc.encode(texts)
        with transaction.atomic():
            for doc, vector in zip(docs, vectors, strict=True):
                SearchDocument.objects.filter(
                    item_id=doc.item_id, content_hash=doc.content_hash
                ).update(
                    vector=embeddings.to_bytes(vector),
                    vector_model=name,
                    vector_hash=doc.content_hash,
                    updated_at=timezone.now(),
                )
        done += len(docs)
        _state.checked = 0.0
        if stdout:
            rate = done / max(time.monotonic() - started, 1e-6)
            stdout.write(f"  embedded {done}/{len(pending)} items ({rate:.1f}/s)\n")
            stdout.flush()
    return done


# --- the in-process state: vocabulary, synonyms, vectors --------------------------------------


@dataclass
class _State:
    version: tuple[int, Any] = (0, None)
    last_seen: Any = None
    words: dict[int, list[str]] = field(default_factory=dict)
    vectors: dict[int, np.ndarray] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    vocabulary: Vocabulary | None = None
    index: VectorIndex | None = None
    model: str = ""
    synonyms: Synonyms = field(default_factory=Synonyms)
    synonyms_loaded: float = 0.0
    synonyms_version: tuple[int, int] = (-1, -1)
    checked: float = 0.0


_state = _State()
_state_lock = threading.Lock()


def _load_synonyms() -> Synonyms:
    from trellis.skills.models import Skill, SkillLabel

    groups: dict[int, list[str]] = {}
    for skill_id, label in SkillLabel.objects.values_list("skill_id", "label").iterator(
        chunk_size=5000
    ):
        groups.setdefault(skill_id, []).append(label)
    for skill_id, label in Skill.objects.filter(id__in=list(groups)).values_list("id", "label"):
        groups[skill_id].insert(0, label)
    return Synonyms.from_label_groups(groups.values())


def _labels_version() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM skills_skilllabel")
        count, last = cursor.fetchone()
    return int(count), int(last)


def _aware(value: Any) -> Any:
    """A datetime from a raw query (SQLite gives text, naive UTC) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def search_state() -> _State:
    """The process's vocabulary, synonyms and vectors, refreshed when the index changed (looked at
    most every ``STATE_CHECK_SECONDS``: a COUNT over 20,000 documents costs a few milliseconds)."""
    name = model_name()
    state = _state
    if (
        state.vocabulary is not None
        and state.model == name
        and time.monotonic() - state.checked < STATE_CHECK_SECONDS
    ):
        return state
    with connection.cursor() as cursor:  # COUNT(*) reads the small updated_at index, not the rows
        cursor.execute("SELECT COUNT(*), MAX(updated_at) FROM discovery_searchdocument")
        count, last = cursor.fetchone()
    version = (int(count), str(last) if last is not None else None)
    with _state_lock:
        state = _state
        state.checked = time.monotonic()
        if time.monotonic() - state.synonyms_loaded > SYNONYMS_TTL or not state.synonyms_loaded:
            state.synonyms_loaded = time.monotonic()
            labels_version = _labels_version()
            if labels_version != state.synonyms_version:
                state.synonyms = _load_synonyms()
                state.synonyms_version = labels_version
                state.vocabulary = None
        if state.version == version and state.model == name and state.vocabulary is not None:
            return state
        if state.model != name:
            state.vectors.clear()
            state.model = name
        rows = SearchDocument.objects.order_by()
        if state.last_seen is not None and state.version[0] <= version[0]:
            # a margin: a slow transaction may commit a document stamped before the last one seen
            rows = rows.filter(updated_at__gte=state.last_seen - REFRESH_MARGIN)
        changed = 0
        for item_id, words, vector, vector_model in rows.values_list(
            "item_id", "words", "vector", "vector_model"
        ).iterator(chunk_size=2000):
            old = state.words.get(item_id)
            if old is not None:
                state.counts.subtract(old)
            new = words.split()
            state.words[item_id] = new
            state.counts.update(new)
            if vector is not None and vector_model == name:
                state.vectors[item_id] = embeddings.from_bytes(vector)
            else:
                state.vectors.pop(item_id, None)
            changed += 1
        if len(state.words) != version[0]:  # documents were removed
            present = set(SearchDocument.objects.values_list("item_id", flat=True))
            for item_id in [i for i in state.words if i not in present]:
                state.counts.subtract(state.words.pop(item_id))
                state.vectors.pop(item_id, None)
        state.counts = Counter({w: c for w, c in state.counts.items() if c > 0})
        known = dict(state.counts)
        for group in state.synonyms.groups:  # the taxonomy's words are known words too
            for phrase in group:
                for word in phrase:
                    known.setdefault(word, 0)
        state.vocabulary = Vocabulary(corrector=Corrector(known), synonyms=state.synonyms)
        ids = sorted(state.vectors)
        dim = len(state.vectors[ids[0]]) if ids else 0
        state.index = VectorIndex.build(ids, [state.vectors[i] for i in ids], dim)
        state.version = version
        state.last_seen = _aware(last)
        logger.debug("search state refreshed: %s documents changed", changed)
        return state


def search_state_reset() -> None:
    """Forget the process's state (tests, and after a model change)."""
    global _state
    with _state_lock:
        _state = _State()
    _query_vector.cache_clear()


# --- querying ----------------------------------------------------------------------------------


def _fts5_match(plan: QueryPlan, *, synonyms: bool = False) -> str:
    """The FTS5 query: the plan's words and prefix, or (``synonyms``) its synonym phrases."""
    if synonyms:
        parts = ['"' + " ".join(p) + '"' for p in plan.synonym_phrases]
    else:
        parts = [f'"{w}"' for w in plan.content_words if w != plan.prefix]
        if plan.prefix:
            parts.append(f'"{plan.prefix}"*')
    return " OR ".join(dict.fromkeys(p.replace("+", "").replace("#", "") for p in parts if p))


def _tsquery(plan: QueryPlan, *, synonyms: bool = False) -> str:
    """The PostgreSQL tsquery: the plan's words and prefix, or (``synonyms``) its synonym phrases."""

    def clean(word: str) -> str:
        return "".join(c for c in word if c.isalnum())

    if synonyms:
        parts = [
            "(" + " <-> ".join(clean(w) for w in p if clean(w)) + ")"
            for p in plan.synonym_phrases
            if any(clean(w) for w in p)
        ]
    else:
        parts = [clean(w) for w in plan.content_words if w != plan.prefix]
        if plan.prefix and clean(plan.prefix):
            parts.append(clean(plan.prefix) + ":*")
    return " | ".join(dict.fromkeys(p for p in parts if p and p != "()"))


def filters_active(filters: catalog_selectors.ItemFilters | None) -> bool:
    """Whether ``filters`` restrict the items (the text itself is the query, not a filter)."""
    return filters is not None and dataclasses.replace(filters, q="").active


def _allowed_sql(
    filters: catalog_selectors.ItemFilters | None,
) -> tuple[str, tuple[Any, ...]] | None:
    if not filters_active(filters):
        return None
    assert filters is not None
    qs = catalog_selectors.item_list(filters=dataclasses.replace(filters, q="")).order_by()
    sql, params = qs.values("id").query.sql_with_params()
    return sql, tuple(params)


def _full_text(
    query: str, *, allowed: tuple[str, tuple[Any, ...]] | None, limit: int
) -> list[tuple[int, float]]:
    if not query:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            where, params = "", [query]
            if allowed:
                where, params = f" AND d.item_id IN ({allowed[0]})", [query, *allowed[1]]
            cursor.execute(
                "SELECT d.item_id, ts_rank_cd(d.search_vector, q, 1) AS score "  # noqa: S608
                "FROM discovery_searchdocument d, to_tsquery('english', %s) q "
                f"WHERE d.search_vector @@ q{where} ORDER BY score DESC, d.item_id LIMIT {int(limit)}",
                params,
            )
        else:
            where, params = "", [query]
            if allowed:
                # "+rowid": filter the matches; a bare rowid would make FTS5 run the MATCH once
                # per allowed row (seconds at 20,000 items)
                where, params = f" AND +rowid IN ({allowed[0]})", [query, *allowed[1]]
            cursor.execute(
                "SELECT rowid, -bm25(discovery_search_fts, 4.0, 1.0) AS score "  # noqa: S608
                "FROM discovery_search_fts WHERE discovery_search_fts MATCH %s"
                f"{where} ORDER BY score DESC, rowid LIMIT {int(limit)}",
                params,
            )
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def lexical_items(
    plan: QueryPlan,
    *,
    filters: catalog_selectors.ItemFilters | None = None,
    limit: int = CANDIDATES,
) -> list[tuple[int, float]]:
    """(item id, score) from the database's full-text search, best first.

    The query's own words and its synonyms are two searches: each one's scores are divided by its
    best, the synonyms' count ``SYNONYM_WEIGHT``, and an item's score is the sum. So a synonym adds
    items that do not use the query's words without outranking those that do ("ML" for "machine
    learning" must not bring every text that measures millilitres to the top)."""
    allowed = _allowed_sql(filters)
    build = _tsquery if is_postgres() else _fts5_match
    own = _full_text(build(plan), allowed=allowed, limit=limit)
    if not plan.synonym_phrases:
        return own
    alternative = _full_text(build(plan, synonyms=True), allowed=allowed, limit=limit)
    scores: dict[int, float] = {}
    for hits, weight in ((own, 1.0), (alternative, SYNONYM_WEIGHT)):
        best = max((score for _, score in hits), default=0.0) or 1.0
        for pk, score in hits:
            scores[pk] = scores.get(pk, 0.0) + weight * score / best
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit]


@lru_cache(maxsize=512)
def _query_vector(model: str, text: str) -> np.ndarray:
    return encoder().encode([text])[0]


def semantic_text(plan: QueryPlan) -> str:
    words = [w for w in plan.words if w != plan.prefix] if plan.prefix else plan.words
    if not [w for w in words if w not in textmod.STOPWORDS]:
        return ""
    return " ".join(words) if plan.corrections or plan.prefix else plan.text


def semantic_items(
    plan: QueryPlan,
    state: _State,
    *,
    allowed_ids: set[int] | None = None,
    limit: int = CANDIDATES,
    vector_future: Future[np.ndarray] | None = None,
) -> list[tuple[int, float]]:
    text = semantic_text(plan)
    if not text or state.index is None or len(state.index) == 0 or not embeddings_enabled():
        return []
    try:
        vector = (
            query_vector_start(state, plan).result()
            if vector_future is None
            else vector_future.result()
        )
    except embeddings.EmbeddingError:
        logger.warning("query embedding failed; lexical results only", exc_info=True)
        return []
    mask = state.index.mask(allowed_ids) if allowed_ids is not None else None
    return state.index.search(vector, limit, allowed=mask, min_score=semantic_min_score())


_embedder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="trellis-query-embed")


def query_vector_start(state: _State, plan: QueryPlan) -> Future[np.ndarray]:
    """Embed the query in a worker thread (numpy releases the GIL), so that the full-text query
    runs meanwhile; the caller takes ``.result()`` when it needs the vector."""
    text = semantic_text(plan)
    if not text or state.index is None or len(state.index) == 0 or not embeddings_enabled():
        done: Future[np.ndarray] = Future()
        done.set_result(np.zeros(0, dtype=np.float32))
        return done
    return _embedder.submit(_query_vector, state.model, text)


@dataclass
class SearchHit:
    item: Item
    score: float
    matched_by: str
    snippet: str


@dataclass
class SearchResults:
    plan: QueryPlan
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    semantic: bool
    elapsed_ms: float

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search_rank(
    *,
    query: str,
    filters: catalog_selectors.ItemFilters | None = None,
    typing: bool = False,
    mode: str = "hybrid",
    correct: bool = True,
) -> tuple[QueryPlan, list[Fused[int]], bool]:
    """The fused ranking of item ids for ``query`` (published items matching ``filters``)."""
    state = search_state()
    plan = plan_query(query, state.vocabulary, typing=typing, correct=correct)
    if plan.is_empty:
        return plan, [], False
    future = query_vector_start(state, plan) if mode != "lexical" else None
    lexical = lexical_items(plan, filters=filters) if mode != "semantic" else []
    semantic: list[tuple[int, float]] = []
    if mode != "lexical":
        allowed = None
        if filters is not None and filters_active(filters):
            allowed = set(
                catalog_selectors.item_list(filters=dataclasses.replace(filters, q=""))
                .order_by()
                .values_list("id", flat=True)
            )
        semantic = semantic_items(plan, state, allowed_ids=allowed, vector_future=future)
    return plan, fuse(lexical, semantic), bool(semantic)


def search_items(
    *,
    user: Any,
    query: str,
    filters: catalog_selectors.ItemFilters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    typing: bool = False,
    mode: str = "hybrid",
    correct: bool = True,
) -> SearchResults:
    """One page of search results for ``user``: published items only, provider and skills loaded.
    ``correct=False``: no spelling correction (the person asked for their words as written)."""
    started = time.perf_counter()
    plan, ranking, semantic = search_rank(
        query=query, filters=filters, typing=typing, mode=mode, correct=correct
    )
    page = max(1, page)
    window = ranking[(page - 1) * per_page : page * per_page]
    ids = [f.key for f in window]
    items = {
        i.pk: i
        for i in catalog_selectors.item_list()
        .filter(id__in=ids)
        .defer("body")
        .annotate(body_head=Substr("body", 1, SNIPPET_SOURCE_CHARS))
    }
    terms = plan.terms + ([textmod.stem(plan.prefix)] if plan.prefix else [])
    hits = []
    for fused in window:
        item = items.get(fused.key)
        if item is None:  # unpublished since it was indexed
            continue
        head = getattr(item, "body_head", "")
        source = item.description if _mentions(item.description, terms) else head
        hits.append(
            SearchHit(
                item=item,
                score=fused.score,
                matched_by=fused.matched_by,
                snippet=textmod.snippet(source or item.description, terms, width=240),
            )
        )
    return SearchResults(
        plan=plan,
        hits=hits,
        total=len(ranking),
        page=page,
        per_page=per_page,
        semantic=semantic,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _mentions(text: str, terms: Sequence[str]) -> bool:
    if not text or not terms:
        return False
    stems = {textmod.stem(w) for w in textmod.words(text)}
    return any(t in stems for t in terms)


# --- wiring: catalog changes -> index -> vectors -> tag suggestions ---------------------------


#: Up to this many changed items are re-indexed for full-text search at once (after the commit, in
#: the process that changed them), so an edit is searchable without waiting for the worker; the
#: embedding and the skill suggestions always go to the worker. Larger changes (imports) all do.
SYNC_INDEX_LIMIT = 50


def _items_changed(item_ids: list[int]) -> None:
    if len(item_ids) <= SYNC_INDEX_LIMIT:
        search_index_update(item_ids=item_ids)
        search_enrich_task.enqueue(item_ids)
    else:
        search_index_update_task.enqueue(item_ids)


def register_hooks() -> None:
    """Called from ``DiscoveryConfig.ready``: re-index items whenever the catalog changes them."""
    from trellis.catalog import hooks as catalog_hooks

    catalog_hooks.register(_items_changed)


#: Enrichment (embedding, skill suggestions) runs in chunks, each a task of its own that enqueues
#: the next at ``BULK_PRIORITY``, below the default 0 of every other task: a notification or an
#: LRS projection enqueued meanwhile waits for the current chunk only (about 3 s of embedding on
#: 2 cores), never for the whole catalog (minutes). The worker takes the highest priority first.
ENRICH_CHUNK = 16
SKILL_CHUNK = 24
BULK_PRIORITY = -50


def _enrich(item_ids: list[int]) -> dict[str, int]:
    embedded = search_vectors_update(item_ids=item_ids)
    from trellis.discovery.tagging import tag_suggestions_update

    suggested = tag_suggestions_update(item_ids=item_ids)["suggested"]
    return {"embedded": embedded, "suggested": suggested}


def search_enrich_step(*, item_ids: list[int] | None = None, after: int = 0) -> dict[str, Any]:
    """One chunk of enrichment: while skills need vectors, up to ``SKILL_CHUNK`` of them; then the
    next ``ENRICH_CHUNK`` indexed items after item id ``after`` (every document, or only those of
    ``item_ids``): embed those whose text changed, refresh their skill suggestions. ``next`` in the
    result is the ``after`` of the following chunk, None when everything is done. Idempotent."""
    from trellis.discovery.tagging import skill_vectors_update

    counts: dict[str, Any] = {"skills_embedded": 0, "embedded": 0, "suggested": 0, "next": None}
    skills = skill_vectors_update(limit=SKILL_CHUNK)
    if skills:
        return {**counts, "skills_embedded": skills, "next": after}
    qs = SearchDocument.objects.filter(item_id__gt=after).order_by("item_id")
    if item_ids is not None:
        qs = qs.filter(item_id__in=list(item_ids))
    chunk = list(qs.values_list("item_id", flat=True)[:ENRICH_CHUNK])
    if not chunk:
        return counts
    return {**counts, **_enrich(chunk), "next": chunk[-1]}


def _task(priority: int = 0) -> Any:
    from django_tasks import task

    return task(priority=priority)


@_task(priority=BULK_PRIORITY)
def search_enrich_task(item_ids: list[int] | None = None, after: int = 0) -> dict[str, Any]:
    """Enrich these items (every indexed item when None) one chunk at a time: this task does one
    chunk and enqueues the next (``BULK_PRIORITY``). Idempotent."""
    counts = search_enrich_step(item_ids=item_ids, after=after)
    if not search_enrich_task.get_backend().supports_defer:
        # a backend that runs tasks at once (tests, no worker): loop here rather than recurse
        total = dict(counts)
        while counts["next"] is not None:
            counts = search_enrich_step(item_ids=item_ids, after=counts["next"])
            for key in ("skills_embedded", "embedded", "suggested"):
                total[key] += counts[key]
        return {**total, "next": None}
    if counts["next"] is not None:
        search_enrich_task.enqueue(item_ids, counts["next"])
    return counts


@_task(priority=BULK_PRIORITY)
def search_index_update_task(item_ids: list[int]) -> dict[str, int]:
    """Re-index these items for full-text search now, then enrich them in chunks. Idempotent."""
    counts = search_index_update(item_ids=item_ids)
    search_enrich_task.enqueue(item_ids)
    return counts


@_task(priority=BULK_PRIORITY)
def search_enrich_items_task(item_ids: list[int]) -> dict[str, Any]:
    """Kept for tasks queued before enrichment was chunked: the same as ``search_enrich_task``."""
    return search_enrich_task.call(item_ids)


def search_status() -> dict[str, Any]:
    """Counts for ``trellis search status`` and the admin: documents, vectors, passages, model."""
    from trellis.discovery.tagging import tagging_coverage

    name = model_name()
    docs = SearchDocument.objects.aggregate(
        documents=Count("item_id"),
        embedded=Count("item_id", filter=Q(vector_model=name, vector_hash=F("content_hash"))),
    )
    return {
        "model": name if embeddings_enabled() else "off",
        "documents": docs["documents"],
        "embedded": docs["embedded"],
        "passages": SearchPassage.objects.count(),
        "published_items": Item.objects.filter(is_published=True).count(),
        "tagging": tagging_coverage(),
    }


def demo_search_index(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Demo step: the full-text index now (search works at once); vectors and skill suggestions are
    computed by the worker (a few minutes on 2 cores)."""
    counts = search_index_rebuild()
    if embeddings_enabled():
        transaction.on_commit(lambda: search_enrich_task.enqueue())
    return counts
