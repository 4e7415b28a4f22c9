"""Learning paths: the least learning time that closes a skill gap (pure Python, no Django).

The model (also in ``trellis/discovery/README.md``, "Learning paths"):

- Levels are the rungs of one ladder, 1 (awareness) to 5 (expert). A learner at level ``c`` of a
  skill with a target ``t > c`` must climb the rungs ``c+1 … t``; each (skill, rung) is one
  *element* of the gap.
- An item *teaches* a skill at one rung: ``min(item level, ceil(tag weight x 5))``, the level its
  completion proves (the LRS records exactly this evidence). It covers the element (skill, rung)
  when ``c < rung ≤ t``.
- **Prerequisites**: lower level before higher on the same skill. An item teaching rung ``r`` of a
  skill of the target needs the rung below it reached first (the nearest lower rung the catalog
  teaches, so a rung no item teaches does not block the ladder; it is reported as not covered).
  An item more than one rung above what the plan can reach (``r > max(c, t) + 1``) is too
  advanced for this plan and never chosen. Skills outside the target are not planned or checked.
- **Preferred formats** are a filter with a fallback: only items in those formats, except for the
  rungs that no item in those formats teaches, which may come from any format (the step says so).
- Choosing the items is a weighted set cover (elements = rungs, cost = minutes): dominance
  reduction, greedy by minutes per newly covered rung, pruning of redundant items, then a local
  search that removes one or two chosen items (or three that share a skill) and re-covers what only
  they covered with the exact cheapest combination (a small dynamic programme). ``exact_cost``
  solves the same cover as an integer programme with SciPy's ``milp`` (HiGHS) to measure the gap.
- Order: a step comes after the steps that teach its prerequisite rungs (list scheduling: lowest
  rung first, then essential skills, then the step that covers most per minute). When the
  cheapest cover has a cycle (item A needs B's rung on one skill and B needs A's on another), the
  planner also tries: that cover with each cycle broken by the cheapest replacement, and a greedy
  that only takes items whose prerequisites are already taught; both improved by the local search
  restricted to ordered plans, then "ruin and recreate" (take out one item, complete again) for at
  most ``RUIN_BUDGET_MS``. ``exact_cost(ordered=True)`` is the optimum of the ordered problem.
- Weeks: steps run one after another at ``weekly_minutes`` a week; a step belongs to the week it
  starts in and may run on (``week_end``). With a deadline of ``deadline_weeks``, the plan says
  whether it fits, what weekly time would fit it, and what is reached by the deadline.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

Element = tuple[int, int]  # (skill id, rung)

#: Time the planner may spend improving a plan whose cheapest cover had a prerequisite cycle.
RUIN_BUDGET_MS = 50.0
#: ... when the ordered plan costs more than this times the best cover found without the order.
RUIN_WITHIN = 1.005

MAX_LEVEL = 5


def rung_for(*, item_level: int, weight: float) -> int:
    """The rung an item teaches on a skill: its level capped by how much it is about the skill.

    The same rule as the LRS's skill evidence (``trellis.lrs.projection.evidence_level``).
    """
    cap = max(1, math.ceil(round(weight * 5, 6)))
    return max(1, min(int(item_level), cap))


@dataclass(frozen=True, slots=True)
class PathItem:
    """A catalog item as the planner sees it: ``teaches`` is ((skill id, rung), ...)."""

    id: int
    minutes: int
    format: str = ""
    level: int = 2
    teaches: tuple[Element, ...] = ()


@dataclass(frozen=True, slots=True)
class SkillGoal:
    skill_id: int
    current: int  # 0: no evidence
    target: int
    essential: bool = True


@dataclass(frozen=True)
class PathConstraints:
    weekly_minutes: int = 180
    deadline_weeks: int | None = None
    preferred_formats: frozenset[str] = frozenset()
    excluded: frozenset[int] = frozenset()  # skipped or swapped out: never chosen
    pinned: tuple[int, ...] = ()  # chosen by the learner (a swap): always in the plan
    completed: frozenset[int] = frozenset()  # already done: not planned again


@dataclass
class PlannedStep:
    item_id: int
    minutes: int
    format: str
    covers: list[Element]  # the rungs this step is the first to teach, lowest first
    requires: list[Element]  # prerequisite rungs taught by earlier steps
    after: list[int]  # the item ids of the steps that teach them
    fallback_format: bool = (
        False  # outside the preferred formats (no preferred item teaches a rung)
    )
    pinned: bool = False
    together: bool = False  # in a prerequisite cycle no other item breaks
    week_start: int = 1
    week_end: int = 1
    start_minute: int = 0
    by_deadline: bool = True


@dataclass
class Plan:
    steps: list[PlannedStep]
    total_minutes: int
    weeks_needed: int
    weekly_minutes: int
    goals: list[SkillGoal]
    uncovered: list[Element]  # rungs of the gap that no available item teaches
    reached: dict[int, int]  # skill -> level at the end of the plan
    deadline_weeks: int | None = None
    fits_deadline: bool | None = None
    weekly_minutes_needed: int | None = None  # to finish by the deadline
    reached_by_deadline: dict[int, int] = field(default_factory=dict)
    order_warnings: list[int] = field(default_factory=list)  # steps placed despite a cycle
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def covered_levels(self) -> int:
        return sum(len(s.covers) for s in self.steps)


# --- the cover problem ---------------------------------------------------------------------------


@dataclass
class CoverProblem:
    """Elements, candidates (after eligibility, exclusions and the format filter) and prerequisites."""

    goals: dict[int, SkillGoal]
    elements: list[Element]
    element_index: dict[Element, int]
    candidates: list[PathItem]
    masks: list[int]  # bit i set: the candidate covers elements[i]
    pre_masks: list[int]  # bit i set: elements[i] must be reached before the candidate
    costs: list[int]
    fallback: set[int]  # candidate ids outside the preferred formats
    pinned: list[int]  # candidate positions
    uncovered: list[Element]
    available: dict[int, list[int]]  # skill -> rungs some candidate teaches, ascending


def _eligible(item: PathItem, goals: Mapping[int, SkillGoal]) -> bool:
    for skill, rung in item.teaches:
        goal = goals.get(skill)
        if goal is not None and rung > max(goal.current, goal.target) + 1:
            return False
    return True


def _useful(item: PathItem, goals: Mapping[int, SkillGoal]) -> bool:
    for skill, rung in item.teaches:
        goal = goals.get(skill)
        if goal is not None and goal.current < rung <= goal.target:
            return True
    return False


def _prerequisite(
    goals: Mapping[int, SkillGoal], available: Mapping[int, Sequence[int]], skill: int, rung: int
) -> Element | None:
    """The rung to reach before an item teaching ``rung`` of ``skill``: the nearest lower rung
    the candidates teach above the learner's level (None: nothing needed first)."""
    goal = goals.get(skill)
    if goal is None or rung <= goal.current + 1:
        return None
    lower = [r for r in available.get(skill, ()) if goal.current < r < rung]
    return (skill, lower[-1]) if lower else None


