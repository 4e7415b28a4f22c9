"""Engine tests of search: fusion, typo correction, synonyms, the query plan, BM25, snippets."""

from __future__ import annotations

import numpy as np
import pytest

from trellis.discovery.engine import text
from trellis.discovery.engine.lexical import BM25, Corrector, Synonyms, document_terms
from trellis.discovery.engine.search import Vocabulary, fuse, fuse_linear, fuse_rrf, plan_query
from trellis.discovery.engine.vectors import VectorIndex


def test_rrf_rewards_items_both_lists_agree_on():
    lexical = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    semantic = [("c", 0.9), ("d", 0.8), ("a", 0.7)]
    fused = fuse_rrf(lexical, semantic, k=60)
    assert [f.key for f in fused] == ["a", "c", "b", "d"]
    a = fused[0]
    assert (a.lexical_rank, a.semantic_rank) == (1, 3)
    assert a.score == pytest.approx(1 / 61 + 1 / 63)
    assert a.matched_by == "words and meaning"
    assert fused[2].matched_by == "words" and fused[3].matched_by == "meaning"


def test_rrf_weights_and_ties_are_deterministic():
    fused = fuse_rrf([("x", 1.0)], [("y", 1.0)], weights=(1.0, 0.5))
    assert [f.key for f in fused] == ["x", "y"]
    tie = fuse_rrf([("x", 1.0)], [("y", 1.0)])
    assert [f.key for f in tie] == ["x", "y"]  # equal scores: the lexical hit first


def test_linear_blend_normalises_lexical_scores():
    fused = fuse_linear([("a", 10.0), ("b", 5.0)], [("b", 0.9), ("c", 0.5)], alpha=0.5)
    scores = {f.key: round(f.score, 3) for f in fused}
    assert scores == {"a": 0.5, "b": 0.7, "c": 0.25}
    assert [f.key for f in fused] == ["b", "a", "c"]
    with pytest.raises(ValueError):
        fuse([], [], method="max")


def test_typos_are_corrected_to_the_most_frequent_close_word():
    corrector = Corrector({"python": 40, "pythons": 1, "statistics": 30, "statistic": 2, "data": 9})
    assert corrector.correct_word("pyhton") == "python"  # a swap is one edit
    assert corrector.correct_word("statistcs") == "statistics"
    assert corrector.correct_word("dta") == "dta"  # 3 letters: left alone
    assert corrector.correct_word("zzzzzz") == "zzzzzz"  # nothing close
    assert corrector.correct_word("ython") == "python"  # a missing first letter
    words, changes = corrector.correct(["pyhton", "for", "data"])
    assert (words, changes) == (["python", "for", "data"], {"pyhton": "python"})


def test_synonyms_expand_the_longest_phrase_without_overlaps():
    synonyms = Synonyms.from_label_groups(
        [
            ["machine learning", "statistical learning", "ML"],
            ["learning", "studying"],
            ["a very long label that has too many words"],
        ]
    )
    found = synonyms.expand(text.words("intro to machine learning"))
    assert found == [(("machine", "learning"), [("ml",), ("statistical", "learning")])]
    assert synonyms.expand(["learning"]) == [(("learning",), [("studying",)])]
    assert synonyms.expand(["the"]) == []


def test_the_plan_corrects_keeps_the_prefix_and_weights_synonyms():
    vocabulary = Vocabulary(
        corrector=Corrector({"machine": 5, "learning": 5, "statistics": 3, "model": 2}),
        synonyms=Synonyms.from_label_groups([["machine learning", "ML"]]),
    )
    plan = plan_query("machine lear", vocabulary, typing=True)
    assert (plan.prefix, plan.corrections) == ("lear", {})
    plan = plan_query("machine lerning", vocabulary)
    assert plan.corrections == {"lerning": "learning"}
    assert plan.corrected_text == "machine learning"
    assert plan.did_you_mean() == "machine learning"
    assert plan.synonyms == [(("machine", "learning"), [("ml",)])]
    assert plan.lexical_terms() == {"machine": 1.0, "learn": 1.0, "ml": 0.5}
    assert plan_query("the and of", vocabulary).is_empty


def test_bm25_ranks_rare_terms_and_titles_higher():
    docs = [
        document_terms("Median and mean", "The median is the middle value."),
        document_terms("Charts", "A chart of the median income over the years and the mean."),
        document_terms("Writing", "Clear sentences."),
    ]
    index = BM25.build(docs)
    assert [i for i, _ in index.search(text.terms("median"))] == [0, 1]
    assert index.search(text.terms("nothing here")) == []
    assert index.vocabulary()["median"] == 2


def test_vector_index_returns_the_nearest_allowed_rows():
    matrix = np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32)
    index = VectorIndex(ids=np.array([10, 20, 30]), matrix=matrix)
    query = np.array([1, 0], dtype=np.float32)
    assert [k for k, _ in index.search(query, 2)] == [10, 20]
    assert [k for k, _ in index.search(query, 3, allowed=index.mask({20, 30}))] == [20, 30]
    assert [k for k, _ in index.search(query, 3, min_score=0.5)] == [10, 20]
    assert index.search(np.array([1.0, 0.0, 0.0]), 2) == []  # another model's dimension


def test_words_terms_and_stems():
    assert text.words("Python's C++ and C# — Café") == ["python", "c++", "and", "c#", "cafe"]
    assert text.terms("The learners are learning models") == ["learner", "learn", "model"]
    assert text.stem("studies") == "study" and text.stem("classes") == "class"
    assert text.stem("running") == "run" and text.stem("analysis") == "analysis"


def test_passages_follow_paragraphs_and_keep_headings():
    body = "Intro\n\n" + "First point. " * 60 + "\n\nSecond part\n\n" + "Another point. " * 10
    found = text.passages(body, target_words=50, max_words=80)
    assert found[0].heading == "Intro" and found[0].text.startswith("First point.")
    assert found[-1].heading == "Second part" and found[-1].text.startswith("Another point.")
    assert len(found) >= 3
    assert all(len(p.text.split()) <= 80 for p in found)
    assert [p.index for p in found] == list(range(len(found)))


def test_snippet_centres_on_the_query_terms():
    body = (
        "Filler words here. " * 40
        + "The median is the middle value of sorted data. "
        + "More filler. " * 40
    )
    found = text.snippet(body, text.terms("median value"), width=120)
    assert "The median is the middle value" in found
    assert found.startswith("… ") and found.endswith(" …")
    assert len(found) <= 125
    assert text.snippet("Short text.", ["x"]) == "Short text."


def test_a_single_word_expands_only_as_the_whole_query():
    synonyms = Synonyms.from_label_groups(
        [["packaging engineering", "engineering"], ["data analysis", "data", "statistics"]]
    )
    assert synonyms.expand(["prompt", "engineering"]) == []
    assert synonyms.expand(["engineering"]) == [(("engineering",), [("packaging", "engineering")])]
    # "data" is made of the query's own words: it adds nothing
    assert synonyms.expand(["data", "analysis"]) == [(("data", "analysis"), [("statistics",)])]
