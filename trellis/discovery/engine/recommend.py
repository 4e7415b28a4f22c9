"""Recommendations: a hybrid, explainable recommender (pure Python + numpy/scipy, no Django).

Two layers:

``SequenceModel`` learns from what learners did and in which order: transitions from each item to
the items people took after it, item-item co-occurrence (ItemKNN), learners with similar histories
(user-kNN), popularity and what is popular lately, where an item usually sits in a learner's journey
(a timeline fitted to the orders), and item side information (categories or skills, a numeric
feature such as length). It blends these features with weights it fits itself on a holdout taken
from its own training data (a listwise softmax over candidates). This is what
``trellis eval recommend`` measures; in Trellis it is the "history" and "peers" signal.

``HybridRecommender`` ranks a learner's feed from the signals of the product: the skill gap between
their evidence and their role profile (or a target they chose), stated interests, their history (the
sequence model), what people in their role and department complete, popularity and freshness, level
fit, preferred formats, their AI-literacy rung, and "more like this" / "not for me" feedback. Every
result carries the signals that contributed and reasons in plain words. The list is diversified with
maximal marginal relevance (MMR) over skills, format and collection. Done and dismissed items are
never recommended.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.sparse.linalg import cg

from trellis.discovery.engine.baselines import item_cosine_topk

__all__ = [
    "DEFAULT_WEIGHTS",
    "SEQUENCE_FEATURES",
    "CatalogIndex",
    "HybridRecommender",
    "ItemInfo",
    "LearnerProfile",
    "Reason",
    "Recommendation",
    "SequenceModel",
    "holdout_split",
]


# --------------------------------------------------------------------------------------------
# The sequence model (what people did, in which order)
# --------------------------------------------------------------------------------------------

#: The features the sequence model blends, in order (see ``SequenceModel.features``).
SEQUENCE_FEATURES = (
    "next",  # items people took after the learner's items (recency-weighted history @ transitions)
    "next_last",  # items people took right after the learner's last item
    "next2",  # two steps ahead
    "lift",  # transitions discounted by the next item's popularity
    "similar",  # ItemKNN: items taken together with the learner's items
    "peers",  # user-kNN: what learners with a similar history took
    "popular",  # how many learners took the item
    "recent",  # how often the item is among learners' latest items
    "trending",  # recent ÷ popular: rising items
    "content",  # side information: categories / skills like those of the learner's items
    "numeric_fit",  # side information: closeness of a numeric feature (e.g. length) to the learner's
    "time_gap",  # timeline: how far after the learner's last item the item usually comes
    "time_gap_abs",
    "time_gap_sq",
    "time_gap_mean",  # the same against the learner's (recency-weighted) mean position
    "time_gap_mean_abs",
)

#: Used until ``fit_weights`` has run (or when there is too little data to fit them).
DEFAULT_SEQUENCE_WEIGHTS = {
    "next": 1.5,
    "next2": 1.0,
    "lift": 1.0,
    "similar": 1.5,
    "peers": 1.0,
    "recent": 0.2,
    "content": 0.3,
    "time_gap_abs": -1.0,
}


def _normalise(v: np.ndarray) -> np.ndarray:
    m = float(np.max(np.abs(v))) if v.size else 0.0
    return v / m if m > 0 else v


def holdout_split(
    sequences: Mapping[Any, Sequence[int]], *, share: float = 0.2
) -> tuple[dict[Any, list[int]], dict[Any, list[int]]]:
    """Each user's last ``max(1, round(share·n))`` items held out (users with one item keep it)."""
    train: dict[Any, list[int]] = {}
    held: dict[Any, list[int]] = {}
    for user, items in sequences.items():
        items = list(items)
        n = len(items)
        k = max(1, round(share * n)) if n > 1 else 0
        train[user] = items[: n - k]
        if k:
            held[user] = items[n - k :]
    return train, held


