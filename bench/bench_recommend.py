"""Recommendations for one learner at scale: 20,000 items and 10,000 learners (synthetic).

    .venv/bin/python bench/bench_recommend.py [--items 20000] [--learners 10000] [--runs 300]

Builds a synthetic organisation (a skills taxonomy, role profiles, departments, items tagged with
skills at levels, and learners whose histories follow role-related paths through the catalog), then
times, for randomly chosen learners:

- **trellis**: ``HybridRecommender.recommend`` (every signal: role gap, target, interests, history
  through the sequence model, peers in role and department, popularity, freshness, level fit,
  formats, AI ladder, MMR diversification and reasons), 10 results;
- **baseline**: the top 10 by popularity, skipping the learner's done items (one argpartition),
  measured in the same run on the same learners.

Prints p50/p95/max per learner, the ratio to the baseline, the index build time and the load
average (the machine is shared: figures move with it). Target: trellis p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trellis.discovery.engine.recommend import (  # noqa: E402
    CatalogIndex,
    HybridRecommender,
    ItemInfo,
    LearnerProfile,
)

FORMATS = ["course", "video", "article", "podcast", "interactive", "book_section"]


def build(
    n_items: int, n_learners: int, seed: int = 7
) -> tuple[CatalogIndex, list[LearnerProfile], float]:
    rng = np.random.default_rng(seed)
    n_skills, n_roles, n_departments = 2000, 60, 25
    ai_skills = list(range(n_skills, n_skills + 8))
    labels = {s: f"Skill {s}" for s in range(n_skills)} | {s: f"AI {s}" for s in ai_skills}
    # Items: 1-3 skills (clustered by topic), a level, a format, an age, a collection.
    topic_of_skill = rng.integers(0, 200, n_skills)
    skills_by_topic: dict[int, list[int]] = {}
    for s, t in enumerate(topic_of_skill):
        skills_by_topic.setdefault(int(t), []).append(s)
    items = []
    item_topic = rng.integers(0, 200, n_items)
    for i in range(n_items):
        pool = skills_by_topic.get(int(item_topic[i])) or [0]
        k = int(rng.integers(1, 4))
        chosen = {int(x) for x in rng.choice(pool, size=min(k, len(pool)), replace=False)}
        if rng.random() < 0.03:
            chosen.add(int(rng.choice(ai_skills)))
        items.append(
            ItemInfo(
                id=100_000 + i,
                title=f"Item {i}",
                format=FORMATS[int(rng.integers(0, len(FORMATS)))],
                level=int(rng.integers(1, 6)),
                skills=tuple((s, float(rng.uniform(0.4, 1.0))) for s in sorted(chosen)),
                age_days=float(rng.exponential(300)),
                collection=f"Book {i // 40}" if rng.random() < 0.3 else "",
            )
        )
    # Roles: 15 skills each from 3 topics; learners in a role walk items of those topics.
    role_topics = [rng.choice(200, 3, replace=False) for _ in range(n_roles)]
    role_profiles = []
    for topics in role_topics:
        skills = [s for t in topics for s in skills_by_topic.get(int(t), [])][:15]
        role_profiles.append(
            {int(s): (int(rng.integers(2, 5)), bool(rng.random() < 0.7)) for s in skills}
        )
    items_by_topic: dict[int, np.ndarray] = {}
    for t in range(200):
        items_by_topic[t] = np.flatnonzero(item_topic == t)
    activity: list[tuple[int, int]] = []
    groups: dict[int, tuple[int | None, str, int | None]] = {}
    learners = []
    events = []
    for u in range(n_learners):
        role = int(rng.integers(0, n_roles))
        dept = int(rng.integers(0, n_departments))
        groups[u] = (role, f"Family {role % 8}", dept)
        n_hist = int(rng.integers(5, 45))
        topics = role_topics[role]
        history = []
        for _ in range(n_hist):
            t = int(rng.choice(topics)) if rng.random() < 0.75 else int(rng.integers(0, 200))
            candidates = items_by_topic[t]
            if len(candidates):
                history.append(int(items[int(rng.choice(candidates))].id))
        history = list(dict.fromkeys(history))
        for n, item_id in enumerate(history):
            events.append((float(rng.random() * 180 + n), u, item_id))
        learners.append(
            LearnerProfile(
                key=u,
                role_id=role,
                role_title=f"Role {role}",
                role_family=f"Family {role % 8}",
                department_id=dept,
                department_name=f"Department {dept}",
                role_profile=role_profiles[role],
                skill_levels={s: int(rng.integers(1, 4)) for s in list(role_profiles[role])[:5]},
                interests={int(rng.integers(0, n_skills))},
                history=history,
                done=set(history[: max(1, len(history) * 2 // 3)]),
                ai_literacy_level=int(rng.integers(0, 4)),
                ai_level_names=("Aware", "Exploring", "Practitioner", "Proficient", "Advanced"),
            )
        )
    events.sort()
    activity = [(u, item_id) for _, u, item_id in events]
    recent = activity[-len(activity) // 4 :]
    t0 = time.perf_counter()
    index = CatalogIndex(
        items,
        skill_labels=labels,
        ai_skills=ai_skills,
        activity=activity,
        recent_activity=recent,
        learner_groups=groups,
    )
    return index, learners, time.perf_counter() - t0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    index, learners, build_s = build(args.items, args.learners)
    recommender = HybridRecommender(index)
    rng = np.random.default_rng(1)
    chosen = [learners[int(i)] for i in rng.integers(0, len(learners), args.runs)]
    for learner in chosen[:10]:  # warm-up (caches, lazy matrices)
        recommender.recommend(learner, limit=10)
    trellis_ms, base_ms = [], []
    for learner in chosen:
        t0 = time.perf_counter()
        recs = recommender.recommend(learner, limit=10)
        trellis_ms.append((time.perf_counter() - t0) * 1000)
        assert len(recs) == 10 and all(r.reasons for r in recs)
        t0 = time.perf_counter()
        scores = index.popular.copy()
        done = [index.pos[i] for i in learner.done if i in index.pos]
        scores[done] = -np.inf
        top = np.argpartition(-scores, 9)[:10]
        top = top[np.argsort(-scores[top])]
        base_ms.append((time.perf_counter() - t0) * 1000)
    result = {
        "items": args.items,
        "learners": args.learners,
        "interactions": int(index.sequence_model.users.nnz) if index.sequence_model else 0,
        "runs": args.runs,
        "index_build_s": round(build_s, 2),
        "trellis_ms": {
            "p50": round(statistics.median(trellis_ms), 2),
            "p95": round(percentile(trellis_ms, 95), 2),
            "max": round(max(trellis_ms), 2),
        },
        "baseline_popularity_ms": {
            "p50": round(statistics.median(base_ms), 3),
            "p95": round(percentile(base_ms, 95), 3),
        },
        "ratio_p95": round(percentile(trellis_ms, 95) / max(1e-9, percentile(base_ms, 95)), 1),
        "target_p95_ms": 30,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
