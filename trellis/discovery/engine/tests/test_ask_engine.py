"""Engine tests of ask: the extractive answer and its citation, and the language-model prompt."""

from __future__ import annotations

import math

import numpy as np

from trellis.discovery.engine import ask, text

PASSAGES = [
    ask.PassageIn(
        key=7,
        title="Sampling and data",
        heading="Measures of centre",
        text="Statistics describes data. The median is the middle value when the data are "
        "sorted. It is less affected by outliers than the mean.",
    ),
    ask.PassageIn(
        key=9,
        title="Charts",
        text="A chart can show the median of a data set next to its mean and its range.",
    ),
]


def idf(term: str) -> float:
    return {"median": 3.0, "mean": 1.5, "data": 0.5}.get(term, 1.0)


def test_the_definition_sentence_is_the_answer_and_cites_its_passage():
    answer = ask.extractive_answer("What is the median?", PASSAGES, idf)
    assert answer is not None
    assert answer.passage_key == 7
    assert answer.text == (
        "The median is the middle value when the data are sorted. "
        "It is less affected by outliers than the mean."
    )  # a short best sentence takes its neighbour
    assert answer.confident is True
    assert answer.coverage == 1.0


def test_a_weak_match_is_flagged_not_confident():
    answer = ask.extractive_answer(
        "How do volcanoes erupt near the median ocean ridge plates?", PASSAGES, idf
    )
    assert answer is not None
    assert answer.confident is False


def test_no_passages_no_answer():
    assert ask.extractive_answer("What is the median?", [], idf) is None


def test_sentence_vectors_rerank_the_candidates():
    def encode(texts: list[str]) -> np.ndarray:
        # the question is closest to the chart sentence: meaning outweighs the small word gap
        rows = [
            [1.0, 0.0] if "chart" in t.lower() or t.startswith("What") else [0.0, 1.0]
            for t in texts
        ]
        return np.array(rows, dtype=np.float32)

    answer = ask.extractive_answer("What does a chart show?", PASSAGES, idf, encode=encode)
    assert answer is not None
    assert answer.passage_key == 9


def test_the_prompt_numbers_the_passages_and_forbids_outside_knowledge():
    system, user = ask.llm_messages("What is the median?", PASSAGES)
    assert "ONLY the numbered passages" in system["content"]
    assert ask.NOT_FOUND in system["content"]
    assert user["content"].startswith("Passages:\n\n[1] Sampling and data — Measures of centre\n")
    assert "\n\n[2] Charts\nA chart" in user["content"]


def test_subject_of_a_what_is_question():
    assert ask._subject("What is a confidence interval?") == ["confidence", "interval"]
    assert ask._subject("Define opportunity cost") == ["opportunity", "cost"]
    assert ask._subject("How do I start?") == []
    assert math.isclose(idf("median"), 3.0)
    assert text.sentences("One. Two!\nThree") == ["One.", "Two!", "Three"]


def test_an_exercise_is_not_an_answer():
    passages = [
        ask.PassageIn(
            key=1,
            text="In two to three sentences, explain what a confidence interval means. "
            "A confidence interval is a range of values likely to contain the parameter.",
        )
    ]
    answer = ask.extractive_answer("What is a confidence interval?", passages, lambda t: 1.0)
    assert answer is not None
    assert answer.text.startswith("A confidence interval is a range")
    assert ask._is_exercise("Why does it matter?") and ask._is_exercise("Explain the result.")
    assert not ask._is_exercise("The mean is the average.")