@dataclass
class SequenceModel:
    """Fitted with ``SequenceModel.fit(sequences, n_items, ...)``; scores with ``scores(history)``."""

    n_items: int
    transitions: sp.csr_matrix
    lift_matrix: sp.csr_matrix
    similarity: sp.csr_matrix
    users: sp.csr_matrix
    popularity: np.ndarray
    recent: np.ndarray
    trending: np.ndarray
    timeline: np.ndarray
    content: sp.csr_matrix | None
    numeric: np.ndarray | None
    weights: np.ndarray
    history_decay: float = 0.7
    peers_k: int = 50
    _users_csc: sp.csc_matrix | None = field(default=None, repr=False)
    _user_sizes: np.ndarray | None = field(default=None, repr=False)

    # -- fitting --------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        sequences: Iterable[Sequence[int]],
        n_items: int,
        *,
        content: sp.csr_matrix | None = None,
        numeric: np.ndarray | None = None,
        gap_decay: float = 0.85,
        max_gap: int = 10,
        knn: int = 100,
        history_decay: float = 0.7,
        weights: Mapping[str, float] | None = None,
    ) -> SequenceModel:
        """Fit on each learner's items in the order taken (duplicates are dropped)."""
        seqs = [_dedupe(s) for s in sequences]
        seqs = [s for s in seqs if s]
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        lrows: list[np.ndarray] = []
        lcols: list[np.ndarray] = []
        lvals: list[np.ndarray] = []
        recent = np.zeros(n_items)
        for s in seqs:
            arr = np.asarray(s, dtype=np.int64)
            n = len(arr)
            for g in range(1, min(max_gap, n - 1) + 1):
                rows.append(arr[:-g])
                cols.append(arr[g:])
                vals.append(np.full(n - g, gap_decay ** (g - 1)))
                lrows.append(arr[:-g])
                lcols.append(arr[g:])
                lvals.append(np.full(n - g, float(g)))
            np.add.at(recent, arr[::-1], 0.5 ** np.arange(n))
        if rows:
            r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        else:
            r = c = np.zeros(0, dtype=np.int64)
            v = np.zeros(0)
        T = sp.csr_matrix((v, (r, c)), shape=(n_items, n_items))
        X = _user_matrix(seqs, n_items)
        pop = np.asarray(X.sum(axis=0)).ravel().astype(np.float64)
        out_sum = np.asarray(T.sum(axis=1)).ravel()
        Tn = sp.diags(1.0 / (out_sum + 1.0)) @ T
        lift = T @ sp.diags(1.0 / np.sqrt(pop + 1.0))
        lift_sum = np.asarray(lift.sum(axis=1)).ravel()
        lift = sp.diags(1.0 / np.where(lift_sum > 0, lift_sum, 1.0)) @ lift
        timeline = _timeline(
            np.concatenate(lrows) if lrows else np.zeros(0, dtype=np.int64),
            np.concatenate(lcols) if lcols else np.zeros(0, dtype=np.int64),
            np.concatenate(lvals) if lvals else np.zeros(0),
            n_items,
        )
        model = cls(
            n_items=n_items,
            transitions=sp.csr_matrix(Tn),
            lift_matrix=sp.csr_matrix(lift),
            similarity=item_cosine_topk(X, k=knn),
            users=X,
            popularity=_normalise(pop),
            recent=_normalise(recent),
            trending=_normalise(recent / (pop + 5.0)),
            timeline=timeline,
            content=sp.csr_matrix(content) if content is not None else None,
            numeric=np.asarray(numeric, dtype=np.float64) if numeric is not None else None,
            weights=np.zeros(len(SEQUENCE_FEATURES)),
            history_decay=history_decay,
        )
        model.set_weights(weights or DEFAULT_SEQUENCE_WEIGHTS)
        return model

    def set_weights(self, weights: Mapping[str, float]) -> None:
        self.weights = np.array([float(weights.get(f, 0.0)) for f in SEQUENCE_FEATURES])

    def weights_dict(self) -> dict[str, float]:
        return {f: round(float(w), 4) for f, w in zip(SEQUENCE_FEATURES, self.weights, strict=True)}

    @classmethod
    def fit_tuned(
        cls,
        sequences: Mapping[Any, Sequence[int]],
        n_items: int,
        *,
        holdout_share: float = 0.2,
        max_users: int = 4000,
        candidates: int = 60,
        seed: int = 0,
        **kwargs: Any,
    ) -> SequenceModel:
        """Fit the blend weights on a holdout of ``sequences`` (each user's last items), then refit
        the model on all of ``sequences`` with those weights. Nothing outside ``sequences`` is used."""
        inner, held = holdout_split(sequences, share=holdout_share)
        weights: Mapping[str, float] | None = None
        users = [u for u in held if inner.get(u)]
        if len(users) >= 20:
            rng = np.random.default_rng(seed)
            if len(users) > max_users:
                users = [users[i] for i in sorted(rng.choice(len(users), max_users, replace=False))]
            model = cls.fit(inner.values(), n_items, **kwargs)
            weights = model.fit_weights(
                [inner[u] for u in users], [held[u] for u in users], candidates=candidates
            )
        return cls.fit(sequences.values(), n_items, weights=weights, **kwargs)

    def fit_weights(
        self,
        histories: Sequence[Sequence[int]],
        targets: Sequence[Sequence[int]],
        *,
        candidates: int = 60,
        l2: float = 1e-3,
    ) -> dict[str, float]:
        """Learn the blend (listwise softmax over each user's top candidates) and keep it."""
        blocks: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        groups: list[np.ndarray] = []
        base_weights = np.array(
            [1.0 if f in ("next", "similar") else 0.0 for f in SEQUENCE_FEATURES]
        )
        for g, (history, target) in enumerate(zip(histories, targets, strict=True)):
            F = self.features(history)
            base = base_weights @ F
            base[list(set(history))] = -np.inf
            n = min(candidates, self.n_items - len(set(history)))
            if n <= 0:
                continue
            cand = np.argpartition(-base, n - 1)[:n]
            y = np.isin(cand, np.asarray(list(target), dtype=np.int64)).astype(np.float64)
            if not y.any():
                continue
            blocks.append(F[:, cand].T)
            labels.append(y)
            groups.append(np.full(n, g))
        if not blocks:
            return self.weights_dict()
        A = np.vstack(blocks)
        y = np.concatenate(labels)
        grp = np.concatenate(groups)
        _, grp = np.unique(grp, return_inverse=True)
        n_groups = int(grp.max()) + 1
        n_pos = np.bincount(grp, weights=y, minlength=n_groups)
        scale = A.std(axis=0)
        scale[scale == 0] = 1.0
        A = A / scale

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            s = A @ w
            m = np.full(n_groups, -np.inf)
            np.maximum.at(m, grp, s)
            e = np.exp(s - m[grp])
            Z = np.bincount(grp, weights=e, minlength=n_groups)
            P = e / Z[grp]
            total = y.sum()
            value = -(y * np.log(P + 1e-12)).sum() / total + l2 * float(w @ w)
            grad_s = (P * n_pos[grp] - y) / total
            return value, A.T @ grad_s + 2 * l2 * w

        w0 = self.weights * scale
        result = minimize(loss, w0, jac=True, method="L-BFGS-B")
        self.weights = result.x / scale
        return self.weights_dict()

    # -- scoring --------------------------------------------------------------------------
    def features(self, history: Sequence[int]) -> np.ndarray:
        """One row per feature of ``SEQUENCE_FEATURES``, one column per item."""
        n = self.n_items
        F = np.zeros((len(SEQUENCE_FEATURES), n))
        items = _dedupe(history)
        F[6] = self.popularity
        F[7] = self.recent
        F[8] = self.trending
        if not items:
            return F
        idx = np.asarray(items, dtype=np.int64)
        weights = self.history_decay ** np.arange(len(idx))[::-1]
        nxt = _rows_sum(self.transitions, idx, weights)
        F[0] = _normalise(nxt)
        F[1] = _rows_sum(self.transitions, idx[-1:], np.ones(1))
        top = np.argpartition(-nxt, min(50, n - 1))[:50]
        top = top[nxt[top] > 0]
        if top.size:
            F[2] = _normalise(_rows_sum(self.transitions, top, nxt[top]))
        F[3] = _normalise(_rows_sum(self.lift_matrix, idx, weights))
        F[4] = _normalise(_rows_sum(self.similarity, idx, np.ones(len(idx))))
        F[5] = self._peer_scores(idx)
        if self.content is not None:
            profile = _rows_sum(self.content, idx, weights)
            F[9] = _normalise(self.content @ profile)
        if self.numeric is not None:
            mean = float((weights * self.numeric[idx]).sum() / weights.sum())
            F[10] = -np.abs(self.numeric - mean)
        t = self.timeline
        gap = t - t[idx[-1]]
        F[11] = gap
        F[12] = np.abs(gap)
        F[13] = gap**2
        gap_mean = t - float((weights * t[idx]).sum() / weights.sum())
        F[14] = gap_mean
        F[15] = np.abs(gap_mean)
        return F

    def _peer_scores(self, idx: np.ndarray) -> np.ndarray:
        """User-kNN: the ``peers_k`` learners whose items overlap most with ``idx`` (cosine),
        and the items they took, weighted by that similarity."""
        X = self.users
        if X.shape[0] == 0:
            return np.zeros(self.n_items)
        if self._users_csc is None or self._user_sizes is None:
            self._users_csc = sp.csc_matrix(X)
            self._user_sizes = np.asarray(X.sum(axis=1)).ravel()
        csc = self._users_csc
        holders = np.concatenate([csc.indices[csc.indptr[i] : csc.indptr[i + 1]] for i in idx])
        if holders.size == 0:
            return np.zeros(self.n_items)
        overlap = np.bincount(holders, minlength=X.shape[0]).astype(np.float64)
        candidates = np.flatnonzero(overlap)
        sim = overlap[candidates] / np.sqrt(self._user_sizes[candidates] * len(idx) + 1e-12)
        k = min(self.peers_k, len(sim))
        best = np.argpartition(-sim, k - 1)[:k]
        top, weights = candidates[best], sim[best]
        starts, ends = X.indptr[top], X.indptr[top + 1]
        cols = np.concatenate([X.indices[a:b] for a, b in zip(starts, ends, strict=True)])
        w = np.repeat(weights, ends - starts)
        return _normalise(np.bincount(cols, weights=w, minlength=self.n_items))

    def scores(self, history: Sequence[int]) -> np.ndarray:
        """The blended score of every item for a learner with ``history`` (items in order)."""
        return np.asarray(self.weights @ self.features(history))

    def because_of(self, history: Sequence[int], items: Sequence[int]) -> list[int | None]:
        """For each of ``items``, the learner's item that leads most to it (people took it after
        that one, or together with it), or None."""
        hist = np.asarray(_dedupe(history), dtype=np.int64)
        cols = np.asarray(list(items), dtype=np.int64)
        if hist.size == 0 or cols.size == 0:
            return [None] * len(cols)
        value = self.transitions[hist][:, cols].toarray()
        value += 0.5 * self.similarity[hist][:, cols].toarray()
        best = value.argmax(axis=0)
        return [int(hist[b]) if value[b, j] > 0 else None for j, b in enumerate(best.tolist())]


