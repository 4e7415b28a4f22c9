"""The learning-path engine alone (no database): constraints, optimality, re-planning inputs."""

from __future__ import annotations

import itertools
import random

import pytest

from trellis.discovery.engine.paths import (
    NoOrderedPlan,
    PathConstraints,
    PathItem,
    SkillGoal,
    alternatives,
    build_problem,
    exact_cost,
    explain_step,
    plan_path,
    rung_for,
)

PY, SQL, STATS = 1, 2, 3


def item(id: int, minutes: int, *teaches: tuple[int, int], fmt: str = "course") -> PathItem:
    return PathItem(id, minutes, fmt, max(r for _, r in teaches), tuple(sorted(teaches)))


def ids(plan) -> list[int]:
    return [s.item_id for s in plan.steps]


def test_rung_is_the_level_the_lrs_records_as_evidence():
    from trellis.lrs.projection import evidence_level

    for level in range(1, 6):
        for weight in (0.0, 0.1, 0.2, 0.21, 0.4, 0.5, 0.6, 0.8, 0.99, 1.0):
            assert rung_for(item_level=level, weight=weight) == evidence_level(
                item_level=level, weight=weight
            )


def test_lower_levels_come_before_higher_ones_on_the_same_skill():
    items = [item(3, 30, (PY, 3)), item(1, 30, (PY, 1)), item(2, 30, (PY, 2))]
    plan = plan_path([SkillGoal(PY, 0, 3)], items)
    assert ids(plan) == [1, 2, 3]
    assert [s.covers for s in plan.steps] == [[(PY, 1)], [(PY, 2)], [(PY, 3)]]
    assert [s.requires for s in plan.steps] == [[], [(PY, 1)], [(PY, 2)]]
    assert [s.after for s in plan.steps] == [[], [1], [2]]
    assert plan.reached == {PY: 3}


def test_prerequisites_on_every_skill_of_the_target_hold_in_the_order():
    # 10 teaches SQL 2 but needs Python 2 first; it is cheap, so it is chosen, after 11
    items = [
        item(10, 20, (SQL, 1), (PY, 2)),
        item(11, 40, (PY, 1)),
        item(12, 40, (SQL, 2)),
    ]
    goals = [SkillGoal(PY, 0, 2), SkillGoal(SQL, 0, 2)]
    plan = plan_path(goals, items)
    assert ids(plan) == [11, 10, 12]
    assert plan.total_minutes == 100
    assert plan.order_warnings == []


def test_an_item_too_far_above_the_target_is_never_chosen():
    items = [item(1, 5, (PY, 1), (SQL, 4)), item(2, 60, (PY, 1))]
    plan = plan_path([SkillGoal(PY, 0, 1), SkillGoal(SQL, 0, 2)], items)
    assert ids(plan) == [2]
    assert plan.uncovered == [(SQL, 1), (SQL, 2)]


def test_a_rung_no_item_teaches_is_reported_and_does_not_block_the_ladder():
    items = [item(1, 30, (PY, 1)), item(3, 30, (PY, 3))]
    plan = plan_path([SkillGoal(PY, 0, 3)], items)
    assert ids(plan) == [1, 3]
    assert plan.uncovered == [(PY, 2)]
    assert plan.steps[1].requires == [(PY, 1)]


def test_the_current_level_counts_and_lower_rungs_are_not_planned():
    items = [item(1, 10, (PY, 1)), item(2, 10, (PY, 2)), item(3, 10, (PY, 3))]
    plan = plan_path([SkillGoal(PY, 2, 3)], items)
    assert ids(plan) == [3]
    assert plan.steps[0].requires == []


def test_one_longer_item_covering_two_gaps_beats_two_shorter_ones_only_when_it_saves_time():
    items = [item(1, 50, (PY, 1)), item(2, 50, (SQL, 1)), item(3, 90, (PY, 1), (SQL, 1))]
    goals = [SkillGoal(PY, 0, 1), SkillGoal(SQL, 0, 1)]
    assert ids(plan_path(goals, items)) == [3]
    items[2] = item(3, 110, (PY, 1), (SQL, 1))
    assert sorted(ids(plan_path(goals, items))) == [1, 2]


def test_weekly_budget_sets_the_weeks_of_each_step():
    items = [item(1, 60, (PY, 1)), item(2, 100, (PY, 2)), item(3, 20, (PY, 3))]
    plan = plan_path([SkillGoal(PY, 0, 3)], items, PathConstraints(weekly_minutes=90))
    assert [(s.week_start, s.week_end) for s in plan.steps] == [(1, 1), (1, 2), (2, 2)]
    assert [s.start_minute for s in plan.steps] == [0, 60, 160]
    assert plan.total_minutes == 180
    assert plan.weeks_needed == 2


