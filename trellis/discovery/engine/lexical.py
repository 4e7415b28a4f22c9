"""Lexical retrieval in process: BM25 over terms, typo correction against a vocabulary, and synonyms.

The web app ranks with the database's full-text search (SQLite FTS5, PostgreSQL full text); this
module is its in-process counterpart for ``trellis eval search`` and the engine tests, and it holds
the query-side logic both use: correcting words the index does not know, and expanding phrases with
the taxonomy's alternative labels.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from trellis.discovery.engine import text as textmod

#: BM25 parameters (the usual defaults; k1 a little lower suits long textbook sections).
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass
class BM25:
    """Okapi BM25 with postings as numpy arrays. ``fields`` weights repeat a field's terms
    (title x3 by default in ``document_terms``)."""

    k1: float = BM25_K1
    b: float = BM25_B
    n_docs: int = 0
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @classmethod
    def build(
        cls, documents: Sequence[Sequence[str]], *, k1: float = BM25_K1, b: float = BM25_B
    ) -> BM25:
        index = cls(k1=k1, b=b)
        index.n_docs = len(documents)
        index.lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        docs_of: dict[str, list[int]] = defaultdict(list)
        tfs_of: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                docs_of[term].append(i)
                tfs_of[term].append(tf)
        index.postings = {
            term: (
                np.array(docs_of[term], dtype=np.int32),
                np.array(tfs_of[term], dtype=np.float32),
            )
            for term in docs_of
        }
        return index

    def idf(self, term: str) -> float:
        df = len(self.postings[term][0]) if term in self.postings else 0
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def scores(
        self, query_terms: Iterable[str], weights: dict[str, float] | None = None
    ) -> np.ndarray:
        total = np.zeros(self.n_docs, dtype=np.float32)
        if self.n_docs == 0:
            return total
        average = float(self.lengths.mean()) or 1.0
        for term in set(query_terms):
            posting = self.postings.get(term)
            if posting is None:
                continue
            docs, tf = posting
            norm = self.k1 * (1.0 - self.b + self.b * self.lengths[docs] / average)
            weight = self.idf(term) * (weights or {}).get(term, 1.0)
            total[docs] += weight * tf * (self.k1 + 1.0) / (tf + norm)
        return total

    def search(
        self, query_terms: Iterable[str], k: int = 10, weights: dict[str, float] | None = None
    ) -> list[tuple[int, float]]:
        scores = self.scores(query_terms, weights)
        hits = np.flatnonzero(scores > 0)
        if len(hits) == 0:
            return []
        top = hits[np.argsort(-scores[hits], kind="stable")[:k]]
        return [(int(i), float(scores[i])) for i in top]

    def vocabulary(self) -> dict[str, int]:
        return {term: len(docs) for term, (docs, _) in self.postings.items()}


def document_terms(title: str, body: str, *, title_weight: int = 3) -> list[str]:
    """Terms of a document for BM25: the title's terms count ``title_weight`` times."""
    return textmod.terms(title) * title_weight + textmod.terms(body)


# --- typo correction ---------------------------------------------------------------------------