def build_problem(
    goals: Sequence[SkillGoal],
    items: Iterable[PathItem],
    constraints: PathConstraints = PathConstraints(),
) -> CoverProblem:
    by_skill = {g.skill_id: g for g in goals}
    blocked = constraints.excluded | constraints.completed
    pinned_ids = [i for i in dict.fromkeys(constraints.pinned) if i not in constraints.completed]
    pinned_set = set(pinned_ids)
    preferred = constraints.preferred_formats
    pool: list[PathItem] = []
    pinned_items: dict[int, PathItem] = {}
    for item in items:
        if item.id in pinned_set:
            pinned_items[item.id] = item
            continue
        if item.id in blocked or not _useful(item, by_skill) or not _eligible(item, by_skill):
            continue
        pool.append(item)
    # the format filter with its fallback
    fallback: set[int] = set()
    if preferred:
        taught_preferred: set[Element] = set()
        for item in pool:
            if item.format in preferred:
                taught_preferred.update(item.teaches)
        for item in pinned_items.values():
            taught_preferred.update(item.teaches)
        kept = []
        for item in pool:
            if item.format in preferred:
                kept.append(item)
            elif any(
                (s, r) not in taught_preferred
                and s in by_skill
                and by_skill[s].current < r <= by_skill[s].target
                for s, r in item.teaches
            ):
                kept.append(item)
                fallback.add(item.id)
        pool = kept
    candidates = [pinned_items[i] for i in pinned_ids if i in pinned_items] + pool
    rungs: dict[int, set[int]] = defaultdict(set)
    for item in candidates:
        for skill, rung in item.teaches:
            goal = by_skill.get(skill)
            if goal is not None and goal.current < rung:
                rungs[skill].add(rung)
    available = {s: sorted(r) for s, r in rungs.items()}
    elements: list[Element] = []
    uncovered: list[Element] = []
    for goal in goals:
        for rung in range(goal.current + 1, goal.target + 1):
            (elements if rung in rungs.get(goal.skill_id, ()) else uncovered).append(
                (goal.skill_id, rung)
            )
    index = {e: i for i, e in enumerate(elements)}
    masks, pre_masks = [], []
    for item in candidates:
        mask = pre = 0
        for skill, rung in item.teaches:
            pos = index.get((skill, rung))
            if pos is not None:
                mask |= 1 << pos
            need = _prerequisite(by_skill, available, skill, rung)
            if need is not None:
                pre |= 1 << index[need]
        masks.append(mask)
        pre_masks.append(pre)
    return CoverProblem(
        goals=by_skill,
        elements=elements,
        element_index=index,
        candidates=candidates,
        masks=masks,
        pre_masks=pre_masks,
        costs=[max(1, int(item.minutes)) for item in candidates],
        fallback=fallback,
        pinned=list(range(len(pinned_items))),
        uncovered=uncovered,
        available=available,
    )


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low)
        mask ^= low
    return out


