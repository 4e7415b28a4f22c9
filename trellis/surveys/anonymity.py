"""The one place survey results are aggregated, with the anonymity rules (README.md, "Anonymity").

Pure Python over the responses of one wave (no Django import), so the rules can be tested alone.

A *publication plan* is computed once per wave from all its responses and the threshold ``k``; it
does not depend on who asks or what they ask:

1. **Groups per dimension** (department, job role, location, role family, AI-literacy level): a
   value is shown when at least ``k`` respondents have it (primary suppression); the suppressed
   values together form one remainder, which must be empty or hold at least ``k`` people, else
   the smallest shown values join it (secondary suppression), so no suppressed cell can be
   derived as "total minus the shown cells".
2. **Reporting lines** (everyone below a manager at answer time): a line is reportable only with
   at least ``k`` respondents, and the respondents are split into *atoms*: each person belongs to
   the deepest reportable line above them (or to the root). Every atom must be empty or hold at
   least ``k`` people: when one does not, its smallest team-level sub-line joins it, or (when it
   has none) the line itself stops being reportable and its people fall to the line above. Any
   sum or difference of line totals is then a union of atoms: never fewer than ``k`` people.
3. A line gives its **totals only** (no breakdown inside it). Shown to someone who can also see
   the wave's tables (``with_wave_tables``), a line must also leave, in every group of every
   dimension, either nobody or at least ``k`` people inside it and outside it
   (``line_safe_with_tables``), so "Finance minus the line" cannot single anyone out.

Only one dimension is cut at a time and the only population filter is a reporting line: combined
filters ("Finance without Berlin") are refused by the callers before they get here.
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


def _children(
    atom: int | None, lines: set[int], ancestors: dict[int, tuple[int, ...]]
) -> list[int]:
    """The reportable lines directly below ``atom`` (no reportable line in between)."""
    out = []
    for m in lines:
        chain = ancestors[m]
        if atom is not None and atom not in chain:
            continue
        below = chain[chain.index(atom) + 1 :] if atom is not None else chain
        if not any(a in lines for a in below):
            out.append(m)
    return out


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
        atoms = Counter(_atom(e.chain, lines) for e in entries)
        bad = sorted(
            (a for a, n in atoms.items() if 0 < n < k), key=lambda a: -1 if a is None else a
        )
        if not bad:
            break
        drop: set[int] = set()
        for atom in bad:
            children = _children(atom, lines, ancestors)
            leaves = [c for c in children if not _children(c, lines, ancestors)]
            if atom is None:
                # the root cannot go: its smallest top-level line joins it
                drop.add(min(children, key=lambda m: (size[m], m)))
            elif leaves:
                # a team-level sub-line joins its manager's line (which stays reportable)
                drop.add(min(leaves, key=lambda m: (size[m], m)))
            else:
                # the line's own people fall to the line above (its sub-lines stay reportable)
                drop.add(atom)
        lines -= drop
    return Plan(k=k, total=total, published=True, groups=groups, lines=frozenset(lines))


def line_safe_with_tables(entries: Sequence[Entry], plan: Plan, line: int) -> bool:
    """Whether a reporting line's totals can be shown to someone who also sees the wave's tables:
    for every group of every dimension, the part of the group inside the line and the part outside
    it must each be empty or hold at least ``k`` people (else "Finance minus the line" or "the
    line minus Finance" would single people out)."""
    inside: Counter[tuple[str, str]] = Counter()
    outside: Counter[tuple[str, str]] = Counter()
    for e in entries:
        counts = inside if line in e.chain else outside
        for d in DIMENSIONS:
            counts[(d, plan.groups[d][e.value(d)[0]])] += 1
    return not any(0 < n < plan.k for n in (*inside.values(), *outside.values()))


def population(entries: Iterable[Entry], line: int | None) -> list[Entry]:
    return [e for e in entries if line is None or line in e.chain]


def table(
    entries: Sequence[Entry],
    plan: Plan,
    *,
    dimension: str,
    line: int | None = None,
    with_wave_tables: bool = True,
) -> list[Cell]:
    """The cells of one breakdown of the wave, or the totals of one reporting line, suppressed as
    the plan says. A line gives its totals only (``dimension`` "all"; any other dimension of a
    line is all suppressed). ``with_wave_tables``: the reader may also see the wave's tables, so
    the line must also pass ``line_safe_with_tables``. Rows of a population that may not be
    published are all suppressed."""
    if dimension != ALL and dimension not in DIMENSIONS:
        raise ValueError(f"dimension: not one of {', '.join((ALL, *DIMENSIONS))}")
    members = population(entries, line)
    allowed = plan.published and len(members) >= plan.k
    if line is not None:
        allowed = (
            allowed
            and dimension == ALL
            and line in plan.lines
            and (not with_wave_tables or line_safe_with_tables(entries, plan, line))
        )
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
