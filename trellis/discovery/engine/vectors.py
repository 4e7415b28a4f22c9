"""Exact nearest-neighbour search over normalised vectors with numpy (cosine = dot product)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class VectorIndex:
    """``ids[i]`` is the key of row ``i`` of ``matrix`` (float32, rows L2-normalised)."""

    ids: np.ndarray
    matrix: np.ndarray

    @classmethod
    def build(
        cls, ids: Sequence[int], vectors: Sequence[np.ndarray] | np.ndarray, dim: int
    ) -> VectorIndex:
        matrix = (
            np.vstack([np.asarray(v, dtype=np.float32) for v in vectors])
            if len(vectors)
            else np.zeros((0, dim), dtype=np.float32)
        )
        return cls(ids=np.asarray(ids, dtype=np.int64), matrix=np.ascontiguousarray(matrix))

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.matrix @ np.asarray(query, dtype=np.float32)

    def search(
        self,
        query: np.ndarray,
        k: int = 10,
        *,
        allowed: np.ndarray | None = None,
        min_score: float = -1.0,
    ) -> list[tuple[int, float]]:
        """The ``k`` best (id, cosine) pairs; ``allowed`` is a boolean mask over rows."""
        if len(self.ids) == 0 or self.matrix.shape[1] != len(query):
            return []
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            (int(self.ids[i]), float(scores[i]))
            for i in top
            if np.isfinite(scores[i]) and scores[i] >= min_score
        ]

    def mask(self, wanted_ids: Sequence[int] | set[int]) -> np.ndarray:
        return np.isin(self.ids, np.fromiter(wanted_ids, dtype=np.int64, count=len(wanted_ids)))