def _reduce(problem: CoverProblem, banned: Iterable[int] = ()) -> list[int]:
    """Candidate positions worth considering. Item A makes B useless when A takes no longer,
    teaches every rung B covers and needs no rung first that B does not need: A can stand in for
    B in any plan. Per (coverage, prerequisites) the cheapest; then the dominated ones go."""
    banned = set(banned) | set(problem.pinned)
    masks, pres, costs = problem.masks, problem.pre_masks, problem.costs
    best: dict[tuple[int, int], int] = {}

    def rank(pos: int) -> tuple[int, bool, int]:
        return (costs[pos], problem.candidates[pos].id in problem.fallback, pos)

    for pos, mask in enumerate(masks):
        if mask == 0 or pos in banned:
            continue
        key = (mask, pres[pos])
        held = best.get(key)
        if held is None or rank(pos) < rank(held):
            best[key] = pos
    ordered = sorted(best.values(), key=lambda p: (costs[p], -masks[p].bit_count(), p))
    kept: list[int] = []
    by_bit: dict[int, list[int]] = defaultdict(list)
    for pos in ordered:
        mask, pre, cost = masks[pos], pres[pos], costs[pos]
        low = mask & -mask
        if any(
            masks[k] & mask == mask and pres[k] & pre == pres[k] and costs[k] <= cost
            for k in by_bit.get(low, ())
        ):
            continue
        kept.append(pos)
        for bit in _bits(mask):
            by_bit[bit].append(pos)
    return kept


def _exact_recover(
    target: int, options: Sequence[tuple[int, int, int]]
) -> tuple[int, list[int]] | None:
    """Cheapest positions whose masks cover ``target`` (options: (mask ∩ target, cost, pos)); a
    memoised search over the subsets of the (small) target. None if they cannot cover it."""
    by_bit: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for option in sorted(options, key=lambda o: o[1]):
        for bit in _bits(option[0]):
            by_bit[bit].append(option)
    memo: dict[int, tuple[int, tuple[int, ...]]] = {}
    never = 1 << 62

    def solve(left: int) -> tuple[int, tuple[int, ...]]:
        if left == 0:
            return (0, ())
        hit = memo.get(left)
        if hit is not None:
            return hit
        low = left & -left
        best: tuple[int, tuple[int, ...]] = (never, ())
        for mask, cost, pos in by_bit.get(low, ()):
            if cost >= best[0]:
                break
            rest_cost, rest = solve(left & ~mask)
            if cost + rest_cost < best[0]:
                best = (cost + rest_cost, (pos, *rest))
        memo[left] = best
        return best

    cost, chosen = solve(target)
    return None if cost >= never else (cost, list(chosen))


class _Recover:
    """Exact re-covering of a few rungs from a set of candidates (memoised per target and ban)."""

    def __init__(self, problem: CoverProblem, positions: Iterable[int]) -> None:
        self.masks, self.costs = problem.masks, problem.costs
        self.by_bit: dict[int, list[int]] = defaultdict(list)
        self.memo: dict[tuple[int, frozenset[int]], tuple[int, list[int]] | None] = {}
        #: per rung: every rung some candidate teaches together with it
        self.touch: dict[int, int] = defaultdict(int)
        for pos in positions:
            mask = self.masks[pos]
            for bit in _bits(mask):
                self.by_bit[bit].append(pos)
                self.touch[bit] |= mask

    def reach(self, need: int) -> int:
        """The rungs that candidates teaching any of ``need`` also teach."""
        out = 0
        for bit in _bits(need):
            out |= self.touch.get(bit, 0)
        return out

    def best(self, target: int, banned: frozenset[int]) -> tuple[int, list[int]] | None:
        if target == 0:
            return (0, [])
        key = (target, banned)
        if key in self.memo:
            return self.memo[key]
        options: dict[int, tuple[int, int]] = {}
        for bit in _bits(target):
            for pos in self.by_bit.get(bit, ()):
                if pos in banned:
                    continue
                part = self.masks[pos] & target
                held = options.get(part)
                if held is None or self.costs[pos] < held[0]:
                    options[part] = (self.costs[pos], pos)
        found = _exact_recover(target, [(part, c, pos) for part, (c, pos) in options.items()])
        self.memo[key] = found
        return found