@dataclass
class Corrector:
    """Replace query words that no document contains by the closest known word.

    ``vocabulary`` maps a word (unstemmed, as written in the documents) to its document frequency.
    A word of 4-7 letters may be 1 edit away, a longer one 2; among equally close words the most
    frequent wins. Words of 3 letters or fewer, numbers and known words are left alone."""

    vocabulary: dict[str, int]
    _by_first: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _all: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        by_first: dict[str, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            if len(word) >= 3 and word.isalpha():
                by_first[word[0]].append(word)
        self._by_first = dict(by_first)

    @staticmethod
    def max_edits(word: str) -> int:
        return 0 if len(word) <= 3 else 1 if len(word) <= 7 else 2

    def correct_word(self, word: str) -> str:
        if word in self.vocabulary or not word.isalpha() or self.max_edits(word) == 0:
            return word
        from rapidfuzz.distance import OSA, Levenshtein
        from rapidfuzz.process import extract

        limit = self.max_edits(word)
        candidates: list[str] = []
        # Typos rarely touch the first letter; when they do, the second letter is usually right.
        candidates.extend(self._by_first.get(word[0], ()))
        matches = extract(
            word,
            candidates,
            scorer=OSA.distance,  # a swap of two letters counts as one edit
            score_cutoff=limit,
            limit=8,
        )
        if not matches:
            if self._all is None:
                self._all = [w for words in self._by_first.values() for w in words]
            matches = extract(word, self._all, scorer=Levenshtein.distance, score_cutoff=1, limit=8)
        if not matches:
            return word
        best = min(matches, key=lambda m: (m[1], -self.vocabulary.get(m[0], 0), m[0]))
        return best[0]

    def correct(self, query_words: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """The corrected words and the corrections made (``{"pyhton": "python"}``)."""
        out, changes = [], {}
        for word in query_words:
            fixed = self.correct_word(word) if word not in textmod.STOPWORDS else word
            if fixed != word:
                changes[word] = fixed
            out.append(fixed)
        return out, changes


def vocabulary_from_texts(texts: Iterable[str]) -> dict[str, int]:
    """Word -> number of texts containing it."""
    counts: Counter[str] = Counter()
    for value in texts:
        counts.update(set(textmod.words(value)))
    return dict(counts)


# --- synonyms ----------------------------------------------------------------------------------


@dataclass
class Synonyms:
    """Groups of phrases that mean the same thing (a skill's preferred and alternative labels).

    ``expand(words)`` finds the longest group phrases in the query words and returns, for each, the
    other phrases of its group (at most ``per_match``), shortest first."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    per_match: int = 4
    max_phrase_words: int = 4
    _index: dict[tuple[str, ...], list[int]] = field(default_factory=dict, repr=False)
    _longest: int = 1

    @classmethod
    def from_label_groups(
        cls, label_groups: Iterable[Iterable[str]], *, per_match: int = 4
    ) -> Synonyms:
        synonyms = cls(per_match=per_match)
        for labels in label_groups:
            phrases: list[tuple[str, ...]] = []
            for label in labels:
                phrase = tuple(textmod.words(label))
                if phrase and len(phrase) <= synonyms.max_phrase_words and phrase not in phrases:
                    phrases.append(phrase)
            if len(phrases) >= 2:
                synonyms.add_group(phrases)
        return synonyms

    def add_group(self, phrases: list[tuple[str, ...]]) -> None:
        number = len(self.groups)
        self.groups.append(phrases)
        for phrase in phrases:
            self._index.setdefault(phrase, []).append(number)
            self._longest = max(self._longest, len(phrase))

    def expand(
        self, query_words: Sequence[str]
    ) -> list[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
        """[(phrase found in the query, [alternative phrases])], longest matches first, no overlaps.

        A single word is looked up only when it is the whole query (in "prompt engineering" the
        word "engineering" alone is not the subject), and an alternative made only of the query's
        own words adds nothing ("data" for "data analysis")."""
        found = []
        i = 0
        words = list(query_words)
        content = [w for w in words if w not in textmod.STOPWORDS]
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                phrase = tuple(words[i : i + size])
                if size == 1 and (phrase[0] in textmod.STOPWORDS or len(content) > 1):
                    continue
                groups = self._index.get(phrase)
                if groups:
                    alternatives: list[tuple[str, ...]] = []
                    for number in groups:
                        for other in self.groups[number]:
                            if (
                                other != phrase
                                and other not in alternatives
                                and not set(other) <= set(words)
                            ):
                                alternatives.append(other)
                    alternatives.sort(key=lambda p: (len(p), p))
                    found.append((phrase, alternatives[: self.per_match]))
                    i += size
                    break
            else:
                i += 1
        return found