def test_deadline_that_fits():
    items = [item(1, 60, (PY, 1)), item(2, 60, (PY, 2))]
    plan = plan_path(
        [SkillGoal(PY, 0, 2)], items, PathConstraints(weekly_minutes=60, deadline_weeks=2)
    )
    assert plan.fits_deadline is True
    assert all(s.by_deadline for s in plan.steps)
    assert plan.reached_by_deadline == {PY: 2}


def test_deadline_that_cannot_be_met_says_what_would_meet_it():
    items = [item(1, 120, (PY, 1)), item(2, 120, (PY, 2)), item(3, 120, (SQL, 1))]
    goals = [SkillGoal(PY, 0, 2), SkillGoal(SQL, 0, 1)]
    plan = plan_path(goals, items, PathConstraints(weekly_minutes=60, deadline_weeks=4))
    assert plan.total_minutes == 360
    assert plan.weeks_needed == 6
    assert plan.fits_deadline is False
    assert plan.weekly_minutes_needed == 90  # 360 minutes over 4 weeks
    assert [s.by_deadline for s in plan.steps] == [True, True, False]
    assert sum(plan.reached_by_deadline.values()) == 2


def test_preferred_formats_filter_with_a_fallback_where_none_teaches_a_rung():
    items = [
        item(1, 60, (PY, 1), fmt="course"),
        item(2, 90, (PY, 1), fmt="video"),
        item(3, 30, (PY, 2), fmt="course"),
        item(4, 10, (PY, 2), fmt="article"),
        item(5, 40, (PY, 3), fmt="course"),
    ]
    plan = plan_path(
        [SkillGoal(PY, 0, 3)],
        items,
        PathConstraints(preferred_formats=frozenset({"video", "article"})),
    )
    assert ids(plan) == [2, 4, 5]
    assert [s.fallback_format for s in plan.steps] == [False, False, True]
    # without a preference the shorter course wins rung 1
    assert ids(plan_path([SkillGoal(PY, 0, 3)], items)) == [1, 4, 5]


def test_skipped_items_are_replaced_and_swapped_in_items_are_kept():
    items = [item(1, 30, (PY, 1)), item(2, 45, (PY, 1)), item(3, 60, (PY, 1))]
    goals = [SkillGoal(PY, 0, 1)]
    assert ids(plan_path(goals, items)) == [1]
    assert ids(plan_path(goals, items, PathConstraints(excluded=frozenset({1})))) == [2]
    swapped = plan_path(goals, items, PathConstraints(excluded=frozenset({1}), pinned=(3,)))
    assert ids(swapped) == [3]
    assert swapped.steps[0].pinned is True


def test_skipping_the_only_item_for_a_rung_leaves_it_uncovered():
    items = [item(1, 30, (PY, 1)), item(2, 30, (PY, 2))]
    plan = plan_path([SkillGoal(PY, 0, 2)], items, PathConstraints(excluded=frozenset({2})))
    assert ids(plan) == [1]
    assert plan.uncovered == [(PY, 2)]


def test_completed_items_are_not_planned_again():
    items = [item(1, 30, (PY, 1)), item(2, 60, (PY, 1))]
    plan = plan_path([SkillGoal(PY, 0, 1)], items, PathConstraints(completed=frozenset({1})))
    assert ids(plan) == [2]


def test_a_prerequisite_cycle_is_broken_by_another_item():
    # A needs Python 2 (taught by B), B needs SQL 2 (taught by A): no order takes both
    a = item(1, 30, (PY, 3), (SQL, 2))
    b = item(2, 30, (PY, 2), (SQL, 3))
    c = item(3, 40, (PY, 2))
    goals = [SkillGoal(PY, 1, 3), SkillGoal(SQL, 1, 3)]
    plan = plan_path(goals, [a, b, c])
    assert plan.order_warnings == []
    position = {s.item_id: n for n, s in enumerate(plan.steps)}
    for step in plan.steps:
        for after in step.after:
            assert position[after] < position[step.item_id]
    assert plan.total_minutes == exact_cost(build_problem(goals, [a, b, c]), ordered=True)


