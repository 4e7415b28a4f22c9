"""Ask: the extractive answer from retrieved passages, and the optional language-model answer.

``extractive_answer`` scores the sentences of the best passages by how much of the question they
cover (terms weighted by rarity), by the rank of their passage, by the shape of a definition when
the question asks "what is …", and, when sentence vectors are given, by meaning; the best sentence
(with its neighbour when it is short) is the answer. ``llm_answer`` asks an OpenAI-compatible chat
endpoint to answer from the numbered passages only, citing them, and to say when they do not hold
the answer.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from trellis.discovery.engine import text as textmod

#: Words in an extractive answer (one or two sentences).
ANSWER_MAX_WORDS = 70
#: Below this share of the question's (rarity-weighted) terms, the answer is flagged as uncertain.
ANSWER_MIN_COVERAGE = 0.34
#: Weights of the sentence score: coverage, passage rank, definition shape, meaning; and the
#: penalty of a question or an instruction to the reader (an exercise is not an answer).
W_COVERAGE, W_RANK, W_DEFINITION, W_SEMANTIC = 1.0, 0.25, 0.3, 0.6
W_EXERCISE = 0.5
#: The answer a language model must give when the passages do not answer the question.
NOT_FOUND = "NOT_IN_PASSAGES"
DEFINITION_RE = (
    r"\b(is|are|was|were|refers to|means|describes|is called|are called|is defined as)\b"
)


@dataclass
class PassageIn:
    """A retrieved passage, best first: ``key`` identifies it to the caller."""

    key: int
    text: str
    title: str = ""
    heading: str = ""


@dataclass
class Answer:
    text: str
    passage_key: int | None
    coverage: float
    confident: bool
    sentences: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    passage_rank: int
    passage_key: int
    position: int
    text: str
    coverage: float
    score: float


def _subject(question: str) -> list[str]:
    """The subject of a "what is/are X" question, as words ("machine learning")."""
    match = re.match(
        r"\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(.+?)\s*\??\s*$",
        question,
        re.IGNORECASE,
    )
    if not match:
        match = re.match(r"\s*(?:define|definition of)\s+(.+?)\s*\??\s*$", question, re.IGNORECASE)
    return textmod.words(re.sub(r"\(.*?\)", "", match.group(1))) if match else []


EXERCISE_RE = re.compile(
    r"^(?:explain|describe|discuss|identify|list|calculate|compute|find|compare|write|consider|"
    r"suppose|imagine|think|use|what|why|how|which|who|when|where|in (?:one|two|three|a few))\b",
    re.IGNORECASE,
)


def _is_exercise(sentence: str) -> bool:
    """A question or an instruction to the reader (textbooks' exercises), not an answer."""
    return sentence.rstrip().endswith("?") or bool(EXERCISE_RE.match(sentence.lstrip("“\"'(")))


def sentence_candidates(
    question: str,
    passages: Sequence[PassageIn],
    idf: Callable[[str], float],
    *,
    max_passages: int = 5,
) -> list[Candidate]:
    """Every sentence of the first ``max_passages`` passages, scored without meaning."""
    terms = sorted(set(textmod.terms(question)))
    weights = {t: idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    subject = _subject(question)
    out: list[Candidate] = []
    for rank, passage in enumerate(passages[:max_passages]):
        for position, sentence in enumerate(textmod.sentences(passage.text)):
            n_words = len(sentence.split())
            if n_words < 5 or n_words > 80:
                continue
            stems = set(textmod.terms(sentence))
            coverage = sum(w for t, w in weights.items() if t in stems) / total
            definition = 0.0
            if subject:
                lowered = " ".join(textmod.words(sentence))
                phrase = " ".join(subject)
                if re.search(rf"\b{re.escape(phrase)}\b.{{0,40}}?{DEFINITION_RE}", lowered):
                    definition = 1.0
                elif lowered.startswith(phrase):
                    definition = 0.5
            score = W_COVERAGE * coverage + W_RANK / (1 + rank) + W_DEFINITION * definition
            if _is_exercise(sentence):
                score -= W_EXERCISE
            out.append(Candidate(rank, passage.key, position, sentence, coverage, score))
    out.sort(key=lambda c: (-c.score, c.passage_rank, c.position))
    return out


def extractive_answer(
    question: str,
    passages: Sequence[PassageIn],
    idf: Callable[[str], float],
    *,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    rerank: int = 8,
) -> Answer | None:
    """The best one or two sentences of ``passages`` as the answer (None without passages)."""
    candidates = sentence_candidates(question, passages, idf)
    if not candidates:
        return None
    top = candidates[:rerank]
    if encode is not None and len(top) > 1:
        vectors = encode([question, *[c.text for c in top]])
        similarities = vectors[1:] @ vectors[0]
        for candidate, similarity in zip(top, similarities, strict=True):
            candidate.score += W_SEMANTIC * float(similarity)
        top.sort(key=lambda c: (-c.score, c.passage_rank, c.position))
    best = top[0]
    chosen = [best.text]
    passage = next(p for p in passages if p.key == best.passage_key)
    sentences = [s for s in textmod.sentences(passage.text)]
    if len(best.text.split()) < 25 and best.text in sentences:
        i = sentences.index(best.text)
        if i + 1 < len(sentences):
            following = sentences[i + 1]
            if len(best.text.split()) + len(following.split()) <= ANSWER_MAX_WORDS:
                chosen.append(following)
    return Answer(
        text=" ".join(chosen),
        passage_key=best.passage_key,
        coverage=round(best.coverage, 3),
        confident=best.coverage >= ANSWER_MIN_COVERAGE,
        sentences=chosen,
    )


# --- language model ----------------------------------------------------------------------------


@dataclass
class LLMAnswer:
    text: str
    not_found: bool
    cited: list[int]


class LLMError(RuntimeError):
    pass


SYSTEM_PROMPT = (
    "You answer employees' questions using ONLY the numbered passages you are given. "
    "Write a short answer (at most 4 sentences) and cite the passages you used as [1], [2]. "
    "Do not use any knowledge that is not in the passages. "
    f"If the passages do not contain the answer, reply with exactly {NOT_FOUND} and nothing else."
)


def llm_messages(question: str, passages: Sequence[PassageIn]) -> list[dict[str, str]]:
    numbered = "\n\n".join(
        f"[{i}] {p.title}{' — ' + p.heading if p.heading else ''}\n{p.text}"
        for i, p in enumerate(passages, start=1)
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Passages:\n\n{numbered}\n\nQuestion: {question}"},
    ]


def llm_answer(
    question: str,
    passages: Sequence[PassageIn],
    *,
    url: str,
    api_key: str = "",
    model: str = "",
    timeout: float = 20.0,
) -> LLMAnswer:
    """Ask an OpenAI-compatible ``/chat/completions`` endpoint (``url`` is the API base, e.g.
    ``http://host:8080/v1``, or the full endpoint URL)."""
    endpoint = url.rstrip("/")
    if not endpoint.endswith("/chat/completions"):
        endpoint += "/chat/completions"
    body = json.dumps(
        {
            "model": model,
            "messages": llm_messages(question, passages),
            "temperature": 0,
            "max_tokens": 300,
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            payload = json.loads(response.read().decode("utf-8"))
        content = str(payload["choices"][0]["message"]["content"]).strip()
    except (
        urllib.error.URLError,
        TimeoutError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
    ) as exc:
        raise LLMError(f"language model at {endpoint}: {exc}") from exc
    if not content or NOT_FOUND in content:
        return LLMAnswer(text="", not_found=True, cited=[])
    cited = sorted(
        {int(n) for n in re.findall(r"\[(\d+)\]", content) if 0 < int(n) <= len(passages)}
    )
    return LLMAnswer(text=content, not_found=False, cited=cited)
