"""AI readiness: the survey's anonymity-protected breakdowns, evidenced AI literacy and the index.

Survey figures come only from ``trellis.surveys.selectors`` (``readiness_waves`` and
``readiness_breakdown``): that selector applies the anonymity threshold, so a suppressed row carries
no metrics and is shown as "fewer than N respondents", never estimated. Insights never reads survey
answers.

**Readiness index** (0-100) of a group = 100 x the weighted mean of

| component | weight |
|---|---|
| comfortable with AI (share) | 0.15 |
| uses AI weekly (share) | 0.15 |
| confident choosing the right tool (share) | 0.15 |
| self-rated level (0 beginner … 1 advanced) | 0.15 |
| AI strategy communicated (share) | 0.10 |
| usage expectations set (share) | 0.10 |
| ownership clarity = very clear + ½ x (neither very clear nor unclear) | 0.10 |
| evidenced AI literacy = mean level ÷ 5 (people without evidence count 0) | 0.10 |

A suppressed group has no index.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings

WEIGHTS: list[tuple[str, float, str]] = [
    ("comfort", 0.15, "Comfortable with AI"),
    ("weekly_use", 0.15, "Uses AI weekly"),
    ("tool_confidence", 0.15, "Confident choosing the right tool"),
    ("self_level_score", 0.15, "Self-rated level"),
    ("strategy_communicated", 0.10, "AI strategy communicated"),
    ("usage_expectations", 0.10, "Usage expectations set"),
    ("ownership_clarity", 0.10, "Ownership clarity"),
    ("evidenced_literacy", 0.10, "Evidenced AI literacy"),
]
FORMULA = (
    "Readiness index = 100 \u00d7 (0.15 \u00d7 comfortable with AI + 0.15 \u00d7 uses AI weekly + 0.15 \u00d7 confident "
    "choosing the right tool + 0.15 \u00d7 self-rated level + 0.10 \u00d7 strategy communicated + 0.10 \u00d7 usage "
    "expectations set + 0.10 \u00d7 ownership clarity + 0.10 \u00d7 evidenced AI literacy), every component a "
    "share from 0 to 1. Ownership clarity = “very clear” + ½ \u00d7 the rest that is not “unclear”. "
    "Evidenced AI literacy = the mean AI-literacy level ÷ 5 (Aware 1 … Advanced 5; no evidence 0)."
)
DIMENSIONS = {
    "department": "Department",
    "job_role": "Job role",
    "location": "Location",
    "role_family": "Role family",
    "ai_literacy_level": "AI-literacy level",
}

#: Tests (and a site without the surveys app) set this to an object with the two functions.
PROVIDER: Any = None


def surveys() -> Any:
    """The surveys selectors (``readiness_waves``, ``readiness_breakdown``), or None."""
    if PROVIDER is not None:
        return PROVIDER
    try:
        mod = importlib.import_module("trellis.surveys.selectors")
    except ImportError:
        return None
    if not hasattr(mod, "readiness_waves") or not hasattr(mod, "readiness_breakdown"):
        return None
    return mod


def threshold(wave: dict[str, Any] | None = None) -> int:
    """The anonymity threshold of the wave's survey (read-only), else the default of 5."""
    for key in ("min_respondents", "threshold"):
        if wave and isinstance(wave.get(key), int):
            return int(wave[key])
    if wave and wave.get("survey_id") is not None and PROVIDER is None:
        try:
            from trellis.surveys.models import Survey

            found = (
                Survey.objects.filter(pk=wave["survey_id"])
                .values_list("anonymity_threshold", flat=True)
                .first()
            )
        except (ImportError, AttributeError):  # pragma: no cover - a site without surveys
            found = None
        if found:
            return int(found)
    return int(getattr(settings, "TRELLIS_SURVEY_MIN_RESPONDENTS", 5))


def ownership_clarity(metrics: dict[str, float]) -> float:
    very = metrics.get("ownership_very_clear", 0.0) or 0.0
    unclear = metrics.get("ownership_unclear", 0.0) or 0.0
    return very + 0.5 * max(0.0, 1.0 - very - unclear)


def index_of(metrics: dict[str, float] | None, literacy: float | None) -> float | None:
    """The readiness index (0-100) of one group, or None when its survey figures are suppressed."""
    if metrics is None:
        return None
    values = {**metrics, "ownership_clarity": ownership_clarity(metrics)}
    values["evidenced_literacy"] = literacy or 0.0
    return round(100 * sum(w * float(values.get(k) or 0.0) for k, w, _ in WEIGHTS), 1)


def literacy_by(*, employee_ids: Iterable[int] | None, dimension: str) -> dict[str, dict[str, Any]]:
    """Evidenced AI literacy per group (keyed by id as text and by label): people, mean level, the
    count per rung of the ladder and the index component (mean level ÷ 5, no evidence 0)."""
    from trellis.people.models import Employee
    from trellis.skills.selectors import ai_literacy_levels

    qs = Employee.objects.filter(is_active=True)
    if employee_ids is not None:
        qs = qs.filter(pk__in=list(employee_ids))
    field = {
        "department": ("department_id", "department__name"),
        "job_role": ("job_role_id", "job_role__title"),
        "location": ("location_id", "location__name"),
        "role_family": ("job_role__family", "job_role__family"),
        "all": (None, None),
    }.get(dimension, (None, None))
    people = list(
        qs.values_list("pk", *(f for f in field if f)) if field[0] else qs.values_list("pk")
    )
    levels = ai_literacy_levels(employees=[p[0] for p in people])
    groups: dict[tuple[str, str], list[int | None]] = defaultdict(list)
    for row in people:
        key = (str(row[1] or ""), str(row[2] or "—")) if field[0] else ("all", "Everyone")
        groups[key].append(levels.get(row[0]))
    out: dict[str, dict[str, Any]] = {}
    for (group_key, label), lv in groups.items():
        rungs = [sum(1 for x in lv if x == n) for n in range(1, 6)]
        evidenced = [x for x in lv if x]
        figure = {
            "key": group_key,
            "label": label,
            "people": len(lv),
            "with_evidence": len(evidenced),
            "mean_level": round(sum(evidenced) / len(evidenced), 2) if evidenced else None,
            "rungs": rungs,
            "component": round(sum(x or 0 for x in lv) / (5 * len(lv)), 4) if lv else 0.0,
        }
        out[group_key] = figure
        out[f"label:{label}"] = figure
    return out


def breakdown(
    *,
    wave_id: Any,
    dimension: str,
    employee_ids: Iterable[int] | None,
    literacy: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The survey selector's rows for ``dimension``, each with its evidenced literacy and index."""
    api = surveys()
    if api is None:
        return []
    ids = list(employee_ids) if employee_ids is not None else None
    rows = api.readiness_breakdown(wave_id=wave_id, dimension=dimension, employee_ids=ids)
    if literacy is None:
        literacy = literacy_by(employee_ids=ids, dimension=dimension)
    out = []
    for row in rows:
        lit = literacy.get(str(row.get("key"))) or literacy.get(f"label:{row.get('label')}")
        if dimension == "all":
            lit = literacy.get("all")
        suppressed = bool(row.get("suppressed")) or row.get("metrics") is None
        metrics = None if suppressed else dict(row["metrics"])
        out.append(
            {
                "key": str(row.get("key")),
                "label": row.get("label") or str(row.get("key")),
                "respondents": None if suppressed else row.get("respondents"),
                "suppressed": suppressed,
                "metrics": metrics,
                "literacy": lit,
                "index": index_of(metrics, lit["component"] if lit else None),
            }
        )
    return out
