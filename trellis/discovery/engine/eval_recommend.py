"""``trellis eval recommend``: offline evaluation of the recommender against baselines.

    trellis eval recommend --train FILE --test FILE [--k 10] [--items FILE]

FILEs are JSON lines ``{"user": ..., "item": ..., "ts"?: ...}`` (ids may be strings or numbers).
Each user's training items are taken in ``ts`` order when given, else in file order. The command
trains on ``--train`` only, ranks every item not seen in training for each test user, and prints
one JSON object: Recall@10, Recall@20, NDCG@10, NDCG@20 and catalog coverage (share of the catalog
in at least one top-``k`` list) for Trellis's sequence model and for popularity, ItemKNN and EASE,
all run in this process on the same data.

``--items`` (optional) is JSON lines with an item id (``item``, ``id`` or any key ending in
``idx``/``_id``) and side information: string fields become categories (one-hot), the first numeric
field becomes a numeric feature (log-scaled). Hyper-parameters of every method (the sequence
model's blend weights, ItemKNN's neighbourhood size, EASE's λ) are chosen on a holdout carved from
the training file (each user's last 20%), never on the test file.

Metric definitions: for a test user with relevant set R (test items not already in their training
items) and ranked list L, Recall@K = |L[:K] ∩ R| / |R|; NDCG@K = DCG@K / IDCG@K with binary gains
and log2 discounts, IDCG over min(|R|, K) hits. Averages are over test users with a non-empty R.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from trellis.discovery.engine.baselines import EASE, ItemKNN, Popularity, interaction_matrix
from trellis.discovery.engine.recommend import SequenceModel, holdout_split

CUTOFFS = (10, 20)
EASE_LAMBDAS = (10.0, 50.0, 200.0, 500.0)
KNN_SIZES = (20, 50, 100, 200)


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    if not Path(path).is_file():
        raise SystemExit(f"{path}: no such file")
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise SystemExit(f"{path}:{number}: expected a JSON object")
            rows.append(row)
    return rows


def _interactions(rows: list[dict[str, Any]], path: str) -> list[tuple[Any, Any, Any, int]]:
    out = []
    for n, row in enumerate(rows, 1):
        if "user" not in row or "item" not in row:
            raise SystemExit(f"{path}: row {n} needs 'user' and 'item'")
        out.append((row["user"], row["item"], row.get("ts"), n))
    return out


def _sequences(
    interactions: list[tuple[Any, Any, Any, int]], item_pos: dict[Any, int]
) -> dict[Any, list[int]]:
    by_user: dict[Any, list[tuple[Any, int, int]]] = {}
    for user, item, ts, n in interactions:
        by_user.setdefault(user, []).append((ts, n, item_pos[item]))
    seqs = {}
    for user, events in by_user.items():
        if all(ts is not None for ts, _, _ in events):
            events.sort(key=lambda e: (e[0], e[1]))
        seqs[user] = list(dict.fromkeys(i for _, _, i in events))
    return seqs


def _side_information(
    rows: list[dict[str, Any]], item_pos: dict[Any, int], n_items: int
) -> tuple[sp.csr_matrix | None, np.ndarray | None]:
    if not rows:
        return None, None
    id_key = next(
        (k for k in ("item", "id") if k in rows[0]),
        next((k for k in rows[0] if k.endswith(("idx", "_id", "idx2"))), None),
    )
    if id_key is None:
        raise SystemExit("--items: each row needs an item id ('item', 'id' or a key ending in _id)")
    categories: dict[tuple[str, str], int] = {}
    cells: list[tuple[int, int]] = []
    numeric_key = next(
        (
            k
            for k, v in rows[0].items()
            if k != id_key and isinstance(v, int | float) and not isinstance(v, bool)
        ),
        None,
    )
    numeric = np.zeros(n_items)
    seen_numeric = np.zeros(n_items, dtype=bool)
    for row in rows:
        pos = item_pos.get(row.get(id_key))
        if pos is None:
            continue
        for k, v in row.items():
            if k == id_key:
                continue
            values = v if isinstance(v, list) else [v]
            for value in values:
                if isinstance(value, str):
                    col = categories.setdefault((k, value), len(categories))
                    cells.append((pos, col))
        if numeric_key is not None and isinstance(row.get(numeric_key), int | float):
            numeric[pos] = math.log1p(max(0.0, float(row[numeric_key])))
            seen_numeric[pos] = True
    content = None
    if cells:
        r, c = zip(*cells, strict=True)
        content = sp.csr_matrix(
            (np.ones(len(r)), (np.asarray(r), np.asarray(c))), shape=(n_items, len(categories))
        )
    if numeric_key is None or not seen_numeric.any():
        return content, None
    numeric[~seen_numeric] = float(numeric[seen_numeric].mean())
    return content, numeric


def _rank_metrics(
    score_rows: Callable[[list[Any]], np.ndarray],
    users: list[Any],
    seen: dict[Any, list[int]],
    relevant: dict[Any, set[int]],
    n_items: int,
    k_cov: int,
    batch: int = 512,
) -> dict[str, float]:
    cutoffs = sorted(set(CUTOFFS) | {k_cov})
    depth = max(cutoffs)
    recall = {k: 0.0 for k in cutoffs}
    ndcg = {k: 0.0 for k in cutoffs}
    covered = np.zeros(n_items, dtype=bool)
    discounts = 1.0 / np.log2(np.arange(2, depth + 2))
    for start in range(0, len(users), batch):
        chunk = users[start : start + batch]
        S = np.asarray(score_rows(chunk), dtype=np.float64)
        for row, user in enumerate(chunk):
            s = S[row]
            if seen.get(user):
                s[seen[user]] = -np.inf
            d = min(depth, n_items)
            top = np.argpartition(-s, d - 1)[:d]
            top = top[np.lexsort((top, -s[top]))]
            covered[top[: min(k_cov, d)]] = True
            rel = relevant[user]
            hits = np.fromiter((t in rel for t in top), dtype=np.float64, count=len(top))
            for k in cutoffs:
                h = hits[:k]
                recall[k] += h.sum() / len(rel)
                ideal = discounts[: min(len(rel), k)].sum()
                ndcg[k] += float((h * discounts[: len(h)]).sum() / ideal)
    n = max(1, len(users))
    out: dict[str, float] = {}
    for k in cutoffs:
        out[f"Recall@{k}"] = round(recall[k] / n, 4)
        out[f"NDCG@{k}"] = round(ndcg[k] / n, 4)
    out[f"coverage@{k_cov}"] = round(float(covered.mean()), 4)
    return out


def _holdout_choice(
    seqs: dict[Any, list[int]],
    n_items: int,
    options: Sequence[Any],
    make: Callable[[Any], Any],
) -> Any:
    """The option whose model scores the best Recall@10 + NDCG@10 on a holdout of the training data."""
    inner, held = holdout_split(seqs)
    users = [u for u in held if inner.get(u)]
    if len(users) < 20 or len(options) == 1:
        return options[0]
    X = interaction_matrix([inner[u] for u in users], n_items)
    Xall = interaction_matrix(list(inner.values()), n_items)
    row = {u: i for i, u in enumerate(users)}
    rel = {u: set(held[u]) - set(inner[u]) for u in users}
    users = [u for u in users if rel[u]]
    best, best_value = options[0], -1.0
    for option in options:
        model = make(option).fit(Xall)

        def score(chunk: list[Any], model: Any = model) -> np.ndarray:
            return np.asarray(model.score(X[[row[u] for u in chunk]]))

        m = _rank_metrics(
            score,
            users,
            inner,
            rel,
            n_items,
            10,
        )
        value = m["Recall@10"] + m["NDCG@10"]
        if value > best_value:
            best, best_value = option, value
    return best


def evaluate(
    train_rows: list[dict[str, Any]],
    test_rows: list[dict[str, Any]],
    item_rows: list[dict[str, Any]] | None = None,
    *,
    k: int = 10,
    baselines: bool = True,
    model_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    train = _interactions(train_rows, "--train")
    test = _interactions(test_rows, "--test")
    item_ids: dict[Any, int] = {}
    for _, item, _, _ in train:
        item_ids.setdefault(item, len(item_ids))
    if item_rows:
        id_key = next(
            (key for key in ("item", "id") if key in item_rows[0]),
            next((key for key in item_rows[0] if key.endswith(("idx", "_id", "idx2"))), None),
        )
        for row in item_rows:
            if id_key is not None and id_key in row:
                item_ids.setdefault(row[id_key], len(item_ids))
    for _, item, _, _ in test:
        item_ids.setdefault(item, len(item_ids))
    n_items = len(item_ids)
    seqs = _sequences(train, item_ids)
    test_items: dict[Any, set[int]] = {}
    for user, item, _, _ in test:
        test_items.setdefault(user, set()).add(item_ids[item])
    relevant = {u: items - set(seqs.get(u, ())) for u, items in test_items.items()}
    users = [u for u, items in relevant.items() if items]
    content, numeric = _side_information(item_rows or [], item_ids, n_items)

    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    t0 = time.perf_counter()
    model = SequenceModel.fit_tuned(
        seqs, n_items, content=content, numeric=numeric, **(model_options or {})
    )
    timings["trellis_fit"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    results["trellis"] = _rank_metrics(
        lambda chunk: np.vstack([model.scores(seqs.get(u, [])) for u in chunk]),
        users,
        seqs,
        relevant,
        n_items,
        k,
    )
    timings["trellis_rank"] = time.perf_counter() - t0
    params: dict[str, Any] = {
        "trellis_options": model_options or {},
        "trellis_weights": model.weights_dict(),
    }

    if baselines:
        train_users = list(seqs)
        row = {u: i for i, u in enumerate(train_users)}
        X = interaction_matrix([seqs[u] for u in train_users], n_items)
        empty = sp.csr_matrix((1, n_items))

        def rows_of(chunk: list[Any]) -> sp.csr_matrix:
            return sp.vstack([X[row[u]] if u in row else empty for u in chunk]).tocsr()

        knn_k = _holdout_choice(seqs, n_items, KNN_SIZES, lambda kk: ItemKNN(k=kk))
        lam = _holdout_choice(seqs, n_items, EASE_LAMBDAS, lambda lam: EASE(lam=lam))
        params.update({"itemknn_k": knn_k, "ease_lambda": lam})
        for name, method in (
            ("popularity", Popularity()),
            ("itemknn", ItemKNN(k=knn_k)),
            ("ease", EASE(lam=lam)),
        ):
            t0 = time.perf_counter()
            method.fit(X)

            def score_rows(chunk: list[Any], method: Any = method) -> np.ndarray:
                return np.asarray(method.score(rows_of(chunk)))

            results[name] = _rank_metrics(score_rows, users, seqs, relevant, n_items, k)
            timings[name] = time.perf_counter() - t0
    return {
        "data": {
            "train_users": len(seqs),
            "train_interactions": sum(len(s) for s in seqs.values()),
            "test_users": len(users),
            "test_interactions": sum(len(relevant[u]) for u in users),
            "items": n_items,
            "item_side_information": content is not None or numeric is not None,
        },
        "k": k,
        **results,
        "params": params,
        "seconds": {key: round(v, 2) for key, v in timings.items()},
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trellis eval recommend",
        description="Train on --train, rank all unseen items for each --test user, print metrics "
        "for Trellis and for popularity, ItemKNN and EASE as one JSON object.",
    )
    parser.add_argument("--train", required=True, help='JSON lines {"user", "item", "ts"?}')
    parser.add_argument("--test", required=True, help="JSON lines, same format")
    parser.add_argument("--k", type=int, default=10, help="list length for catalog coverage")
    parser.add_argument("--items", help="JSON lines of item side information (optional)")
    parser.add_argument("--no-baselines", action="store_true", help="only Trellis's model")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.k < 1:
        raise SystemExit("--k must be at least 1")
    result = evaluate(
        read_jsonl(args.train),
        read_jsonl(args.test),
        read_jsonl(args.items) if args.items else None,
        k=args.k,
        baselines=not args.no_baselines,
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
