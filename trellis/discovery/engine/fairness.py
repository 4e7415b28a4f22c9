"""The recommendation fairness report's arithmetic (pure Python, no Django).

For each dimension (department, location, role level, AI-literacy level) and each group in it, three
rates are compared with the same rate over everyone:

- **exposure**: the share of the group's learners who were shown at least one recommendation;
- **high-quality share**: the share of the group's impressions that were high-quality items;
- **acceptance**: the share of the group's impressions that the learner then opened or completed.

The flag rule (an adaptation of the "four-fifths rule" used for adverse impact): a group is flagged on
a rate when its rate is below ``RATIO`` (0.8) times the overall rate **and** at least
``MIN_POINTS`` (5) percentage points below it, and the group is large enough for the rate to mean
something: at least ``MIN_LEARNERS`` (10) learners for exposure, at least ``MIN_IMPRESSIONS`` (20)
impressions for the other two. Smaller groups are shown, marked "too small to judge", never flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

RATIO = 0.8
MIN_POINTS = 0.05
MIN_LEARNERS = 10
MIN_IMPRESSIONS = 20

MEASURES = ("exposure", "high_quality", "acceptance")
MEASURE_LABELS = {
    "exposure": "Learners shown recommendations",
    "high_quality": "High-quality share of what was shown",
    "acceptance": "Recommendations accepted",
}


@dataclass(frozen=True)
class GroupCounts:
    dimension: str
    group: str
    learners: int
    learners_shown: int
    impressions: int
    high_quality: int
    accepted: int


@dataclass
class GroupRow:
    group: str
    learners: int
    impressions: int
    rates: dict[str, float | None]
    ratios: dict[str, float | None]
    flags: list[str] = field(default_factory=list)
    too_small: list[str] = field(default_factory=list)


@dataclass
class DimensionReport:
    dimension: str
    overall: dict[str, float | None]
    rows: list[GroupRow]

    @property
    def flagged(self) -> list[GroupRow]:
        return [r for r in self.rows if r.flags]


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def _rates(
    learners: int, shown: int, impressions: int, hq: int, accepted: int
) -> dict[str, float | None]:
    return {
        "exposure": _rate(shown, learners),
        "high_quality": _rate(hq, impressions),
        "acceptance": _rate(accepted, impressions),
    }


def _ratio(rate: float | None, overall: float | None) -> float | None:
    return rate / overall if rate is not None and overall else None


def is_flagged(rate: float | None, overall: float | None) -> bool:
    """The flag rule for one rate (see the module docstring)."""
    if rate is None or overall is None or overall <= 0:
        return False
    return rate < RATIO * overall and overall - rate >= MIN_POINTS


def fairness_report(counts: Iterable[GroupCounts]) -> list[DimensionReport]:
    """One report per dimension, in the order dimensions first appear; groups sorted by name."""
    by_dimension: dict[str, list[GroupCounts]] = {}
    for c in counts:
        by_dimension.setdefault(c.dimension, []).append(c)
    reports = []
    for dimension, groups in by_dimension.items():
        total = _rates(
            sum(g.learners for g in groups),
            sum(g.learners_shown for g in groups),
            sum(g.impressions for g in groups),
            sum(g.high_quality for g in groups),
            sum(g.accepted for g in groups),
        )
        rows = []
        for g in sorted(groups, key=lambda g: g.group.lower()):
            rates = _rates(g.learners, g.learners_shown, g.impressions, g.high_quality, g.accepted)
            row = GroupRow(
                group=g.group,
                learners=g.learners,
                impressions=g.impressions,
                rates=rates,
                ratios={m: _ratio(rates[m], total[m]) for m in MEASURES},
            )
            for measure in MEASURES:
                big_enough = (
                    g.learners >= MIN_LEARNERS
                    if measure == "exposure"
                    else g.impressions >= MIN_IMPRESSIONS
                )
                if not big_enough:
                    row.too_small.append(measure)
                elif is_flagged(rates[measure], total[measure]):
                    row.flags.append(measure)
            rows.append(row)
        reports.append(DimensionReport(dimension=dimension, overall=total, rows=rows))
    return reports