def test_an_unbreakable_cycle_is_planned_side_by_side_and_said():
    a = item(1, 30, (PY, 3), (SQL, 2))
    b = item(2, 30, (PY, 2), (SQL, 3))
    goals = [SkillGoal(PY, 1, 3), SkillGoal(SQL, 1, 3)]
    plan = plan_path(goals, [a, b])
    assert sorted(plan.order_warnings) == [1, 2]
    assert [s.together for s in plan.steps] == [True, True]
    assert "take them side by side" in explain_step(plan.steps[0], labels={}, gap_name="x")
    with pytest.raises(NoOrderedPlan):
        exact_cost(build_problem(goals, [a, b]), ordered=True)


def _brute_force(goals, items) -> int:
    """The least minutes of an order-respecting plan, by trying every subset."""
    problem = build_problem(goals, items)
    full = (1 << len(problem.elements)) - 1
    best = None
    n = len(problem.candidates)
    for size in range(n + 1):
        for subset in itertools.combinations(range(n), size):
            covered = 0
            for p in subset:
                covered |= problem.masks[p]
            if covered != full:
                continue
            reached, left = 0, list(subset)
            while left:
                ready = [p for p in left if not problem.pre_masks[p] & ~reached]
                if not ready:
                    break
                for p in ready:
                    reached |= problem.masks[p]
                left = [p for p in left if p not in ready]
            if left:
                continue
            cost = sum(problem.costs[p] for p in subset)
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_small_random_plans_are_optimal_or_close(seed):
    rng = random.Random(seed)
    goals = [SkillGoal(s, rng.randint(0, 1), rng.randint(2, 3)) for s in range(4)]
    items = []
    for i in range(12):
        teaches = {rng.randrange(4): rng.randint(1, 3) for _ in range(rng.randint(1, 3))}
        items.append(PathItem(i + 1, rng.randint(5, 120), "course", 3, tuple(teaches.items())))
    plan = plan_path(goals, items)
    assert plan.covered_levels == len(build_problem(goals, items).elements)
    best = _brute_force(goals, items)
    if best is None:
        return
    assert plan.order_warnings == []
    assert plan.total_minutes <= best * 1.05
    assert exact_cost(build_problem(goals, items), ordered=True) == best


def test_explanation_names_the_skills_levels_gap_and_prerequisites():
    items = [item(1, 30, (PY, 1)), item(2, 30, (PY, 2), (SQL, 1), fmt="podcast")]
    plan = plan_path(
        [SkillGoal(PY, 0, 2), SkillGoal(SQL, 0, 1)],
        items,
        PathConstraints(preferred_formats=frozenset({"course"})),
    )
    labels = {PY: "Python", SQL: "SQL"}
    first = explain_step(plan.steps[0], labels=labels, gap_name="your Data Analyst role")
    assert first == "Covers Python to level 1, a gap for your Data Analyst role."
    second = explain_step(
        plan.steps[1],
        labels=labels,
        gap_name="your Data Analyst role",
        format_names={"podcast": "Podcast"},
    )
    assert second == (
        "Covers Python to level 2 and SQL to level 1, gaps for your Data Analyst role. "
        "Comes after the step that teaches Python level 1. "
        "A podcast although you prefer other formats: none of them teaches this."
    )


def test_alternatives_cover_the_same_rungs_shortest_first():
    step = item(1, 60, (PY, 1), (SQL, 1))
    items = [
        step,
        item(2, 90, (PY, 1), (SQL, 1)),
        item(3, 20, (PY, 1)),
        item(4, 30, (PY, 1), (SQL, 1)),
        item(5, 10, (STATS, 1)),
    ]
    goals = [SkillGoal(PY, 0, 1), SkillGoal(SQL, 0, 1), SkillGoal(STATS, 0, 1)]
    found = alternatives(goals, items, step)
    assert [(i.id, shared) for i, shared in found] == [
        (4, [(PY, 1), (SQL, 1)]),
        (2, [(PY, 1), (SQL, 1)]),
        (3, [(PY, 1)]),
    ]


def test_a_thirty_skill_gap_over_twenty_thousand_items_is_planned_near_the_optimum():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from bench_paths import role_gap, synthetic_catalog

    rng = random.Random(11)
    catalog = synthetic_catalog(rng, 20000, 2000)
    goals = role_gap(rng, 2000, 30)
    wanted = {g.skill_id for g in goals}
    items = [it for it in catalog if any(s in wanted for s, _ in it.teaches)]
    plan = plan_path(goals, items)
    problem = build_problem(goals, items)
    best = exact_cost(problem, ordered=True)
    assert plan.covered_levels == len(problem.elements)
    assert plan.order_warnings == []
    assert plan.total_minutes <= best * 1.05
    assert plan.stats["ms"] < 2000  # generous: a shared CI machine (the bench measures it)
