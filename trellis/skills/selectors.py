"""Reads of the skills app. Other apps import these (and ``services``), never the models' managers directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from trellis.skills.ai_literacy import FAMILY_SLUG, LEVEL_NAMES
from trellis.skills.models import (
    LEVELS,
    Occupation,
    OccupationSkill,
    RoleSkill,
    Skill,
    SkillEvidence,
    SkillFamily,
    SkillLabel,
)

_LEVEL_NAMES = dict(LEVELS)


@dataclass
class SkillLine:
    """One skill of a person: the target their role sets, and what the latest evidence says."""

    skill_id: int
    uri: str
    label: str
    family: str | None
    target_level: int | None
    current_level: int | None
    level_name: str
    evidence_kind: str | None
    observed_on: date | None
    is_essential: bool

    @property
    def gap(self) -> int:
        return max(0, (self.target_level or 0) - (self.current_level or 0))

    @property
    def meter(self) -> list[dict[str, Any]]:
        """Five rungs for the level meter: current level lit, target marked."""
        return [
            {
                "level": n,
                "on": bool(self.current_level and n <= self.current_level),
                "target": n == self.target_level,
            }
            for n in range(1, 6)
        ]


@dataclass
class EmployeeSkillProfile:
    role_lines: list[SkillLine]
    other_lines: list[SkillLine]
    ai_literacy: list[SkillLine]
    ai_literacy_level: int | None
    ai_literacy_level_name: str | None
    ai_level_names: list[str]

    @property
    def gaps(self) -> int:
        return sum(1 for line in self.role_lines if line.gap)


def level_name(level: int | None, *, family: SkillFamily | None = None) -> str:
    if level is None:
        return ""
    if family is not None:
        return family.level_name(level)
    return _LEVEL_NAMES.get(level, str(level))


def rounded_mean(levels: list[int]) -> int | None:
    """Mean rounded half up (2.5 -> 3), None for no levels."""
    if not levels:
        return None
    return int(sum(levels) / len(levels) + 0.5)


def latest_evidence_by_skill(
    *, employee: Any, with_skill: bool = False
) -> dict[int, SkillEvidence]:
    """The latest piece of evidence (any kind) per skill for ``employee``: one query."""
    latest: dict[int, SkillEvidence] = {}
    rows = SkillEvidence.objects.filter(employee=employee).order_by(
        "skill_id", "-observed_on", "-id"
    )
    if with_skill:
        rows = rows.select_related("skill__family")
    else:
        rows = rows.only("id", "skill_id", "level", "kind", "observed_on")
    for ev in rows:
        latest.setdefault(ev.skill_id, ev)
    return latest


def _line(
    skill: Skill, *, target: int | None, essential: bool, ev: SkillEvidence | None
) -> SkillLine:
    family = skill.family if skill.family_id else None
    current = ev.level if ev else None
    return SkillLine(
        skill_id=skill.pk,
        uri=skill.uri,
        label=skill.label,
        family=family.name if family else None,
        target_level=target,
        current_level=current,
        level_name=level_name(current, family=family),
        evidence_kind=ev.kind if ev else None,
        observed_on=ev.observed_on if ev else None,
        is_essential=essential,
    )


def employee_skill_profile(*, employee: Any) -> EmployeeSkillProfile:
    """The person's role profile with their levels, their AI literacy and other evidenced skills.

    Three queries whatever the size of the profile or the evidence.
    """
    latest = latest_evidence_by_skill(employee=employee, with_skill=True)
    role_rows = list(
        RoleSkill.objects.filter(job_role_id=employee.job_role_id)
        .select_related("skill__family")
        .order_by("-is_essential", "-target_level", "skill__label")
    )
    ai_skills = list(
        Skill.objects.filter(family__slug=FAMILY_SLUG).select_related("family").order_by("id")
    )
    ai_ids = {s.pk for s in ai_skills}
    role_lines = [
        _line(
            rs.skill, target=rs.target_level, essential=rs.is_essential, ev=latest.get(rs.skill_id)
        )
        for rs in role_rows
        if rs.skill_id not in ai_ids
    ]
    role_targets = {rs.skill_id: rs for rs in role_rows}
    ai_lines = [
        _line(
            s,
            target=role_targets[s.pk].target_level if s.pk in role_targets else None,
            essential=role_targets[s.pk].is_essential if s.pk in role_targets else False,
            ev=latest.get(s.pk),
        )
        for s in ai_skills
    ]
    known = set(role_targets) | ai_ids
    others = sorted(
        (ev for sid, ev in latest.items() if sid not in known), key=lambda ev: ev.skill.label
    )
    other_lines = [_line(ev.skill, target=None, essential=False, ev=ev) for ev in others]
    ai_level = rounded_mean([line.current_level for line in ai_lines if line.current_level])
    family = ai_skills[0].family if ai_skills else None
    names = list(family.level_names) if family and family.level_names else list(LEVEL_NAMES)
    return EmployeeSkillProfile(
        role_lines=role_lines,
        other_lines=other_lines,
        ai_literacy=ai_lines,
        ai_literacy_level=ai_level,
        ai_literacy_level_name=names[ai_level - 1] if ai_level else None,
        ai_level_names=names,
    )


def skill_search(
    *, q: str = "", source: str = "", family: str = "", kind: str = ""
) -> QuerySet[Skill]:
    """Skills whose label or an alternative label contains ``q``; exact and prefix matches first."""
    qs = Skill.objects.select_related("family")
    if source:
        qs = qs.filter(source=source)
    if family:
        qs = qs.filter(family__slug=family)
    if kind:
        qs = qs.filter(kind=kind)
    q = q.strip()
    if q:
        label_ids = SkillLabel.objects.filter(label__icontains=q).values("skill_id")
        qs = qs.filter(Q(label__icontains=q) | Q(pk__in=label_ids))
        qs = qs.annotate(
            rank=Case(
                When(label__iexact=q, then=Value(0)),
                When(label__istartswith=q, then=Value(1)),
                When(label__icontains=q, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        ).order_by("rank", "label", "id")
    else:
        qs = qs.order_by("label", "id")
    return qs


def skill_detail(*, skill_id: int) -> Skill:
    """One skill with what its page shows: family, labels, parents, children (a fixed number of queries)."""
    return (
        Skill.objects.select_related("family")
        .prefetch_related("alt_labels", "parents", "children")
        .get(pk=skill_id)
    )


def skill_occupations(*, skill: Skill) -> QuerySet[Any]:
    return (
        OccupationSkill.objects.filter(skill=skill)
        .select_related("occupation")
        .order_by("relation", "occupation__label")
    )


def occupation_search(*, q: str = "", source: str = "") -> QuerySet[Occupation]:
    qs = Occupation.objects.all()
    if source:
        qs = qs.filter(source=source)
    q = q.strip()
    if q:
        qs = qs.filter(Q(label__icontains=q) | Q(code__istartswith=q))
    return qs.order_by("label", "id")


def role_profile_lines(*, job_role: Any) -> QuerySet[RoleSkill]:
    return (
        RoleSkill.objects.filter(job_role=job_role)
        .select_related("skill__family")
        .order_by("-is_essential", "-target_level", "skill__label")
    )


def job_roles_with_profiles() -> QuerySet[Any]:
    """Job roles with occupation, headcount of active employees and profile size, in one query."""
    from trellis.people.models import JobRole

    return (
        JobRole.objects.select_related("occupation", "onet_occupation")
        .annotate(
            headcount=Count("employees", filter=Q(employees__is_active=True), distinct=True),
            profile_size=Count("profile", distinct=True),
        )
        .order_by("title")
    )


def ai_literacy_levels(*, employees: Any) -> dict[int, int | None]:
    """Overall AI-literacy level per employee pk (same rule as the profile), in one query.

    ``employees`` is an iterable of employees or of their primary keys. People without evidence map to None.
    """
    ids = [getattr(e, "pk", e) for e in employees]
    rows = (
        SkillEvidence.objects.filter(employee_id__in=ids, skill__family__slug=FAMILY_SLUG)
        .order_by("employee_id", "skill_id", "-observed_on", "-id")
        .values_list("employee_id", "skill_id", "level")
    )
    latest: dict[tuple[int, int], int] = {}
    for employee_id, skill_id, level in rows:
        latest.setdefault((employee_id, skill_id), level)
    per_person: dict[int, list[int]] = {}
    for (employee_id, _skill_id), level in latest.items():
        per_person.setdefault(employee_id, []).append(level)
    return {pk: rounded_mean(per_person.get(pk, [])) for pk in ids}


def ai_literacy_level_name(level: int | None) -> str:
    return LEVEL_NAMES[level - 1] if level else ""