def _rows_sum(M: sp.csr_matrix, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``Σ weights[k] · M[rows[k]]`` as a dense vector, straight from the CSR arrays."""
    starts, ends = M.indptr[rows], M.indptr[rows + 1]
    if not len(rows) or int((ends - starts).sum()) == 0:
        return np.zeros(M.shape[1])
    cols = np.concatenate([M.indices[a:b] for a, b in zip(starts, ends, strict=True)])
    vals = np.concatenate([M.data[a:b] for a, b in zip(starts, ends, strict=True)])
    vals = vals * np.repeat(weights, ends - starts)
    return np.bincount(cols, weights=vals, minlength=M.shape[1])


def _dedupe(items: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    out: list[int] = []
    for i in items:
        if i not in seen:
            seen.add(i)
            out.append(int(i))
    return out


def _user_matrix(seqs: Sequence[Sequence[int]], n_items: int) -> sp.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    for s in seqs:
        indices.extend(sorted(set(s)))
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(seqs), n_items),
    )


def _timeline(
    before: np.ndarray, after: np.ndarray, gaps: np.ndarray, n_items: int, max_gap: int = 3
) -> np.ndarray:
    """Where each item sits in learners' journeys: least squares on ``t[after] - t[before] ≈ 1``
    for pairs up to ``max_gap`` apart (weight 1/gap), with a small ridge; standardised."""
    keep = gaps <= max_gap
    a, b, w = before[keep], after[keep], 1.0 / gaps[keep]
    if a.size == 0:
        return np.zeros(n_items)
    W = sp.csr_matrix((w, (a, b)), shape=(n_items, n_items))
    W = W + W.T
    degree = np.asarray(W.sum(axis=1)).ravel()
    L = sp.diags(degree + 1e-2) - W
    rhs = np.bincount(b, weights=w, minlength=n_items) - np.bincount(
        a, weights=w, minlength=n_items
    )
    t, _ = cg(L, rhs, rtol=1e-6, maxiter=500)
    std = float(t.std())
    return (t - t.mean()) / std if std > 0 else t


# --------------------------------------------------------------------------------------------
# The product recommender (skills, roles, consent-filtered profile, reasons)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInfo:
    id: int
    title: str
    format: str
    level: int
    skills: tuple[tuple[int, float], ...] = ()
    age_days: float = 0.0
    collection: str = ""
    duration_minutes: int = 0


@dataclass(frozen=True)
class Reason:
    signal: str
    text: str
    weight: float


@dataclass(frozen=True)
class Recommendation:
    item_id: int
    score: float
    reasons: tuple[Reason, ...]
    signals: dict[str, float]
    personalised: bool


@dataclass
class LearnerProfile:
    """What the recommender may use about one learner. Everything is optional: what the learner did
    not consent to is simply not filled in by the caller (and so never read)."""

    key: Any = None
    personalised: bool = True
    role_id: int | None = None
    role_title: str = ""
    role_family: str = ""
    department_id: int | None = None
    department_name: str = ""
    #: skill id -> (target level, essential) from the role profile
    role_profile: dict[int, tuple[int, bool]] = field(default_factory=dict)
    #: skill id -> (target level, essential) from the target the learner chose (role or skills)
    target_profile: dict[int, tuple[int, bool]] = field(default_factory=dict)
    target_title: str = ""
    #: skill id -> current level (evidence)
    skill_levels: dict[int, int] = field(default_factory=dict)
    interests: set[int] = field(default_factory=set)
    #: item ids in the order they were taken (oldest first)
    history: list[int] = field(default_factory=list)
    done: set[int] = field(default_factory=set)
    dismissed: set[int] = field(default_factory=set)
    more_like: list[int] = field(default_factory=list)
    not_for_me: list[int] = field(default_factory=list)
    preferred_formats: set[str] = field(default_factory=set)
    #: 0 (no evidence) … 5, on the AI-literacy ladder
    ai_literacy_level: int | None = None
    ai_level_names: tuple[str, ...] = ()


#: Weights of the product signals (documented in trellis/discovery/README.md).
DEFAULT_WEIGHTS: dict[str, float] = {
    "gap": 3.0,
    "target": 3.0,
    "interest": 2.0,
    "more_like": 1.5,
    "history": 1.5,
    "peers_role": 1.0,
    "peers_department": 0.6,
    "popular": 0.5,
    "fresh": 0.4,
    "level_fit": 0.8,
    "format": 0.5,
    "ai_ladder": 0.8,
    "not_for_me_like": -1.5,
}
#: MMR trade-off: 1.0 is pure relevance, lower values favour variety.
MMR_LAMBDA = 0.65
#: Items newer than this count as fresh (the signal halves every FRESH_HALF_LIFE days).
FRESH_HALF_LIFE_DAYS = 45.0
#: Only this many of the best-scored items go through diversification (and reasons).
POOL = 150
#: The sequence model fits its blend weights when this many learners have 3+ items (on at most
#: TUNE_MAX_USERS of them); below that it uses DEFAULT_SEQUENCE_WEIGHTS.
TUNE_MIN_LEARNERS = 50
TUNE_MAX_USERS = 1000
#: A signal must bring at least this share of an item's score to be named as a reason.
REASON_MIN_SHARE = 0.12

FORMAT_NOUNS = {
    "course": "a course",
    "video": "a video",
    "article": "an article",
    "podcast": "a podcast",
    "interactive": "an interactive exercise",
    "scorm": "a course",
    "cmi5": "a course",
    "live": "a live session",
    "book_section": "a book section",
}
LEVEL_NAMES = {1: "introductory", 2: "beginner", 3: "intermediate", 4: "advanced", 5: "expert"}


class CatalogIndex:
    """Everything about the catalog and the organisation's activity the recommender needs, in arrays.

    Built once (the Django layer caches it); per-learner work is then a few vector operations.
    ``completions`` are (learner key, item id, done) in the order they happened; only learners who
    consented to their activity being used should be given.
    """

    def __init__(
        self,
        items: Sequence[ItemInfo],
        *,
        skill_labels: Mapping[int, str] | None = None,
        ai_skills: Iterable[int] = (),
        activity: Sequence[tuple[Any, int]] = (),
        learner_groups: Mapping[Any, tuple[int | None, str, int | None]] | None = None,
        recent_activity: Sequence[tuple[Any, int]] = (),
        sequence_model: SequenceModel | None = None,
        fit_sequence_model: bool = True,
    ) -> None:
        self.items = list(items)
        self.n = len(self.items)
        self.ids = np.array([it.id for it in self.items], dtype=np.int64)
        self.pos = {it.id: i for i, it in enumerate(self.items)}
        self.skill_labels = dict(skill_labels or {})
        skill_ids = sorted({s for it in self.items for s, _ in it.skills} | set(self.skill_labels))
        self.skill_pos = {s: j for j, s in enumerate(skill_ids)}
        self.n_skills = len(skill_ids)
        rows, cols, vals = [], [], []
        for i, it in enumerate(self.items):
            for s, w in it.skills:
                rows.append(i)
                cols.append(self.skill_pos[s])
                vals.append(float(w))
        self.M = sp.csr_matrix((vals, (rows, cols)), shape=(self.n, max(1, self.n_skills)))
        self.nnz_item = np.repeat(np.arange(self.n), np.diff(self.M.indptr))
        self.skill_weight_sum = np.asarray(self.M.sum(axis=1)).ravel()
        row_norm = np.sqrt(np.asarray(self.M.power(2).sum(axis=1)).ravel())
        self.M_unit = sp.diags(1.0 / np.where(row_norm > 0, row_norm, 1.0)) @ self.M
        self.level = np.array([it.level for it in self.items], dtype=np.float64)
        formats = sorted({it.format for it in self.items})
        self.format_pos = {f: k for k, f in enumerate(formats)}
        self.format_idx = np.array(
            [self.format_pos[it.format] for it in self.items], dtype=np.int64
        )
        collections_ = sorted({it.collection for it in self.items if it.collection})
        cpos = {c: k + 1 for k, c in enumerate(collections_)}
        self.collection_idx = np.array([cpos.get(it.collection, 0) for it in self.items])
        age = np.array([max(0.0, it.age_days) for it in self.items])
        self.fresh = 0.5 ** (age / FRESH_HALF_LIFE_DAYS)
        self.ai_skill_ids = set(ai_skills)
        ai = {self.skill_pos[s] for s in self.ai_skill_ids if s in self.skill_pos}
        ai_mask = np.zeros(max(1, self.n_skills), dtype=bool)
        ai_mask[list(ai)] = True
        self.ai_item = np.asarray(self.M[:, ai_mask].sum(axis=1)).ravel() > 0 if ai else None
        # activity: popularity, per role, per department, per job family; the sequence model
        groups = dict(learner_groups or {})
        self._aggregate(activity, recent_activity, groups)
        self.sequence_model = sequence_model
        if sequence_model is None and fit_sequence_model:
            self.sequence_model = self._fit_sequences(activity)

    def _aggregate(
        self,
        activity: Sequence[tuple[Any, int]],
        recent_activity: Sequence[tuple[Any, int]],
        groups: Mapping[Any, tuple[int | None, str, int | None]],
    ) -> None:
        def counts(pairs: Iterable[tuple[Any, int]], key: Any) -> dict[Any, np.ndarray]:
            by_key: dict[Any, list[int]] = {}
            for learner, item in pairs:
                i = self.pos.get(item)
                if i is None:
                    continue
                k = key(learner)
                if k is None:
                    continue
                by_key.setdefault(k, []).append(i)
            return {
                k: np.bincount(np.asarray(v, dtype=np.int64), minlength=self.n).astype(np.float64)
                for k, v in by_key.items()
            }

        everyone = counts(activity, lambda _learner: 0).get(0, np.zeros(self.n))
        recent = counts(recent_activity, lambda _learner: 0).get(0, np.zeros(self.n))
        self.popular = _normalise(np.log1p(everyone) + np.log1p(recent))
        self.by_role = counts(activity, lambda u: groups.get(u, (None, "", None))[0])
        self.by_family = counts(activity, lambda u: groups.get(u, (None, "", None))[1] or None)
        self.by_department = counts(activity, lambda u: groups.get(u, (None, "", None))[2])

    def _fit_sequences(self, activity: Sequence[tuple[Any, int]]) -> SequenceModel | None:
        seqs: dict[Any, list[int]] = {}
        for learner, item in activity:
            i = self.pos.get(item)
            if i is not None:
                seqs.setdefault(learner, []).append(i)
        if sum(1 for s in seqs.values() if len(s) > 1) < 5:
            return None
        content = self.M if self.n_skills else None
        if sum(1 for s in seqs.values() if len(s) >= 3) >= TUNE_MIN_LEARNERS:
            # Enough history to fit the blend on a holdout of the organisation's own activity.
            return SequenceModel.fit_tuned(seqs, self.n, content=content, max_users=TUNE_MAX_USERS)
        return SequenceModel.fit(list(seqs.values()), self.n, content=content)

    def item(self, item_id: int) -> ItemInfo:
        return self.items[self.pos[item_id]]


class HybridRecommender:
    def __init__(
        self,
        index: CatalogIndex,
        *,
        weights: Mapping[str, float] | None = None,
        mmr_lambda: float = MMR_LAMBDA,
    ) -> None:
        self.index = index
        self.weights = dict(DEFAULT_WEIGHTS)
        self.weights.update(weights or {})
        self.mmr_lambda = mmr_lambda

    # -- signals --------------------------------------------------------------------------
    def _skill_vector(self, levels: Mapping[int, int]) -> np.ndarray:
        v = np.zeros(max(1, self.index.n_skills))
        for s, lvl in levels.items():
            j = self.index.skill_pos.get(s)
            if j is not None:
                v[j] = lvl
        return v

    def _gap_signal(
        self, profile: Mapping[int, tuple[int, bool]], current: np.ndarray
    ) -> np.ndarray:
        """Σ over an item's skills of tag weight x missing levels (/5, optional skills count half),
        only where the item's level is above the learner's current level on that skill."""
        ix = self.index
        if not profile or ix.n_skills == 0:
            return np.zeros(ix.n)
        gap = np.zeros(ix.n_skills)
        for s, (target, essential) in profile.items():
            j = ix.skill_pos.get(s)
            if j is not None:
                missing = max(0.0, target - current[j]) / 5.0
                gap[j] = missing * (1.0 if essential else 0.5)
        M = ix.M
        useful = ix.level[ix.nnz_item] > current[M.indices]
        contrib = M.data * gap[M.indices] * useful
        return np.bincount(ix.nnz_item, weights=contrib, minlength=ix.n)

    def signals(self, learner: LearnerProfile) -> dict[str, np.ndarray]:
        ix = self.index
        out: dict[str, np.ndarray] = {}
        out["popular"] = ix.popular
        out["fresh"] = ix.fresh
        if not learner.personalised:
            return out
        current = self._skill_vector(learner.skill_levels)
        if learner.role_profile:
            out["gap"] = _normalise(self._gap_signal(learner.role_profile, current))
        if learner.target_profile:
            out["target"] = _normalise(self._gap_signal(learner.target_profile, current))
        if learner.interests and ix.n_skills:
            v = np.zeros(ix.n_skills)
            for s in learner.interests:
                j = ix.skill_pos.get(s)
                if j is not None:
                    v[j] = 1.0
            out["interest"] = _normalise(np.asarray(ix.M @ v).ravel())
        history = [ix.pos[i] for i in learner.history if i in ix.pos]
        model = ix.sequence_model
        if history and model is not None:
            out["history"] = _normalise(np.maximum(model.scores(history), 0.0))
        for key, name, table in (
            (learner.role_id, "peers_role", ix.by_role),
            (learner.department_id, "peers_department", ix.by_department),
        ):
            if key is not None and key in table:
                out[name] = _normalise(np.log1p(table[key]))
        if learner.role_family and learner.role_family in ix.by_family and "peers_role" in out:
            family = _normalise(np.log1p(ix.by_family[learner.role_family]))
            out["peers_role"] = np.maximum(out["peers_role"], 0.5 * family)
        elif learner.role_family and learner.role_family in ix.by_family:
            out["peers_role"] = 0.5 * _normalise(np.log1p(ix.by_family[learner.role_family]))
        # level fit: the ideal item level is one above the learner's level on the item's skills
        if ix.n_skills:
            mine = np.asarray(ix.M @ current).ravel() / np.where(
                ix.skill_weight_sum > 0, ix.skill_weight_sum, 1.0
            )
            ideal = np.clip(mine + 1.0, 1.0, 5.0)
            fit = 1.0 - np.abs(ix.level - ideal) / 4.0
            out["level_fit"] = np.where(ix.skill_weight_sum > 0, fit, 0.5)
        # formats: those the learner chose, else the share of their history in each format
        fmt = np.zeros(len(ix.format_pos))
        if learner.preferred_formats:
            for f in learner.preferred_formats:
                if f in ix.format_pos:
                    fmt[ix.format_pos[f]] = 1.0
        elif history:
            fmt = np.bincount(ix.format_idx[history], minlength=len(ix.format_pos)).astype(float)
            fmt = fmt / fmt.max()
        if fmt.any():
            out["format"] = fmt[ix.format_idx]
        # the AI-literacy ladder: the next rung (one above the learner's) fits best
        if ix.ai_item is not None and learner.ai_literacy_level is not None:
            nxt = learner.ai_literacy_level + 1
            ladder = np.where(ix.level == nxt, 1.0, np.where(ix.level == nxt + 1, 0.4, 0.0))
            out["ai_ladder"] = np.where(ix.ai_item, ladder, 0.0)
        for name, source in (
            ("more_like", learner.more_like),
            ("not_for_me_like", learner.not_for_me),
        ):
            rows = [ix.pos[i] for i in source if i in ix.pos]
            if rows:
                sim = np.asarray(ix.M_unit @ (ix.M_unit[rows].sum(axis=0)).T).ravel()
                if model is not None:
                    sim = sim + np.asarray(model.similarity[rows].sum(axis=0)).ravel()
                sim += 0.3 * np.isin(
                    ix.collection_idx, ix.collection_idx[rows][ix.collection_idx[rows] > 0]
                )
                out[name] = _normalise(sim)
        return out

    # -- ranking --------------------------------------------------------------------------
    def recommend(self, learner: LearnerProfile, *, limit: int = 10) -> list[Recommendation]:
        ix = self.index
        if ix.n == 0 or limit <= 0:
            return []
        signals = self.signals(learner)
        weights = self.weights if learner.personalised else {"popular": 1.0, "fresh": 0.4}
        score = np.zeros(ix.n)
        for name, values in signals.items():
            score += weights.get(name, 0.0) * values
        excluded = [
            ix.pos[i]
            for i in (learner.done | learner.dismissed | set(learner.not_for_me))
            if i in ix.pos
        ]
        if learner.personalised:
            excluded += [ix.pos[i] for i in learner.more_like if i in ix.pos]
        score[excluded] = -np.inf
        available = ix.n - len(set(excluded))
        if available <= 0:
            return []
        pool_size = min(POOL, available)
        pool = np.argpartition(-score, pool_size - 1)[:pool_size]
        pool = pool[np.argsort(-score[pool], kind="stable")]
        chosen = self._diversify(pool, score[pool], min(limit, pool_size))
        sources: dict[int, int | None] = {}
        history = [ix.pos[h] for h in learner.history if h in ix.pos]
        if "history" in signals and ix.sequence_model is not None and history:
            found = ix.sequence_model.because_of(history, chosen)
            sources = dict(zip(chosen, found, strict=True))
        return [
            self._explain(learner, int(i), float(score[i]), signals, weights, sources)
            for i in chosen
        ]

    def _diversify(self, pool: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
        """Maximal marginal relevance: pick, one at a time, the item with the best
        ``λ·relevance - (1-λ)·max similarity to what is already picked``."""
        ix = self.index
        hi = float(scores.max())
        lo = min(0.0, float(scores.min()))
        rel = (scores - lo) / (hi - lo) if hi > lo else np.ones_like(scores)
        P = ix.M_unit[pool]
        S = 0.7 * np.asarray((P @ P.T).todense())
        S += 0.15 * (ix.format_idx[pool][:, None] == ix.format_idx[pool][None, :])
        coll = ix.collection_idx[pool]
        S += 0.3 * ((coll[:, None] == coll[None, :]) & (coll[:, None] > 0))
        S = np.minimum(S, 1.0)
        chosen: list[int] = []
        max_sim = np.zeros(len(pool))
        taken = np.zeros(len(pool), dtype=bool)
        lam = self.mmr_lambda
        for _ in range(k):
            value = lam * rel - (1 - lam) * max_sim
            value[taken] = -np.inf
            j = int(np.argmax(value))
            taken[j] = True
            chosen.append(int(pool[j]))
            max_sim = np.maximum(max_sim, S[j])
        return chosen

    # -- reasons --------------------------------------------------------------------------
    def _explain(
        self,
        learner: LearnerProfile,
        i: int,
        score: float,
        signals: Mapping[str, np.ndarray],
        weights: Mapping[str, float],
        sources: Mapping[int, int | None],
    ) -> Recommendation:
        ix = self.index
        item = ix.items[i]
        parts = {
            name: float(weights.get(name, 0.0) * values[i])
            for name, values in signals.items()
            if weights.get(name, 0.0) * values[i] != 0
        }
        positive = sum(v for v in parts.values() if v > 0) or 1.0
        reasons: list[Reason] = []
        for name, value in sorted(parts.items(), key=lambda kv: -kv[1]):
            if value <= 0 or value / positive < REASON_MIN_SHARE:
                continue
            text = self._reason_text(learner, name, i, item, sources.get(i))
            if text:
                reasons.append(Reason(signal=name, text=text, weight=round(value / positive, 3)))
            if len(reasons) == 3:
                break
        if not reasons:
            reasons.append(
                Reason(
                    signal="popular",
                    text="Popular across the organisation"
                    if signals["popular"][i] > 0
                    else "New in the catalog",
                    weight=1.0,
                )
            )
        return Recommendation(
            item_id=item.id,
            score=round(score, 4),
            reasons=tuple(reasons),
            signals={k: round(v, 4) for k, v in parts.items()},
            personalised=learner.personalised,
        )

    def _best_skill(
        self, i: int, profile: Mapping[int, tuple[int, bool]], learner: LearnerProfile
    ) -> str:
        item = self.index.items[i]
        best, best_value = None, 0.0
        for s, w in item.skills:
            if s not in profile:
                continue
            target, essential = profile[s]
            missing = max(0, target - learner.skill_levels.get(s, 0))
            value = w * missing * (1.0 if essential else 0.5)
            if value > best_value:
                best, best_value = s, value
        return self.index.skill_labels.get(best, "") if best is not None else ""

    def _reason_text(
        self, learner: LearnerProfile, name: str, i: int, item: ItemInfo, source: int | None
    ) -> str:
        ix = self.index
        if name == "gap":
            skill = self._best_skill(i, learner.role_profile, learner)
            role = learner.role_title or "your role"
            return f"Builds {skill}, a gap for your {role} role" if skill else ""
        if name == "target":
            skill = self._best_skill(i, learner.target_profile, learner)
            target = learner.target_title or "the skills you chose"
            return f"Builds {skill}, for your goal: {target}" if skill else ""
        if name == "interest":
            labels = [ix.skill_labels.get(s, "") for s, _ in item.skills if s in learner.interests]
            labels = [label for label in labels if label]
            return f"About {labels[0]}, one of your interests" if labels else ""
        if name == "history":
            if source is None:
                return "People with a learning history like yours took this next"
            return f"Because you took “{ix.items[source].title}”"
        if name == "more_like":
            rows = [h for h in learner.more_like if h in ix.pos]
            return f"More like “{ix.item(rows[-1]).title}”, as you asked" if rows else ""
        if name == "peers_role":
            return (
                f"Popular with people in your role ({learner.role_title})"
                if learner.role_title
                else "Popular with people in similar roles"
            )
        if name == "peers_department":
            return (
                f"Popular with people in {learner.department_name}"
                if learner.department_name
                else "Popular in your department"
            )
        if name == "popular":
            return "Popular across the organisation"
        if name == "fresh":
            return "New in the catalog"
        if name == "level_fit":
            tagged = [(s, w) for s, w in item.skills if w > 0]
            if not tagged:
                return ""
            mine = sum(w * learner.skill_levels.get(s, 0) for s, w in tagged) / sum(
                w for _, w in tagged
            )
            if abs(item.level - min(5.0, mine + 1.0)) >= 0.5:
                return ""
            level = LEVEL_NAMES.get(int(item.level), "")
            return f"At the right level for you ({level})" if level else ""
        if name == "format":
            noun = FORMAT_NOUNS.get(item.format, "a format")
            if learner.preferred_formats:
                return f"{noun[0].upper()}{noun[1:]}, a format you prefer"
            return f"{noun[0].upper()}{noun[1:]}, a format you often take"
        if name == "ai_ladder":
            rung = learner.ai_literacy_level or 0
            rungs = learner.ai_level_names
            if rungs and 1 <= rung <= len(rungs):
                return f"The next step on your AI-literacy ladder (you are at {rungs[rung - 1]})"
            return "A first step on the AI-literacy ladder"
        return ""
