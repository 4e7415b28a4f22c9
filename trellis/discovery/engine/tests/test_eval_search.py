"""``trellis eval search`` on a small catalog (hashing embeddings: no model, fast)."""

from __future__ import annotations

import io
import json

from trellis.discovery.engine import eval_search


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_eval_search_prints_metrics_for_each_mode(tmp_path):
    catalog = write(
        tmp_path / "catalog.jsonl",
        [
            {"id": "a", "title": "Median and mean", "text": "The median is the middle value."},
            {"id": "b", "title": "Writing emails", "text": "Start the email with the request."},
            {"id": "c", "title": "Supply and demand", "text": "Prices follow supply and demand."},
        ],
    )
    qa = write(
        tmp_path / "qa.jsonl",
        [
            {"question": "What is the median?", "relevant": ["a"]},
            {"question": "how to write an emial", "relevant": ["b"]},
            {"question": "what sets prices", "relevant": ["c"]},
            {"question": "unknown ids are skipped", "relevant": ["zzz"]},
        ],
    )
    out = io.StringIO()
    result = eval_search.main(
        ["--catalog", catalog, "--qa", qa, "--model", "hashing", "--cache", "", "--quiet"],
        stdout=out,
    )
    assert json.loads(out.getvalue()) == result
    assert (result["catalog_items"], result["questions"], result["questions_skipped"]) == (3, 3, 1)
    assert set(result) >= {"lexical", "semantic", "hybrid", "hybrid_rrf", "load_average"}
    lexical = result["lexical"]
    assert lexical["recall@10"] == 1.0  # "emial" is corrected to "email"
    assert lexical["mrr"] == 1.0
    assert set(lexical) == {"ndcg@10", "recall@10", "mrr", "latency_ms"}
    assert set(lexical["latency_ms"]) == {"p50", "p95"}


def test_metrics():
    assert eval_search.ndcg(["x", "a"], {"a"}) == 1 / __import__("math").log2(3)
    assert eval_search.recall(["a", "b"], {"a", "c"}) == 0.5
    assert eval_search.reciprocal_rank(["x", "y", "a"], {"a"}) == 1 / 3
    assert eval_search.reciprocal_rank(["x"], {"a"}) == 0.0