def _greedy(
    problem: CoverProblem,
    reduced: Sequence[int],
    *,
    ordered: bool,
    start: Sequence[int] | None = None,
) -> list[int]:
    """Greedy by minutes per newly covered rung, from the pinned items (or ``start``).
    ``ordered``: only items whose prerequisite rungs the items already chosen teach (so the order
    holds by construction); when none is ready, the one missing fewest prerequisites."""
    full = (1 << len(problem.elements)) - 1
    masks, pres, costs = problem.masks, problem.pre_masks, problem.costs
    chosen: list[int] = list(problem.pinned if start is None else start)
    covered = 0
    for pos in chosen:
        covered |= masks[pos]
    if not ordered:
        heap = [(costs[p] / masks[p].bit_count(), p) for p in reduced if masks[p] & ~covered]
        heapq.heapify(heap)
        while covered != full and heap:
            ratio, pos = heapq.heappop(heap)
            gain = (masks[pos] & ~covered).bit_count()
            if gain == 0:
                continue
            current = costs[pos] / gain
            if current > ratio + 1e-12:
                heapq.heappush(heap, (current, pos))
                continue
            chosen.append(pos)
            covered |= masks[pos]
        return chosen
    left = [p for p in reduced if masks[p] & ~covered]
    while covered != full and left:
        best: tuple[int, float, int] | None = None
        still = []
        for pos in left:
            gain = (masks[pos] & ~covered).bit_count()
            if not gain:
                continue
            still.append(pos)
            key = ((pres[pos] & ~covered).bit_count(), costs[pos] / gain, pos)
            if best is None or key < best:
                best = key
        if best is None:
            break
        chosen.append(best[2])
        covered |= masks[best[2]]
        left = still
    return chosen


def _covers_all(problem: CoverProblem, chosen: Iterable[int]) -> bool:
    covered = 0
    for pos in chosen:
        covered |= problem.masks[pos]
    return covered == (1 << len(problem.elements)) - 1


def _stuck(problem: CoverProblem, chosen: Iterable[int]) -> list[int]:
    """The chosen positions no order can reach (prerequisite cycles); empty when the order holds."""
    masks, pres = problem.masks, problem.pre_masks
    left = list(chosen)
    reached = 0
    while left:
        rest = [p for p in left if pres[p] & ~reached]
        if len(rest) == len(left):
            return sorted(rest)
        for p in left:
            if not pres[p] & ~reached:
                reached |= masks[p]
        left = rest
    return []


def _prune(problem: CoverProblem, chosen: list[int], *, ordered: bool) -> list[int]:
    """Drop chosen items (longest first) whose rungs the others cover, keeping the order possible
    when ``ordered``; the learner's own choices stay."""
    counts: dict[int, int] = defaultdict(int)
    for pos in chosen:
        for bit in _bits(problem.masks[pos]):
            counts[bit] += 1
    pinned = set(problem.pinned)
    kept = list(chosen)
    for pos in sorted(chosen, key=lambda p: (-problem.costs[p], p)):
        if pos in pinned:
            continue
        bits = _bits(problem.masks[pos])
        if all(counts[b] > 1 for b in bits):
            trial = [p for p in kept if p != pos]
            if ordered and _stuck(problem, trial) and not _stuck(problem, kept):
                continue
            kept = trial
            for b in bits:
                counts[b] -= 1
    return kept


