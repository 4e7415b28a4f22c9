"""Text helpers shared by lexical search, ask and tagging: words, terms, sentences, passages, snippets."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WORD_RE = re.compile(r"[a-z0-9]+[+#]*")
POSSESSIVE_RE = re.compile(r"['\u2019]s\b")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'“(]?[A-Z0-9])")

#: Common English words that carry no meaning for search (kept short on purpose: "not" and "no" stay).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)
QUESTION_WORDS = frozenset({"what", "why", "how", "when", "where", "which", "who", "whom"})


def normalize(text: str) -> str:
    """Lower case without accents (``Café`` -> ``cafe``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The words of ``text``, normalized (``C++`` and ``C#`` stay whole; possessives are dropped)."""
    return WORD_RE.findall(POSSESSIVE_RE.sub("", normalize(text)))


def stem(word: str) -> str:
    """A light English stemmer (plural, -ing, -ed, -ly, -ies): enough to match "models" with "model"
    and "learning" with "learn", without Porter's surprises on names."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ing", "", 6),
        ("edly", "", 7),
        ("ed", "", 5),
        ("ly", "", 6),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "zes", "sses")):
                return word[:-1]
            base = word[: -len(suffix)] + replacement
            if (
                suffix in ("ing", "ed")
                and len(base) > 2
                and base[-1] == base[-2]
                and base[-1] not in "lsz"
            ):
                base = base[:-1]
            return base
    return word


def terms(text: str) -> list[str]:
    """Search terms: words without stop words, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_words(text: str) -> list[str]:
    """Words without stop words, not stemmed (what a person would recognise in a highlight)."""
    return [w for w in words(text) if w not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` (paragraph breaks always end one)."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            out.extend(s.strip() for s in SENTENCE_RE.split(paragraph) if s.strip())
    return out


@dataclass(frozen=True)
class Passage:
    """A piece of an item's text: ``index`` is its position in the item, ``heading`` the paragraph
    that introduced it when it looks like a heading."""

    index: int
    text: str
    heading: str = ""


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) < 80 and not paragraph.rstrip().endswith((".", ":", "?", "!", ";", ","))


def passages(text: str, *, target_words: int = 110, max_words: int = 180) -> list[Passage]:
    """Split ``text`` into passages of about ``target_words`` words along paragraph boundaries
    (a long paragraph is split at sentence ends). Short heading-like paragraphs start a new passage
    and are kept as its heading."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text)]
    paragraphs = [p for p in paragraphs if p]
    out: list[Passage] = []
    current: list[str] = []
    count = 0
    heading = ""
    next_heading = ""

    def flush() -> None:
        nonlocal current, count, heading
        if current:
            out.append(Passage(index=len(out), text=" ".join(current), heading=heading))
        current, count, heading = [], 0, next_heading

    for paragraph in paragraphs:
        if _is_heading(paragraph):
            next_heading = paragraph
            if count >= target_words // 3:
                flush()
            elif not current:
                heading = paragraph
            continue
        pieces = [paragraph]
        if len(paragraph.split()) > max_words:
            pieces = SENTENCE_RE.split(paragraph)
        for piece in pieces:
            n = len(piece.split())
            if current and count + n > max_words:
                flush()
            if not current:
                heading = heading or next_heading
            current.append(piece)
            count += n
            if count >= target_words:
                flush()
    flush()
    return out


def snippet(text: str, query_terms: Iterable[str], *, width: int = 220) -> str:
    """The window of about ``width`` characters of ``text`` with the most distinct query terms (then
    the most occurrences), on word bounds. Terms are stems, matched as word prefixes."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    wanted = sorted({t for t in query_terms if t}, key=len, reverse=True)
    if not wanted:
        return _cut(text, 0, width)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in wanted) + ")", re.IGNORECASE)
    hits = [(m.start(), m.group(0).lower()) for m in pattern.finditer(text)]
    if not hits:
        return _cut(text, 0, width)
    best: tuple[int, int] = (0, 0)
    best_start = hits[0][0]
    seen: dict[str, int] = {}
    left = 0
    for right, (position, term) in enumerate(hits):
        seen[term] = seen.get(term, 0) + 1
        while position - hits[left][0] > width - 40:
            gone = hits[left][1]
            seen[gone] -= 1
            if not seen[gone]:
                del seen[gone]
            left += 1
        score = (len(seen), right - left + 1)
        if score > best:
            best, best_start = score, hits[left][0]
    return _cut(text, max(0, best_start - 40), width)


def _cut(text: str, start: int, width: int) -> str:
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = start + width
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end].strip()
    return ("… " if start > 0 else "") + piece + (" …" if end < len(text) else "")


def join_nonempty(parts: Sequence[str], sep: str = ". ") -> str:
    return sep.join(p.strip() for p in parts if p and p.strip())
