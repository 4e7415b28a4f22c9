"""The recommendation fairness report for L&D: exposure, high-quality share and acceptance by group.

A "recommendation" here is one item shown to one learner in the window (however many days it was
shown). It is *accepted* when the learner's first activity on the item (from the learning records)
came on the day it was first shown or within ``ACCEPT_DAYS`` after. High quality is decided when the
item is shown (see ``recommendations.HIGH_QUALITY_*``). The arithmetic and the flag rule are in
``engine/fairness.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from trellis.discovery.engine.fairness import (
    MEASURE_LABELS,
    MEASURES,
    MIN_IMPRESSIONS,
    MIN_LEARNERS,
    MIN_POINTS,
    RATIO,
    DimensionReport,
    GroupCounts,
    fairness_report,
)
from trellis.discovery.models import RecommendationImpression
from trellis.lrs.models import Progress
from trellis.people.models import Employee
from trellis.skills.ai_literacy import LEVEL_NAMES
from trellis.skills.selectors import ai_literacy_levels

ACCEPT_DAYS = 14
DEFAULT_DAYS = 90
SENIORITY = {1: "Entry", 2: "Professional", 3: "Senior", 4: "Lead / manager", 5: "Executive"}


@dataclass
class FairnessReport:
    since: date
    until: date
    learners: int
    recommendations: int
    dimensions: list[DimensionReport]
    rule: str
    measures: dict[str, str]


def flag_rule_text() -> str:
    return (
        f"A group is flagged when its rate is below {RATIO:.0%} of the rate over everyone and at "
        f"least {MIN_POINTS * 100:.0f} percentage points below it (the four-fifths rule). Groups "
        f"with fewer than {MIN_LEARNERS} learners (exposure) or {MIN_IMPRESSIONS} recommendations "
        "(the other rates) are too small to judge and never flagged."
    )


def fairness_report_build(*, days: int = DEFAULT_DAYS, today: date | None = None) -> FairnessReport:
    until = today or timezone.localdate()
    since = until - timedelta(days=days - 1)
    people = list(
        Employee.objects.filter(is_active=True).values_list(
            "pk", "department__name", "location__name", "job_role__seniority"
        )
    )
    ai = ai_literacy_levels(employees=[pk for pk, *_ in people])
    first_shown: dict[tuple[int, int], date] = {}
    high_quality: dict[tuple[int, int], bool] = {}
    for employee_id, item_id, shown_on, hq in (
        RecommendationImpression.objects.filter(shown_on__gte=since, shown_on__lte=until)
        .order_by("shown_on")
        .values_list("employee_id", "item_id", "shown_on", "high_quality")
    ):
        key = (employee_id, item_id)
        first_shown.setdefault(key, shown_on)
        high_quality[key] = high_quality.get(key, False) or hq
    accepted: set[tuple[int, int]] = set()
    if first_shown:
        shown_employees = {e for e, _ in first_shown}
        shown_items = {i for _, i in first_shown}
        for employee_id, item_id, first_at in Progress.objects.filter(
            employee_id__in=shown_employees,
            item_id__in=shown_items,
            first_activity_at__date__gte=since,
        ).values_list("employee_id", "item_id", "first_activity_at"):
            key = (employee_id, item_id)
            shown = first_shown.get(key)
            if shown is None:
                continue
            day = timezone.localdate(first_at)
            if shown <= day <= shown + timedelta(days=ACCEPT_DAYS):
                accepted.add(key)
    per_person: dict[int, list[tuple[int, int]]] = {}
    for key in first_shown:
        per_person.setdefault(key[0], []).append(key)

    def group_of(dimension: str, row: tuple[Any, ...]) -> str:
        pk, department, location, seniority = row
        if dimension == "Department":
            return department or "No department"
        if dimension == "Location":
            return location or "No location"
        if dimension == "Role level":
            return f"{seniority} {SENIORITY.get(seniority, '')}".strip() if seniority else "No role"
        level = ai.get(pk)
        return f"{level} {LEVEL_NAMES[level - 1]}" if level else "No evidence"

    counts: list[GroupCounts] = []
    for dimension in ("Department", "Location", "Role level", "AI literacy"):
        tallies: dict[str, list[int]] = {}
        for row in people:
            pairs = per_person.get(row[0], [])
            t = tallies.setdefault(group_of(dimension, row), [0, 0, 0, 0, 0])
            t[0] += 1
            t[1] += 1 if pairs else 0
            t[2] += len(pairs)
            t[3] += sum(1 for p in pairs if high_quality[p])
            t[4] += sum(1 for p in pairs if p in accepted)
        counts.extend(GroupCounts(dimension, group, *t) for group, t in tallies.items())
    return FairnessReport(
        since=since,
        until=until,
        learners=len(people),
        recommendations=sum(len(v) for pk, v in per_person.items()),
        dimensions=fairness_report(counts),
        rule=flag_rule_text(),
        measures={m: MEASURE_LABELS[m] for m in MEASURES},
    )
