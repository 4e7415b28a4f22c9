"""Recommendation baselines: popularity, ItemKNN and EASE (numpy/scipy, no Django).

Each baseline is fitted on a user-item interaction matrix (``scipy.sparse`` CSR, 1 where the user
interacted with the item) and scores a batch of users' rows. They are what ``trellis eval recommend``
measures the engine against, in the same process and on the same split.

- Popularity: the number of users who interacted with each item.
- ItemKNN: cosine similarity between item columns, each item keeping its ``k`` nearest neighbours;
  a user's score for an item is the sum of the item's similarities to the user's items.
- EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the closed-form
  item-item regression ``B = I - P·diag(1/diag(P))`` with ``P = (XᵀX + λI)⁻¹`` and a zero diagonal.
  Dense ``n_items²``: fine for evaluation data sets of a few thousand items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["EASE", "ItemKNN", "Popularity", "interaction_matrix"]


def interaction_matrix(rows: list[list[int]], n_items: int) -> sp.csr_matrix:
    """A binary CSR matrix with one row per user from each user's list of item indices."""
    indptr = [0]
    indices: list[int] = []
    for items in rows:
        unique = sorted(set(items))
        indices.extend(unique)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), n_items),
    )


@dataclass
class Popularity:
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, X: sp.csr_matrix) -> Popularity:
        self.counts = np.asarray(X.sum(axis=0)).ravel().astype(np.float64)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        return np.tile(self.counts, (X.shape[0], 1))


@dataclass
class ItemKNN:
    k: int = 100
    shrink: float = 0.0
    similarity: sp.csr_matrix | None = None

    def fit(self, X: sp.csr_matrix) -> ItemKNN:
        self.similarity = item_cosine_topk(X, k=self.k, shrink=self.shrink)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        assert self.similarity is not None, "fit first"
        return np.asarray((X @ self.similarity).todense())


def item_cosine_topk(X: sp.csr_matrix, *, k: int, shrink: float = 0.0) -> sp.csr_matrix:
    """Item-item cosine similarity (columns of ``X``), each row keeping its ``k`` largest."""
    Xc = sp.csc_matrix(X, dtype=np.float64)
    co = (Xc.T @ Xc).tocsr()
    norms = np.sqrt(np.asarray(Xc.power(2).sum(axis=0)).ravel())
    co.setdiag(0)
    co.eliminate_zeros()
    coo = co.tocoo()
    values = coo.data / (norms[coo.row] * norms[coo.col] + shrink + 1e-12)
    sim = sp.csr_matrix((values, (coo.row, coo.col)), shape=co.shape)
    return keep_top_k_per_row(sim, k)


def keep_top_k_per_row(M: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """``M`` with only the ``k`` largest values of each row kept."""
    M = sp.csr_matrix(M)
    rows, cols, vals = [], [], []
    for r in range(M.shape[0]):
        start, end = M.indptr[r], M.indptr[r + 1]
        if start == end:
            continue
        data = M.data[start:end]
        idx = M.indices[start:end]
        if end - start > k:
            top = np.argpartition(-data, k - 1)[:k]
            data, idx = data[top], idx[top]
        rows.append(np.full(len(idx), r))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(M.shape)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=M.shape
    )


@dataclass
class EASE:
    lam: float = 50.0
    B: np.ndarray | None = None

    def fit(self, X: sp.csr_matrix) -> EASE:
        G = np.asarray((X.T @ X).todense(), dtype=np.float64)
        diag = np.diag_indices(G.shape[0])
        G[diag] += self.lam
        P = np.linalg.inv(G)
        B = P / (-np.diag(P))
        B[diag] = 0.0
        self.B = B
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        assert self.B is not None, "fit first"
        return np.asarray(X @ self.B)
