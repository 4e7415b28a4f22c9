"""``trellis eval search --catalog FILE --qa FILE``: retrieval quality and latency of lexical,
semantic and hybrid search on any catalog, in process (no database).

catalog: JSON lines, one item each: ``id``, ``title``, ``text`` (also read when present:
``description``, ``learning_objectives``, ``book_title``/``collection``, ``section_title``,
``section_number``). qa: JSON lines ``{"question": ..., "relevant": [ids]}``. Files may be gzipped.

Prints one JSON object: nDCG@10, Recall@10 and MRR (first relevant within the top 100) for lexical
only (BM25 with the same query plan as the app: typo correction), semantic only (embeddings, exact
cosine), hybrid (the app's fusion: a linear blend, 0.7 lexical) and hybrid_rrf (reciprocal rank
fusion, k = 60, for comparison), with p50/p95 latency per query in milliseconds, including the
query's embedding.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from trellis.discovery.engine import text as textmod
from trellis.discovery.engine.embeddings import Encoder, document_text, encoder_get
from trellis.discovery.engine.lexical import BM25, Corrector, document_terms, vocabulary_from_texts
from trellis.discovery.engine.search import (
    CANDIDATES,
    LINEAR_ALPHA,
    Vocabulary,
    fuse_linear,
    fuse_rrf,
    plan_query,
)
from trellis.discovery.engine.vectors import VectorIndex

K = 10
MRR_DEPTH = 100


def _open(path: str) -> TextIO:
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_jsonl(path: str) -> list[dict[str, Any]]:
    with _open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _objectives(record: dict[str, Any]) -> str:
    value = record.get("learning_objectives") or ""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = json.loads(value.replace("'", '"'))
        except ValueError:
            return value.strip("[]")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value in ("None", None) else str(value)


def item_fields(record: dict[str, Any]) -> tuple[str, str, str]:
    """(title, description, body) of a catalog record, whatever its flavour."""
    title = record.get("title") or " ".join(
        str(record.get(k) or "") for k in ("section_number", "section_title")
    )
    collection = record.get("collection") or record.get("book_title") or ""
    description = textmod.join_nonempty(
        [str(record.get("description") or ""), _objectives(record), str(collection)], "; "
    )
    return title.strip(), description, str(record.get("text") or record.get("body") or "")


def ndcg(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, key in enumerate(ranked[:k]) if key in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def recall(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], depth: int = MRR_DEPTH) -> float:
    for i, key in enumerate(ranked[:depth]):
        if key in relevant:
            return 1.0 / (i + 1)
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else 0.0


def embed_documents(
    encoder: Encoder, texts: list[str], cache_dir: Path | None, *, progress: TextIO | None = None
) -> np.ndarray:
    """Embed ``texts``, reusing vectors cached by (model, text hash) in ``cache_dir``."""
    hashes = [hashlib.sha256(t.encode()).hexdigest()[:24] for t in texts]
    cached: dict[str, np.ndarray] = {}
    cache_file = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache_file = cache_dir / f"{encoder.name.replace('/', '_').replace(':', '_')}.npz"
        if cache_file.exists():
            with np.load(cache_file) as data:
                cached = dict(zip(data["hashes"].tolist(), data["vectors"], strict=True))
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    step = 64
    started = time.monotonic()
    for start in range(0, len(missing), step):
        chunk = missing[start : start + step]
        vectors = encoder.encode([texts[i] for i in chunk])
        for i, vector in zip(chunk, vectors, strict=True):
            cached[hashes[i]] = vector
        if progress:
            done = start + len(chunk)
            rate = done / max(time.monotonic() - started, 1e-6)
            progress.write(f"  embedded {done}/{len(missing)} ({rate:.1f}/s)\n")
            progress.flush()
    if cache_file is not None and missing:
        keys = list(cached)
        np.savez(cache_file, hashes=np.array(keys), vectors=np.vstack([cached[k] for k in keys]))
    return np.vstack([cached[h] for h in hashes]) if hashes else np.zeros((0, encoder.dim))


def _load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def evaluate(
    catalog: list[dict[str, Any]],
    questions: list[dict[str, Any]],
    encoder: Encoder,
    *,
    cache_dir: Path | None = None,
    progress: TextIO | None = None,
    alpha: float = LINEAR_ALPHA,
) -> dict[str, Any]:
    started = time.monotonic()
    ids = [str(r["id"]) for r in catalog]
    fields = [item_fields(r) for r in catalog]
    bm25 = BM25.build([document_terms(t, f"{d} {b}") for t, d, b in fields])
    vocabulary = Vocabulary(
        corrector=Corrector(vocabulary_from_texts(f"{t} {d} {b}" for t, d, b in fields))
    )
    lexical_seconds = time.monotonic() - started
    vectors = embed_documents(
        encoder, [document_text(t, d, b) for t, d, b in fields], cache_dir, progress=progress
    )
    index = VectorIndex(
        ids=np.arange(len(ids)), matrix=np.ascontiguousarray(vectors, dtype=np.float32)
    )
    index_seconds = time.monotonic() - started

    def lexical(question: str) -> list[tuple[int, float]]:
        plan = plan_query(question, vocabulary)
        return bm25.search(plan.lexical_terms(), CANDIDATES, weights=plan.lexical_terms())

    def semantic(question: str) -> list[tuple[int, float]]:
        plan = plan_query(question, vocabulary)
        return index.search(encoder.encode([plan.corrected_text])[0], CANDIDATES)

    def hybrid(question: str) -> list[tuple[int, float]]:
        plan = plan_query(question, vocabulary)
        lex = bm25.search(plan.lexical_terms(), CANDIDATES, weights=plan.lexical_terms())
        sem = index.search(encoder.encode([plan.corrected_text])[0], CANDIDATES)
        return [(f.key, f.score) for f in fuse_linear(lex, sem, alpha=alpha)]

    def hybrid_rrf(question: str) -> list[tuple[int, float]]:
        plan = plan_query(question, vocabulary)
        lex = bm25.search(plan.lexical_terms(), CANDIDATES, weights=plan.lexical_terms())
        sem = index.search(encoder.encode([plan.corrected_text])[0], CANDIDATES)
        return [(f.key, f.score) for f in fuse_rrf(lex, sem)]

    modes: dict[str, Callable[[str], list[tuple[int, float]]]] = {
        "lexical": lexical,
        "semantic": semantic,
        "hybrid": hybrid,
        "hybrid_rrf": hybrid_rrf,
    }
    known = set(ids)
    usable = [q for q in questions if set(map(str, q.get("relevant") or [])) & known]
    result: dict[str, Any] = {
        "catalog_items": len(ids),
        "questions": len(usable),
        "questions_skipped": len(questions) - len(usable),
        "model": encoder.name,
        "fusion": {"hybrid": f"linear, alpha {alpha}", "hybrid_rrf": "rrf, k 60"},
        "index_seconds": {"lexical": round(lexical_seconds, 2), "total": round(index_seconds, 2)},
    }
    for name, run in modes.items():
        scores: dict[str, list[float]] = {"ndcg@10": [], "recall@10": [], "mrr": []}
        latencies: list[float] = []
        for q in usable:
            relevant = set(map(str, q["relevant"]))
            t0 = time.perf_counter()
            ranking = run(str(q["question"]))
            latencies.append((time.perf_counter() - t0) * 1000)
            ranked = [ids[i] for i, _ in ranking]
            scores["ndcg@10"].append(ndcg(ranked, relevant))
            scores["recall@10"].append(recall(ranked, relevant))
            scores["mrr"].append(reciprocal_rank(ranked, relevant))
        result[name] = {
            **{metric: round(float(np.mean(v)) if v else 0.0, 4) for metric, v in scores.items()},
            "latency_ms": {
                "p50": round(percentile(latencies, 50), 2),
                "p95": round(percentile(latencies, 95), 2),
            },
        }
        if progress:
            progress.write(f"  {name}: {json.dumps(result[name])}\n")
            progress.flush()
    result["load_average"] = _load_average()
    return result


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="trellis eval search", description=__doc__.split("\n\n")[0])
    p.add_argument("--catalog", required=True, help="JSON lines of items (id, title, text, ...)")
    p.add_argument("--qa", required=True, help='JSON lines {"question": ..., "relevant": [ids]}')
    p.add_argument(
        "--model", default="minilm", choices=["minilm", "hashing"], help="embedding model"
    )
    p.add_argument("--embedding-url", default="", help="an OpenAI-compatible /v1 base URL instead")
    p.add_argument("--embedding-model", default="", help="model name sent to the embedding service")
    p.add_argument("--limit", type=int, default=0, help="evaluate the first N questions only")
    p.add_argument("--alpha", type=float, default=LINEAR_ALPHA, help="linear blend lexical share")
    p.add_argument(
        "--cache",
        default=str(Path.home() / ".cache" / "trellis" / "eval-embeddings"),
        help="folder for document vectors (reused across runs); '' to disable",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    out = stdout or sys.stdout
    progress = None if args.quiet else sys.stderr
    encoder = encoder_get(
        "service" if args.embedding_url else args.model,
        url=args.embedding_url,
        model=args.embedding_model,
    )
    catalog = read_jsonl(args.catalog)
    questions = read_jsonl(args.qa)
    if args.limit:
        questions = questions[: args.limit]
    result = evaluate(
        catalog,
        questions,
        encoder,
        cache_dir=Path(args.cache) if args.cache else None,
        progress=progress,
        alpha=args.alpha,
    )
    out.write(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