def _moves(
    problem: CoverProblem, chosen: list[int], recover: _Recover
) -> list[tuple[int, tuple[int, ...], list[int]]]:
    """Improving moves (gain, removed, added): take out one, two, or three (sharing a skill) chosen
    items and cover exactly what only they covered at the least cost."""
    masks, costs = problem.masks, problem.costs
    pinned = set(problem.pinned)
    once = twice = thrice = seen = 0
    for pos in chosen:
        mask = masks[pos]
        thrice |= twice & mask
        twice |= seen & mask
        seen |= mask
    once = seen & ~twice
    counts: dict[int, int] = defaultdict(int)
    for pos in chosen:
        for bit in _bits(masks[pos] & thrice):
            counts[bit] += 1
    exactly3 = 0
    for bit, n in counts.items():
        if n == 3:
            exactly3 |= bit
    twice &= ~thrice
    movable = [p for p in chosen if p not in pinned]
    groups: list[tuple[tuple[int, ...], int]] = [((p,), masks[p] & once) for p in movable]
    reach = {p: recover.reach(masks[p] & once) for p in movable}
    for a, b in combinations(movable, 2):
        ma, mb = masks[a], masks[b]
        shared = ma & mb & twice
        if not shared and not reach[a] & mb & once:
            continue  # no item teaches rungs of both: the two single moves say it all
        need = ((ma | mb) & once) | shared
        if need:
            groups.append(((a, b), need))
    skill_of: dict[int, list[int]] = defaultdict(list)
    for p in movable:
        for skill in {s for s, _ in problem.candidates[p].teaches if s in problem.goals}:
            skill_of[skill].append(p)
    triples: set[tuple[int, ...]] = set()
    for members in skill_of.values():
        if 3 <= len(members) <= 8:
            triples.update(combinations(sorted(members), 3))
    for a, b, c in sorted(triples):
        ma, mb, mc = masks[a], masks[b], masks[c]
        need = (
            ((ma | mb | mc) & once)
            | (((ma & mb) | (ma & mc) | (mb & mc)) & twice)
            | (ma & mb & mc & exactly3)
        )
        groups.append(((a, b, c), need))
    moves = []
    for group, need in groups:
        if need.bit_count() > 16:
            continue
        budget = sum(costs[p] for p in group)
        found = recover.best(need, frozenset(group))
        if found is not None and found[0] < budget:
            moves.append((budget - found[0], group, found[1]))
    moves.sort(key=lambda m: (-m[0], m[1]))
    return moves


def _local_search(
    problem: CoverProblem, chosen: list[int], recover: _Recover, *, ordered: bool
) -> list[int]:
    """Apply the best improving move (the best one whose order holds, when ``ordered``) until none."""
    for _round in range(80):
        applied = False
        for tried, (_gain, group, added) in enumerate(_moves(problem, chosen, recover)):
            if ordered and tried >= 40:
                break
            trial = _prune(problem, [p for p in chosen if p not in group] + added, ordered=ordered)
            if ordered and _stuck(problem, trial):
                continue
            chosen = trial
            applied = True
            break
        if not applied:
            break
    return chosen


def _break_cycles(problem: CoverProblem, chosen: list[int], recover: _Recover) -> list[int]:
    """Take out one item of a prerequisite cycle at a time (the one whose exact replacement costs
    least, from every candidate but those taken out) until the order holds."""
    pinned = set(problem.pinned)
    banned: set[int] = set()
    for _ in range(30):
        stuck = _stuck(problem, chosen)
        if not stuck:
            break
        best: tuple[int, int, int, list[int]] | None = None
        for member in stuck:
            if member in pinned:
                continue
            others = 0
            for pos in chosen:
                if pos != member:
                    others |= problem.masks[pos]
            need = problem.masks[member] & ~others
            found = recover.best(need, frozenset(banned | {member}))
            if found is None:
                continue
            trial = _prune(problem, [p for p in chosen if p != member] + found[1], ordered=False)
            key = (len(_stuck(problem, trial)), cover_cost(problem, trial))
            if best is None or key < best[:2]:
                best = (key[0], key[1], member, trial)
        if best is None:
            break
        banned.add(best[2])
        chosen = best[3]
    return chosen


def solve_cover(problem: CoverProblem, *, improve: bool = True, ordered: bool = True) -> list[int]:
    """Candidate positions that teach every rung of the gap, in near the least total minutes.

    Greedy, pruning, local search on the cover; if the result has a prerequisite cycle
    (``ordered``), also: that solution with its cycles broken, and an order-respecting greedy,
    each improved by the local search restricted to moves whose order holds; the cheapest wins."""
    reduced = _reduce(problem)
    recover = _Recover(problem, reduced)
    plain = _prune(problem, _greedy(problem, reduced, ordered=False), ordered=False)
    if not improve:
        return plain
    best = _local_search(problem, plain, recover, ordered=False)
    if not ordered or not _stuck(problem, best):
        return best
    everything = _Recover(problem, range(len(problem.candidates)))
    options = []
    repaired = _break_cycles(problem, best, everything)
    if not _stuck(problem, repaired):
        options.append(_local_search(problem, repaired, everything, ordered=True))
    built = _prune(problem, _greedy(problem, reduced, ordered=True), ordered=True)
    options.append(_local_search(problem, built, everything, ordered=True))
    found = min(options, key=lambda sol: (len(_stuck(problem, sol)), cover_cost(problem, sol)))
    if _stuck(problem, found) or cover_cost(problem, found) <= RUIN_WITHIN * cover_cost(
        problem, best
    ):
        return found  # (the unordered cover is a near lower bound: little left to gain)
    return _ruin_and_recreate(problem, found, reduced, everything)


