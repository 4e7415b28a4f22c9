"""The recommendation engine alone (no database): ranking, reasons, exclusions, cold start, MMR."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from trellis.discovery.engine import eval_recommend
from trellis.discovery.engine.baselines import EASE, ItemKNN, Popularity, interaction_matrix
from trellis.discovery.engine.recommend import (
    CatalogIndex,
    HybridRecommender,
    ItemInfo,
    LearnerProfile,
    SequenceModel,
    holdout_split,
)

PYTHON, SQL, EXCEL, AI = 1, 2, 3, 4
LABELS = {PYTHON: "Python", SQL: "SQL", EXCEL: "Excel", AI: "AI foundations"}


def item(id_: int, title: str, skills=(), level=2, fmt="course", age=400.0, collection=""):
    return ItemInfo(
        id=id_,
        title=title,
        format=fmt,
        level=level,
        skills=tuple((s, 1.0) for s in skills),
        age_days=age,
        collection=collection,
    )


def catalog(**kwargs):
    items = [
        item(10, "Python for analysts", [PYTHON], level=3),
        item(11, "Advanced Excel", [EXCEL], level=4),
        item(12, "SQL joins", [SQL], level=2),
        item(13, "What is AI", [AI], level=1, fmt="video"),
        item(14, "Prompting at work", [AI], level=2, fmt="video"),
        item(15, "Team lunch etiquette", [], level=1, fmt="article"),
    ]
    return CatalogIndex(items, skill_labels=LABELS, ai_skills=[AI], **kwargs)


def analyst(**kwargs) -> LearnerProfile:
    base = dict(
        key=1,
        role_id=7,
        role_title="Data Analyst",
        role_profile={PYTHON: (3, True), SQL: (2, False)},
        skill_levels={PYTHON: 1, SQL: 2},
    )
    base.update(kwargs)
    return LearnerProfile(**base)


def texts(rec) -> list[str]:
    return [r.text for r in rec.reasons]


def test_skill_gap_ranks_first_with_its_reason_in_plain_words():
    recs = HybridRecommender(catalog()).recommend(analyst(), limit=3)
    assert recs[0].item_id == 10
    assert texts(recs[0])[0] == "Builds Python, a gap for your Data Analyst role"
    assert recs[0].signals["gap"] > 0
    assert recs[0].personalised is True


def test_a_skill_already_at_target_is_no_gap():
    # SQL is at its target (2): the SQL item gets no gap signal.
    rec = {r.item_id: r for r in HybridRecommender(catalog()).recommend(analyst(), limit=6)}
    assert "gap" not in rec[12].signals


def test_done_dismissed_and_not_for_me_items_are_never_recommended():
    learner = analyst(done={10}, dismissed={11}, not_for_me=[12])
    ids = [r.item_id for r in HybridRecommender(catalog()).recommend(learner, limit=10)]
    assert sorted(ids) == [13, 14, 15]


def test_target_and_interest_reasons():
    learner = analyst(
        role_profile={},
        target_profile={SQL: (4, True)},
        target_title="Data Engineer",
        interests={AI},
        skill_levels={SQL: 1},
    )
    recs = {r.item_id: r for r in HybridRecommender(catalog()).recommend(learner, limit=6)}
    assert "Builds SQL, for your goal: Data Engineer" in texts(recs[12])
    assert "About AI foundations, one of your interests" in texts(recs[13])


def test_new_hire_cold_start_uses_role_profile_and_department_popularity():
    activity = [(100 + n, 11) for n in range(8)] + [(200, 15)]
    groups = {100 + n: (None, "", 5) for n in range(8)}
    index = catalog(activity=activity, learner_groups=groups)
    learner = LearnerProfile(
        key=1,
        role_id=7,
        role_title="Data Analyst",
        department_id=5,
        department_name="Finance",
        role_profile={PYTHON: (3, True)},
    )
    recs = HybridRecommender(index).recommend(learner, limit=6)
    by_id = {r.item_id: r for r in recs}
    assert recs[0].item_id == 10  # the gap, though nobody took it yet (a new item)
    assert "Popular with people in Finance" in texts(by_id[11])


def test_history_gives_because_you_took_reason():
    # 30 learners took "SQL joins" then "Python for analysts".
    activity = [(n, 12) for n in range(30)] + [(n, 10) for n in range(30)]
    activity.sort(key=lambda pair: pair[0])
    index = catalog(activity=activity)
    learner = LearnerProfile(key=99, history=[12], done={12})
    recs = HybridRecommender(index).recommend(learner, limit=3)
    assert recs[0].item_id == 10
    assert "Because you took “SQL joins”" in texts(recs[0])


def test_ai_literacy_ladder_prefers_the_next_rung():
    learner = LearnerProfile(key=1, ai_literacy_level=1, ai_level_names=("Aware", "Exploring"))
    recs = {r.item_id: r for r in HybridRecommender(catalog()).recommend(learner, limit=6)}
    assert recs[14].signals.get("ai_ladder", 0) > recs[13].signals.get("ai_ladder", 0)
    assert "The next step on your AI-literacy ladder (you are at Aware)" in texts(recs[14])


def test_non_personalised_feed_uses_only_popularity_and_freshness():
    activity = [(n, 15) for n in range(5)]
    index = catalog(activity=activity)
    recs = HybridRecommender(index).recommend(analyst(personalised=False), limit=6)
    assert recs[0].item_id == 15
    assert {s for r in recs for s in r.signals} <= {"popular", "fresh"}
    assert all(not r.personalised for r in recs)
    assert texts(recs[0]) == ["Popular across the organisation"]


def test_more_like_this_boosts_similar_items():
    learner = LearnerProfile(key=1, more_like=[13])
    recs = HybridRecommender(catalog()).recommend(learner, limit=5)
    assert recs[0].item_id == 14
    assert "More like “What is AI”, as you asked" in texts(recs[0])
    assert 13 not in [r.item_id for r in recs]


def test_mmr_diversifies_a_list_dominated_by_one_collection():
    items = [
        item(i, f"Python part {i}", [PYTHON], level=3, collection="Python book") for i in range(10)
    ]
    items += [item(100, "SQL basics", [SQL], level=3)]
    index = CatalogIndex(items, skill_labels=LABELS)
    learner = analyst(role_profile={PYTHON: (4, True), SQL: (4, False)}, skill_levels={})
    diverse = [r.item_id for r in HybridRecommender(index).recommend(learner, limit=3)]
    plain = [
        r.item_id for r in HybridRecommender(index, mmr_lambda=1.0).recommend(learner, limit=3)
    ]
    assert 100 in diverse
    assert 100 not in plain


def _synthetic_sequences(n_users=300, n_items=40, seed=1):
    """Learners walk a chain of items (i -> i+1 -> i+2 ...) with some noise."""
    rng = np.random.default_rng(seed)
    seqs = {}
    for u in range(n_users):
        start = int(rng.integers(0, n_items - 8))
        seq = [start + j for j in range(int(rng.integers(4, 8)))]
        if rng.random() < 0.3:
            seq.insert(2, int(rng.integers(0, n_items)))
        seqs[u] = list(dict.fromkeys(seq))
    return seqs


def test_sequence_model_learns_order_and_beats_baselines_on_a_chain():
    seqs = _synthetic_sequences()
    train, test = holdout_split(seqs)
    model = SequenceModel.fit_tuned(train, 40)
    users = [u for u in test if train.get(u)]
    hits = 0
    for u in users:
        s = model.scores(train[u])
        s[train[u]] = -np.inf
        hits += int(np.argmax(s) in test[u])
    X = interaction_matrix([train[u] for u in users], 40)
    base_hits = {}
    for name, m in (("pop", Popularity()), ("knn", ItemKNN(k=20)), ("ease", EASE(lam=10))):
        m.fit(interaction_matrix(list(train.values()), 40))
        S = m.score(X)
        S[X.toarray() > 0] = -np.inf
        base_hits[name] = sum(int(np.argmax(S[i]) in test[u]) for i, u in enumerate(users))
    assert hits / len(users) > 0.6
    assert hits > max(base_hits.values())


def test_eval_recommend_prints_metrics_for_trellis_and_baselines(tmp_path, capsys):
    seqs = _synthetic_sequences(n_users=120)
    train, test = holdout_split(seqs)
    for name, data in (("train", train), ("test", test)):
        with open(tmp_path / f"{name}.jsonl", "w") as f:
            for u, items in data.items():
                for t, i in enumerate(items):
                    f.write(json.dumps({"user": f"u{u}", "item": f"i{i}", "ts": t}) + "\n")
    with open(tmp_path / "items.jsonl", "w") as f:
        for i in range(40):
            f.write(json.dumps({"item": f"i{i}", "topic": f"t{i // 10}", "length": 10 + i}) + "\n")
    args = ["--train", str(tmp_path / "train.jsonl"), "--test", str(tmp_path / "test.jsonl")]
    assert eval_recommend.main([*args, "--items", str(tmp_path / "items.jsonl")]) == 0
    out = json.loads(capsys.readouterr().out)
    for method in ("trellis", "popularity", "itemknn", "ease"):
        assert set(out[method]) == {
            "Recall@10",
            "Recall@20",
            "NDCG@10",
            "NDCG@20",
            "coverage@10",
        }
        assert 0 <= out[method]["Recall@10"] <= out[method]["Recall@20"] <= 1
    assert out["data"]["items"] == 40
    assert out["data"]["item_side_information"] is True
    assert out["trellis"]["Recall@10"] > out["popularity"]["Recall@10"]


def test_engine_imports_no_django():
    code = (
        "import sys; import trellis.discovery.engine.recommend, "
        "trellis.discovery.engine.baselines, trellis.discovery.engine.eval_recommend, "
        "trellis.discovery.engine.fairness; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_format_freshness_level_and_role_peer_reasons():
    activity = [(100 + n, 12) for n in range(8)]
    groups = {100 + n: (7, "", None) for n in range(8)}  # the analyst's role took "SQL joins"
    items = [
        item(12, "SQL joins", [SQL], level=2),
        item(13, "What is AI", [AI], level=1, fmt="video"),
        item(16, "Brand new podcast", [], level=1, fmt="podcast", age=1.0),
        item(17, "Excel step up", [EXCEL], level=2, fmt="article"),
    ]
    index = CatalogIndex(
        items, skill_labels=LABELS, ai_skills=[], activity=activity, learner_groups=groups
    )
    learner = LearnerProfile(
        key=1,
        role_id=7,
        role_title="Data Analyst",
        skill_levels={EXCEL: 1},
        preferred_formats={"video"},
    )
    recs = {r.item_id: r for r in HybridRecommender(index).recommend(learner, limit=4)}
    assert "Popular with people in your role (Data Analyst)" in texts(recs[12])
    assert texts(recs[13]) == [
        "At the right level for you (introductory)",
        "A video, a format you prefer",
    ]
    assert "New in the catalog" in texts(recs[16])
    assert "At the right level for you (beginner)" in texts(recs[17])


def test_every_reason_carries_at_least_its_share_and_at_most_three_are_named():
    activity = [(n, 10 + n % 6) for n in range(60)]
    learner = analyst(interests={AI}, preferred_formats={"video"}, history=[15])
    recs = HybridRecommender(catalog(activity=activity)).recommend(learner, limit=6)
    assert len(recs) == 6  # in the history but not done (done items are the ones excluded)
    for rec in recs:
        assert 1 <= len(rec.reasons) <= 3
        weights = [r.weight for r in rec.reasons]
        assert weights == sorted(weights, reverse=True)
        positive = sum(v for v in rec.signals.values() if v > 0)
        for reason in rec.reasons:
            if reason.weight < 1.0:  # the fallback reason carries the whole score
                assert rec.signals[reason.signal] / positive >= 0.12
