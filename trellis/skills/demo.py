"""Demo steps of the skills app: taxonomy, AI literacy, role profiles, self-ratings (all idempotent)."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from django.utils import timezone

from trellis.skills import ai_literacy

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
ORGANISATION = Path(__file__).resolve().parent.parent / "people" / "demo_data" / "organisation.json"
SEED = 20261128
DEMO_REF = "demo:self-rating"
#: Share of active employees who have self-rated.
RATER_SHARE = 0.6
#: Overall AI-literacy level (1 Aware … 5 Advanced) by job family: technology & data highest,
#: service roles most cautious; weighted so that about 14% of raters are Advanced overall.
AI_LEVEL_WEIGHTS: dict[str, list[float]] = {
    "Technology & Data": [0.02, 0.10, 0.28, 0.32, 0.28],
    "Customer Service": [0.30, 0.36, 0.22, 0.09, 0.03],
    "Operations": [0.24, 0.36, 0.26, 0.10, 0.04],
    "default": [0.10, 0.27, 0.34, 0.19, 0.10],
}


def _roles_config() -> dict[str, dict[str, Any]]:
    return {r["title"]: r for r in json.loads(ORGANISATION.read_text())["roles"]}


def load_taxonomy(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Import the shipped ESCO and O*NET subsets (trellis/skills/demo_data) with the real importers."""
    from trellis.core.importing import run_import

    summary: dict[str, Any] = {}
    for kind in ("esco", "onet"):
        report = run_import(kind, DEMO_DATA / kind, filename=f"demo_data/{kind}")
        if not report.ok:
            raise RuntimeError(f"Demo {kind} import failed: {[str(e) for e in report.errors[:5]]}")
        summary[kind] = {
            k: report.details.get(k)
            for k in ("skills", "occupations", "relations", "technologies")
            if k in report.details
        }
    return summary


def load_ai_literacy(*, stdout: TextIO | None = None) -> dict[str, Any]:
    from trellis.skills.services import ai_literacy_ensure

    family = ai_literacy_ensure()
    return {"family": family.slug, "skills": family.skills.count()}


def build_role_profiles(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Link each job role to its occupations (if the people step did not) and generate its profile."""
    from trellis.people.models import JobRole
    from trellis.skills.models import Occupation
    from trellis.skills.services import role_profile_generate

    config = _roles_config()
    occupations = {o.uri: o for o in Occupation.objects.all().only("id", "uri")}
    totals: Counter[str] = Counter()
    for job_role in JobRole.objects.order_by("pk"):
        entry = config.get(job_role.title, {})
        changed = []
        if job_role.occupation_id is None and entry.get("esco_uri") in occupations:
            job_role.occupation = occupations[entry["esco_uri"]]
            changed.append("occupation")
        onet_uri = f"onet:{entry['onet_soc']}" if entry.get("onet_soc") else None
        if job_role.onet_occupation_id is None and onet_uri in occupations:
            job_role.onet_occupation = occupations[onet_uri]
            changed.append("onet_occupation")
        if changed:
            job_role.save(update_fields=changed)
        totals.update(role_profile_generate(job_role=job_role, actor=None))
        totals["roles"] += 1
    return dict(totals)


def build_self_ratings(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Self-ratings for ~60% of active employees (fixed seed), AI literacy by job family (see the survey)."""
    from trellis.people.models import Employee
    from trellis.skills.models import RoleSkill, Skill, SkillEvidence
    from trellis.skills.selectors import rounded_mean

    rng = random.Random(SEED)
    SkillEvidence.objects.filter(source_ref=DEMO_REF).delete()
    ai_skills = dict(Skill.objects.filter(uri__in=ai_literacy.SKILL_URIS).values_list("uri", "pk"))
    profiles: dict[int, list[tuple[int, int]]] = {}
    for role_id, skill_id, target in RoleSkill.objects.exclude(
        skill__uri__in=ai_literacy.SKILL_URIS
    ).values_list("job_role_id", "skill_id", "target_level"):
        profiles.setdefault(role_id, []).append((skill_id, target))
    today = timezone.localdate()
    rows: list[SkillEvidence] = []
    overall: Counter[int] = Counter()
    raters = 0
    employees = Employee.objects.filter(is_active=True).select_related("job_role").order_by("pk")
    for employee in employees:
        if rng.random() >= RATER_SHARE:
            continue
        raters += 1
        family = employee.job_role.family if employee.job_role_id else ""
        weights = AI_LEVEL_WEIGHTS.get(family, AI_LEVEL_WEIGHTS["default"])
        base = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        observed = today - timedelta(days=rng.randint(0, 180))
        levels = []
        for uri, skill_id in ai_skills.items():
            level = base + rng.choice((-1, 0, 0, 0, 0, 1))
            if uri == "trellis:ai-literacy:building-with-ai" and family != "Technology & Data":
                level -= 1
            level = min(5, max(1, level))
            levels.append(level)
            rows.append(
                SkillEvidence(
                    employee=employee,
                    skill_id=skill_id,
                    level=level,
                    kind=SkillEvidence.Kind.SELF,
                    observed_on=observed,
                    recorded_by_id=employee.user_id,
                    source_ref=DEMO_REF,
                )
            )
        overall[rounded_mean(levels) or 0] += 1
        role_lines = profiles.get(employee.job_role_id or 0, [])
        for skill_id, target in rng.sample(role_lines, k=min(len(role_lines), rng.randint(3, 10))):
            level = min(5, max(1, target + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
            rows.append(
                SkillEvidence(
                    employee=employee,
                    skill_id=skill_id,
                    level=level,
                    kind=SkillEvidence.Kind.SELF,
                    observed_on=observed,
                    recorded_by_id=employee.user_id,
                    source_ref=DEMO_REF,
                )
            )
    SkillEvidence.objects.bulk_create(rows, batch_size=2000)
    return {
        "raters": raters,
        "evidence": len(rows),
        "ai_level_share": {level: round(n / raters, 3) for level, n in sorted(overall.items())}
        if raters
        else {},
    }
