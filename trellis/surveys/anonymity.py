"""The one place survey results are aggregated, with the anonymity rules (README.md, "Anonymity").

Pure Python over the responses of one wave (no Django import), so the rules can be tested alone.

A *publication plan* is computed once per wave from all its responses and the threshold ``k``; it
does not depend on who asks or what they ask, so every table anyone can obtain is cut from the same
partition of the respondents:

1. **Groups per dimension** (department, job role, location, role family, AI-literacy level): a
   value is shown when at least ``k`` respondents have it (primary suppression); the suppressed
   values together form one remainder group, which must be empty or hold at least ``k`` people,
   else the smallest shown values join it (secondary suppression), so no suppressed cell can be
   derived as "total minus the shown cells".
2. **Reporting lines** (everyone below a manager at answer time): a line is reportable only when
   it has at least ``k`` respondents. The respondents are then split into *atoms*: each person
   belongs to the deepest reportable line above them (or to the root). Every atom, and its part in
   every group of every dimension, must be empty or hold at least ``k`` people; a line whose atom
   breaks this is made unreportable (its people fall to the line above), and when the root's own
   atom breaks it, the smallest top-level line is made unreportable. Repeat until it holds.

Every published number is then a sum over whole atoms-within-a-group, each empty or of ``k`` or
more people, so no difference of two published tables (a line minus a sub-line, a department minus
a line, a total minus its cells) can isolate fewer than ``k`` people. Only one dimension is cut at
a time and the only population filter is a reporting line: combined filters ("Finance without
Berlin") are refused by the callers before they get here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ALL = "all"
DIMENSIONS: tuple[str, ...] = (
    "department",
    "job_role",
    "location",
    "role_family",
    "ai_literacy_level",
)
DIMENSION_LABELS = {
    ALL: "Everyone",
    "department": "Department",
    "job_role": "Job role",
    "location": "Location",
    "role_family": "Role family",
    "ai_literacy_level": "AI-literacy level",
}
REMAINDER = "__remainder__"
NONE_KEY = "none"


@dataclass(frozen=True)
class Entry:
    """One response as the rules see it."""

    segment: dict[str, tuple[str, str]]  # dimension -> (key, label)
    chain: tuple[int, ...]  # manager ids above the respondent, top first
    answers: dict[str, Any]

    def value(self, dimension: str) -> tuple[str, str]:
        return self.segment.get(dimension) or (NONE_KEY, "Not set")


@dataclass
class Plan:
    k: int
    total: int
    published: bool
    groups: dict[str, dict[str, str]] = field(default_factory=dict)  # dim -> value -> group
    lines: frozenset[int] = frozenset()


@dataclass
class Cell:
    key: str
    label: str
    respondents: int | None
    suppressed: bool
    entries: list[Entry] = field(default_factory=list)


def _groups_for(entries: Sequence[Entry], dimension: str, k: int) -> dict[str, str]:
    counts = Counter(e.value(dimension)[0] for e in entries)
    shown = {v for v, n in counts.items() if n >= k}
    hidden = sum(n for v, n in counts.items() if v not in shown)
    while 0 < hidden < k and shown:
        smallest = min(shown, key=lambda v: (counts[v], v))
        shown.discard(smallest)
        hidden += counts[smallest]
    return {v: (v if v in shown else REMAINDER) for v in counts}


def _atom(chain: tuple[int, ...], lines: set[int]) -> int | None:
    for manager in reversed(chain):
        if manager in lines:
            return manager
    return None


def plan_for(entries: Sequence[Entry], *, k: int, closed: bool = True) -> Plan:
    """The publication plan of one wave (see the module's docstring)."""
    total = len(entries)
    if not closed or total < k:
        return Plan(k=k, total=total, published=False)
    groups = {d: _groups_for(entries, d, k) for d in DIMENSIONS}
    size: Counter[int] = Counter()
    ancestors: dict[int, tuple[int, ...]] = {}
    for e in entries:
        for i, manager in enumerate(e.chain):
            size[manager] += 1
            ancestors.setdefault(manager, e.chain[:i])
    lines = {m for m, n in size.items() if n >= k}
    while True:
        per_atom: dict[int | None, Counter[tuple[str, str]]] = defaultdict(Counter)
        for e in entries:
            counts = per_atom[_atom(e.chain, lines)]
            counts[("", "")] += 1
            for d in DIMENSIONS:
                counts[(d, groups[d][e.value(d)[0]])] += 1
        bad = {a for a, counts in per_atom.items() if any(0 < n < k for n in counts.values())}
        if not bad:
            break
        if bad - {None}:
            lines -= bad - {None}
            continue
        top = [m for m in lines if not any(a in lines for a in ancestors[m])]
        if not top:  # cannot happen: the root alone satisfies the groups' rule
            break
        lines.discard(min(top, key=lambda m: (size[m], m)))
    return Plan(k=k, total=total, published=True, groups=groups, lines=frozenset(lines))


def population(entries: Iterable[Entry], line: int | None) -> list[Entry]:
    return [e for e in entries if line is None or line in e.chain]


def table(
    entries: Sequence[Entry], plan: Plan, *, dimension: str, line: int | None = None
) -> list[Cell]:
    """The cells of one breakdown of the wave (or of one reporting line), suppressed as the plan
    says. Rows of a population that may not be published are all suppressed."""
    if dimension != ALL and dimension not in DIMENSIONS:
        raise ValueError(f"dimension: not one of {', '.join((ALL, *DIMENSIONS))}")
    members = population(entries, line)
    allowed = plan.published and (line is None or line in plan.lines) and len(members) >= plan.k
    if dimension == ALL:
        if not allowed:
            return [Cell(ALL, DIMENSION_LABELS[ALL], None, True)]
        return [Cell(ALL, DIMENSION_LABELS[ALL], len(members), False, members)]
    # the values listed: every value of the wave when nothing may be shown (reveals nothing about
    # the population), else the values present in it
    source = members if allowed else entries
    labels: dict[str, str] = {}
    by_value: dict[str, list[Entry]] = defaultdict(list)
    for e in source:
        key, label = e.value(dimension)
        labels.setdefault(key, label)
        by_value[key].append(e)
    cells = []
    for key in sorted(labels, key=lambda v: (labels[v].lower(), v)):
        group = plan.groups.get(dimension, {}).get(key, REMAINDER)
        rows = by_value[key]
        if not allowed or group == REMAINDER or len(rows) < plan.k:
            cells.append(Cell(key, labels[key], None, True))
        else:
            cells.append(Cell(key, labels[key], len(rows), False, rows))
    return cells
