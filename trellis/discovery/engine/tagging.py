"""Automatic skill tagging: which skills an item teaches, with a confidence.

Two kinds of evidence, combined:
- meaning: the cosine between the item's embedding and the skill's (its labels and description),
  rescaled so that ``SIM_FLOOR`` counts 0 and ``SIM_FLOOR + SIM_SPAN`` counts 1;
- words: the skill's preferred or alternative label appears in the item's title (1.0), several
  times in its text (0.7) or once (0.4); labels shorter than 4 letters or one common word are ignored.

``confidence = W_MEANING * meaning + W_LABEL * label + W_BOTH * meaning * label`` (0-1); without
vectors (embeddings off) ``W_WORDS_ONLY * label``. A skill is suggested when its confidence reaches
``MIN_CONFIDENCE``; at most ``PER_ITEM`` per item, best first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trellis.discovery.engine import text as textmod

SIM_FLOOR = 0.15
SIM_SPAN = 0.45
W_MEANING, W_LABEL, W_BOTH = 0.6, 0.35, 0.15
#: Without embeddings: confidence = W_WORDS_ONLY * words (a label in the title: 0.6).
W_WORDS_ONLY = 0.6
MIN_CONFIDENCE = 0.5
PER_ITEM = 5
MAX_LABEL_WORDS = 5


@dataclass
class SkillIn:
    key: int
    label: str
    alt_labels: Sequence[str] = ()
    description: str = ""

    def embedded_text(self) -> str:
        alternatives = ", ".join(self.alt_labels[:8])
        return textmod.join_nonempty([self.label, alternatives, self.description[:300]], ". ")


@dataclass
class ItemIn:
    key: int
    title: str
    text: str


@dataclass
class Suggestion:
    skill_key: int
    confidence: float
    similarity: float
    matched_label: str = ""


@dataclass
class LabelIndex:
    """Phrases (labels as word tuples) -> skills, for finding labels in a text."""

    phrases: dict[tuple[str, ...], list[tuple[int, str]]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def build(cls, skills: Sequence[SkillIn]) -> LabelIndex:
        index = cls()
        for skill in skills:
            for label in [skill.label, *skill.alt_labels]:
                phrase = tuple(textmod.words(label))
                if not phrase or len(phrase) > MAX_LABEL_WORDS:
                    continue
                if len(phrase) == 1 and (len(phrase[0]) < 4 or phrase[0] in textmod.STOPWORDS):
                    continue
                entries = index.phrases.setdefault(phrase, [])
                if all(key != skill.key for key, _ in entries):
                    entries.append((skill.key, label))
                index.longest = max(index.longest, len(phrase))
        return index

    def find(self, words: Sequence[str]) -> Counter[tuple[int, str]]:
        """(skill, label) -> occurrences of the label in ``words``."""
        found: Counter[tuple[int, str]] = Counter()
        for i in range(len(words)):
            for size in range(1, min(self.longest, len(words) - i) + 1):
                for entry in self.phrases.get(tuple(words[i : i + size]), ()):
                    found[entry] += 1
        return found


def label_evidence(item: ItemIn, labels: LabelIndex) -> dict[int, tuple[float, str]]:
    """skill -> (label score, the label found)."""
    in_title = labels.find(textmod.words(item.title))
    in_text = labels.find(textmod.words(item.text))
    evidence: dict[int, tuple[float, str]] = {}
    for (skill, label), _ in in_title.items():
        evidence[skill] = (1.0, label)
    for (skill, label), count in in_text.items():
        score = 0.7 if count >= 2 else 0.4
        if evidence.get(skill, (0.0, ""))[0] < score:
            evidence[skill] = (score, label)
    return evidence


def suggest(
    items: Sequence[ItemIn],
    item_vectors: np.ndarray | None,
    skills: Sequence[SkillIn],
    skill_vectors: np.ndarray | None,
    *,
    labels: LabelIndex | None = None,
    exclude: dict[int, set[int]] | None = None,
    per_item: int = PER_ITEM,
    min_confidence: float = MIN_CONFIDENCE,
) -> dict[int, list[Suggestion]]:
    """Suggestions per item key. ``exclude[item] = {skill, ...}`` are never suggested (tagged or
    decided already). Vectors are row-aligned with ``items`` / ``skills`` (or None: words only)."""
    labels = labels or LabelIndex.build(skills)
    keys = np.array([s.key for s in skills], dtype=np.int64)
    similarities = None
    if (
        item_vectors is not None
        and skill_vectors is not None
        and len(skills)
        and item_vectors.shape[1] == skill_vectors.shape[1]
    ):
        similarities = item_vectors @ skill_vectors.T
    position = {int(k): i for i, k in enumerate(keys)}
    out: dict[int, list[Suggestion]] = {}
    for row, item in enumerate(items):
        skip = (exclude or {}).get(item.key, set())
        evidence = label_evidence(item, labels)
        sims = similarities[row] if similarities is not None else None
        candidates: set[int] = set(evidence)
        if sims is not None:
            top = np.argsort(-sims)[: per_item * 4]
            candidates.update(int(keys[i]) for i in top)
        found = []
        for skill in candidates - skip:
            similarity = float(sims[position[skill]]) if sims is not None else 0.0
            meaning = min(max((similarity - SIM_FLOOR) / SIM_SPAN, 0.0), 1.0)
            label, matched = evidence.get(skill, (0.0, ""))
            if sims is None:  # no vectors (embeddings off): the words alone, a title match suggests
                confidence = W_WORDS_ONLY * label
            else:
                confidence = W_MEANING * meaning + W_LABEL * label + W_BOTH * meaning * label
            confidence = round(min(max(confidence, 0.0), 1.0), 3)
            if confidence >= min_confidence:
                found.append(Suggestion(skill, confidence, round(similarity, 3), matched))
        found.sort(key=lambda s: (-s.confidence, s.skill_key))
        out[item.key] = found[:per_item]
    return out