def _ruin_and_recreate(
    problem: CoverProblem,
    best: list[int],
    reduced: list[int],
    recover: _Recover,
    *,
    budget_ms: float = RUIN_BUDGET_MS,
) -> list[int]:
    """Take out one chosen item at a time (longest first), complete the rest again with the
    order-respecting greedy without it, improve with the local search, and keep what is cheaper
    and ordered; until no item helps or the time budget is spent (only paths with a prerequisite
    cycle get here)."""
    deadline = time.perf_counter() + budget_ms / 1000
    pinned = set(problem.pinned)
    best_cost = cover_cost(problem, best)
    tried: set[int] = set()
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for pos in sorted(best, key=lambda p: (-problem.costs[p], p)):
            if pos in pinned or pos in tried or time.perf_counter() >= deadline:
                continue
            tried.add(pos)
            rest = [p for p in best if p != pos]
            pool = [p for p in reduced if p != pos]
            trial = _prune(problem, _greedy(problem, pool, ordered=True, start=rest), ordered=True)
            trial = _local_search(problem, trial, recover, ordered=True)
            if _stuck(problem, trial) or not _covers_all(problem, trial):
                continue
            cost = cover_cost(problem, trial)
            if cost < best_cost:
                best, best_cost, improved = trial, cost, True
                tried.clear()
                break
    return best


def cover_cost(problem: CoverProblem, chosen: Iterable[int]) -> int:
    return sum(problem.costs[p] for p in chosen)


class NoOrderedPlan(ValueError):
    pass


def exact_cost(
    problem: CoverProblem, *, ordered: bool = False, time_limit: float = 60.0
) -> int | None:
    """The least total minutes of a plan, from an integer programme (SciPy ``milp``, HiGHS).

    ``ordered=False``: the cover alone (every rung taught), which ignores the prerequisite order:
    a lower bound of the best plan. ``ordered=True`` adds it: every chosen item that needs a rung
    first is placed after a chosen item teaching it (positions ``t``, binary "j before i for rung
    p" variables, big-M precedence), so no cycle; exact, and much larger (small instances only).
    None if the solver gave up within ``time_limit`` seconds; ``NoOrderedPlan`` when it proved that
    no ordered plan exists (the only items for some rungs need each other's lower levels).
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    n_el = len(problem.elements)
    if n_el == 0:
        return sum(problem.costs[p] for p in problem.pinned)
    # the dominance reduction keeps an optimum (a dominating item stands in for the other in
    # any plan, order included), so the programme only needs the kept candidates
    keep = list(problem.pinned) + _reduce(problem)
    n = len(keep)
    masks = [problem.masks[p] for p in keep]
    pres = [problem.pre_masks[p] for p in keep]
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for k, mask in enumerate(masks):
        for bit in range(n_el):
            if mask >> bit & 1:
                rows.append(bit)
                cols.append(k)
                vals.append(1.0)
    lower_rows = [1.0] * n_el
    n_vars = n
    costs = [float(problem.costs[p]) for p in keep]
    lower = [0.0] * n
    upper = [1.0] * n
    integrality = [1] * n
    if ordered:
        big = float(n + 1)
        t0 = n_vars  # t_k: the position of item k in the order
        n_vars += n
        costs += [0.0] * n
        lower += [0.0] * n
        upper += [big] * n
        integrality += [0] * n
        teachers: dict[int, list[int]] = defaultdict(list)
        for k, mask in enumerate(masks):
            for bit in range(n_el):
                if mask >> bit & 1:
                    teachers[bit].append(k)
        row = n_el
        for i in range(n):
            for pre in (bit for bit in range(n_el) if pres[i] >> bit & 1):
                # sum_j y_ij - x_i >= 0: some chosen teacher j of the rung comes before i
                any_row = row
                rows.append(row)
                cols.append(i)
                vals.append(-1.0)
                lower_rows.append(0.0)
                row += 1
                for j in teachers.get(pre, ()):
                    if j == i:
                        continue
                    y = n_vars
                    n_vars += 1
                    costs.append(0.0)
                    lower.append(0.0)
                    upper.append(1.0)
                    integrality.append(1)
                    rows.append(any_row)
                    cols.append(y)
                    vals.append(1.0)
                    # x_j - y >= 0
                    rows += [row, row]
                    cols += [j, y]
                    vals += [1.0, -1.0]
                    lower_rows.append(0.0)
                    row += 1
                    # t_i - t_j - M y >= 1 - M
                    rows += [row, row, row]
                    cols += [t0 + i, t0 + j, y]
                    vals += [1.0, -1.0, -big]
                    lower_rows.append(1.0 - big)
                    row += 1
    for k in range(len(problem.pinned)):
        lower[k] = 1.0
    matrix = coo_matrix((vals, (rows, cols)), shape=(len(lower_rows), n_vars)).tocsr()
    result = milp(
        c=np.array(costs),
        constraints=[LinearConstraint(matrix, lb=np.array(lower_rows), ub=np.inf)],
        integrality=np.array(integrality),
        bounds=Bounds(np.array(lower), np.array(upper)),
        options={"time_limit": time_limit},
    )
    if result.status == 2:
        raise NoOrderedPlan("no plan teaches every rung with its prerequisites first")
    if result.status != 0 or result.x is None:
        return None
    return round(float(result.fun))


# --- order, weeks, deadline ----------------------------------------------------------------------


@dataclass
class _Ordering:
    order: list[int]
    stuck: list[int]  # positions left when no step was ready (a prerequisite cycle)


def _order(problem: CoverProblem, chosen: list[int]) -> _Ordering:
    """List scheduling of the chosen positions: among the steps whose prerequisite rungs earlier
    steps teach, the lowest rung first, then essential skills, then most covered per minute."""
    masks, pres = problem.masks, problem.pre_masks
    reached = 0
    order: list[int] = []
    left = set(chosen)

    def key(pos: int) -> tuple[int, int, float, int]:
        teaches = [(s, r) for s, r in problem.candidates[pos].teaches if s in problem.goals]
        essential = sum(1 for s, _ in teaches if problem.goals[s].essential)
        lowest = min((r for _, r in teaches), default=0)
        per_minute = problem.costs[pos] / max(1, masks[pos].bit_count())
        return (lowest, -essential, per_minute, pos)

    while left:
        ready = [p for p in left if not pres[p] & ~reached]
        if not ready:
            return _Ordering(order, sorted(left))
        pos = min(ready, key=key)
        order.append(pos)
        left.discard(pos)
        reached |= masks[pos]
    return _Ordering(order, [])


def plan_path(
    goals: Sequence[SkillGoal],
    items: Iterable[PathItem],
    constraints: PathConstraints = PathConstraints(),
    *,
    improve: bool = True,
) -> Plan:
    """The plan: which items, in which order, in which week; see the module docstring."""
    started = time.perf_counter()
    problem = build_problem(goals, items, constraints)
    chosen = solve_cover(problem, improve=improve)
    ordering = _order(problem, chosen)
    warnings: list[int] = []
    order = ordering.order
    if ordering.stuck:
        # a cycle nothing breaks (e.g. among items the learner chose): the rest as it comes
        warnings = [problem.candidates[p].id for p in ordering.stuck]
        order = order + sorted(ordering.stuck, key=lambda p: (problem.costs[p], p))
    plan = _schedule(problem, order, constraints, warnings)
    plan.stats = {
        "candidates": len(problem.candidates),
        "elements": len(problem.elements),
        "ms": (time.perf_counter() - started) * 1000,
    }
    return plan


def _schedule(
    problem: CoverProblem,
    order: list[int],
    constraints: PathConstraints,
    warnings: list[int],
) -> Plan:
    weekly = max(1, int(constraints.weekly_minutes))
    teacher: dict[Element, int] = {}
    steps: list[PlannedStep] = []
    minute = 0
    deadline_minutes = (
        constraints.deadline_weeks * weekly if constraints.deadline_weeks is not None else None
    )
    levels = {s: g.current for s, g in problem.goals.items()}
    by_deadline_levels = dict(levels)
    for pos in order:
        item = problem.candidates[pos]
        covers = sorted(e for e in item.teaches if e in problem.element_index and e not in teacher)
        for element in covers:
            teacher[element] = item.id
        pre = problem.pre_masks[pos]
        requires = [e for i, e in enumerate(problem.elements) if pre >> i & 1]
        cost = problem.costs[pos]
        step = PlannedStep(
            item_id=item.id,
            minutes=cost,
            format=item.format,
            covers=covers,
            requires=list(requires),
            after=sorted({teacher[r] for r in requires if r in teacher}),
            fallback_format=item.id in problem.fallback,
            together=item.id in warnings,
            pinned=pos in problem.pinned,
            week_start=minute // weekly + 1,
            week_end=max(minute // weekly + 1, math.ceil((minute + cost) / weekly)),
            start_minute=minute,
        )
        minute += cost
        for skill, rung in covers:
            levels[skill] = max(levels[skill], rung)
        if deadline_minutes is not None:
            step.by_deadline = minute <= deadline_minutes
            if step.by_deadline:
                for skill, rung in covers:
                    by_deadline_levels[skill] = max(by_deadline_levels[skill], rung)
        steps.append(step)
    total = minute
    weeks = math.ceil(total / weekly) if total else 0
    plan = Plan(
        steps=steps,
        total_minutes=total,
        weeks_needed=weeks,
        weekly_minutes=weekly,
        goals=list(problem.goals.values()),
        uncovered=problem.uncovered,
        reached=levels,
        deadline_weeks=constraints.deadline_weeks,
        order_warnings=warnings,
    )
    if constraints.deadline_weeks is not None:
        plan.fits_deadline = weeks <= constraints.deadline_weeks
        plan.weekly_minutes_needed = (
            math.ceil(total / constraints.deadline_weeks)
            if constraints.deadline_weeks > 0
            else None
        )
        plan.reached_by_deadline = by_deadline_levels
    return plan


# --- alternatives and explanations ---------------------------------------------------------------


def alternatives(
    goals: Sequence[SkillGoal],
    items: Iterable[PathItem],
    step_item: PathItem,
    constraints: PathConstraints = PathConstraints(),
    *,
    limit: int = 5,
) -> list[tuple[PathItem, list[Element]]]:
    """Items that could replace ``step_item``: those teaching the most of the rungs it covers, then
    the shortest; with the rungs of the step that each one teaches."""
    by_skill = {g.skill_id: g for g in goals}
    wanted = {
        (s, r)
        for s, r in step_item.teaches
        if s in by_skill and by_skill[s].current < r <= by_skill[s].target
    }
    blocked = constraints.excluded | constraints.completed | {step_item.id}
    found = []
    for item in items:
        if item.id in blocked or not _eligible(item, by_skill):
            continue
        shared = sorted(wanted.intersection(item.teaches))
        if not shared:
            continue
        preferred = (
            not constraints.preferred_formats or item.format in constraints.preferred_formats
        )
        found.append(((-len(shared), not preferred, item.minutes, item.id), item, shared))
    found.sort(key=lambda row: row[0])
    return [(item, shared) for _, item, shared in found[:limit]]


def level_phrase(levels: Sequence[int]) -> str:
    levels = sorted(levels)
    if len(levels) == 1:
        return f"level {levels[0]}"
    if levels == list(range(levels[0], levels[-1] + 1)):
        return f"levels {levels[0]} to {levels[-1]}"
    return "levels " + ", ".join(str(r) for r in levels)


def explain_step(
    step: PlannedStep,
    *,
    labels: Mapping[int, str],
    gap_name: str,
    format_names: Mapping[str, str] | None = None,
) -> str:
    """One sentence: "Covers Python to level 2, a gap for Data Analyst. Needs SQL level 1 first (…)."."""
    by_skill: dict[int, list[int]] = defaultdict(list)
    for skill, rung in step.covers:
        by_skill[skill].append(rung)
    parts = [
        f"{labels.get(skill, f'skill {skill}')} to level {max(rungs)}"
        for skill, rungs in by_skill.items()
    ]
    if not parts:
        text = "Reinforces what the other steps teach"
    elif len(parts) == 1:
        text = f"Covers {parts[0]}"
    else:
        text = "Covers " + ", ".join(parts[:-1]) + " and " + parts[-1]
    plural = "gaps" if len(parts) > 1 else "a gap"
    text += f", {plural} for {gap_name}." if parts else "."
    if step.requires:
        needs = ", ".join(
            f"{labels.get(s, f'skill {s}')} level {r}" for s, r in sorted(step.requires)
        )
        text += f" Comes after the step that teaches {needs}."
    if step.fallback_format:
        name = (format_names or {}).get(step.format, step.format)
        text += f" A {name.lower()} although you prefer other formats: none of them teaches this."
    if step.together:
        text += (
            " It and another step each need a lower level the other teaches, and no other item"
            " teaches it: take them side by side."
        )
    if step.pinned:
        text += " You chose it."
    return text
