"""State changes of the skills app. Every write to skills models goes through one of these."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.skills import ai_literacy
from trellis.skills.models import (
    OccupationSkill,
    RoleSkill,
    Skill,
    SkillEvidence,
    SkillFamily,
    Source,
)

#: Maximum number of occupation skills a generated role profile takes.
PROFILE_SIZE = 15
MAX_HOT_TECHNOLOGIES = 5
TECH_FAMILY = "Technology & Data"
#: Higher is preferred: specific skills say more about a role than very generic ones.
REUSE_SCORE = {
    "sector-specific": 3,
    "cross-sector": 3,
    "occupation-specific": 2,
    "transversal": 0,
    "": 1,
}


def _check_level(level: Any, field: str = "level") -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        raise ValidationError({field: "Choose a level from 1 to 5."}) from None
    if not 1 <= value <= 5:
        raise ValidationError(
            {field: f"Level {value} is out of range: choose a level from 1 to 5."}
        )
    return value


def seniority_target(seniority: int) -> int:
    """Target level of a role's occupation skills: 1 -> 2, 2-3 -> 3, 4-5 -> 4."""
    if seniority <= 1:
        return 2
    if seniority <= 3:
        return 3
    return 4


@transaction.atomic
def ai_literacy_ensure() -> SkillFamily:
    """Create or update the AI-literacy family and its eight skills (idempotent)."""
    family, _ = SkillFamily.objects.update_or_create(
        slug=ai_literacy.FAMILY_SLUG,
        defaults={
            "name": ai_literacy.FAMILY_NAME,
            "description": ai_literacy.FAMILY_DESCRIPTION,
            "level_names": ai_literacy.LEVEL_NAMES,
            "level_descriptions": ai_literacy.LEVEL_DESCRIPTIONS,
        },
    )
    existing = {s.uri: s for s in Skill.objects.filter(uri__in=ai_literacy.SKILL_URIS)}
    for uri, label, description in ai_literacy.SKILLS:
        skill = existing.get(uri)
        wanted = {
            "source": Source.TRELLIS,
            "kind": Skill.Kind.SKILL,
            "label": label,
            "description": description,
            "family_id": family.pk,
            "is_digital": True,
        }
        if skill is None:
            Skill.objects.create(uri=uri, **wanted)
        elif any(getattr(skill, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(skill, k, v)
            skill.save(update_fields=[*wanted, "updated_at"])
    return family


def _occupation_candidates(*, job_role: Any) -> list[Skill]:
    """The occupation skills a generated profile takes, best first (see README: role-profile rule)."""
    if job_role.occupation_id is None:
        return []
    tech = job_role.family == TECH_FAMILY
    links = (
        OccupationSkill.objects.filter(
            occupation_id=job_role.occupation_id, relation=OccupationSkill.Relation.ESSENTIAL
        )
        .exclude(skill__kind=Skill.Kind.GROUP)
        .select_related("skill")
    )

    def score(skill: Skill) -> tuple[int, str]:
        value = REUSE_SCORE.get(skill.reuse_level, 1)
        if tech and skill.is_digital:
            value += 2
        if skill.kind == Skill.Kind.SKILL:
            value += 1  # prefer doing over knowing when we must cut
        return (-value, skill.label)

    return sorted((link.skill for link in links), key=score)[:PROFILE_SIZE]


def _hot_technologies(*, job_role: Any) -> list[Skill]:
    if job_role.onet_occupation_id is None or job_role.family != TECH_FAMILY:
        return []
    links = (
        OccupationSkill.objects.filter(
            occupation_id=job_role.onet_occupation_id, skill__is_hot_technology=True
        )
        .select_related("skill")
        # the technologies most occupations call hot first (Excel, SQL, Python …), not A-Z
        .annotate(spread=Count("skill__occupation_links"))
        .order_by("-spread", "skill__label")
    )
    return [link.skill for link in links[:MAX_HOT_TECHNOLOGIES]]


@transaction.atomic
def role_profile_generate(*, job_role: Any, actor: Any) -> dict[str, int]:
    """(Re)build the taxonomy lines of ``job_role``'s profile; lines L&D set manually are never touched.

    Taxonomy lines that the rule no longer selects are removed. Returns counts.
    """
    target = seniority_target(job_role.seniority)
    wanted: dict[int, tuple[int, bool]] = {}
    for skill in _occupation_candidates(job_role=job_role):
        wanted[skill.pk] = (target, True)
    for skill in _hot_technologies(job_role=job_role):
        wanted.setdefault(skill.pk, (max(1, target - 1), False))
    ai_ids = dict(Skill.objects.filter(uri__in=ai_literacy.SKILL_URIS).values_list("uri", "pk"))
    for uri, level in ai_literacy.ai_targets_for(job_role.family).items():
        if uri in ai_ids:
            wanted[ai_ids[uri]] = (level, True)

    existing = {
        rs.skill_id: rs for rs in RoleSkill.objects.select_for_update().filter(job_role=job_role)
    }
    counts = {"created": 0, "updated": 0, "removed": 0, "manual_kept": 0}
    to_create: list[RoleSkill] = []
    to_update: list[RoleSkill] = []
    for skill_id, (level, essential) in wanted.items():
        line = existing.get(skill_id)
        if line is None:
            to_create.append(
                RoleSkill(
                    job_role=job_role,
                    skill_id=skill_id,
                    target_level=level,
                    is_essential=essential,
                    origin=RoleSkill.Origin.TAXONOMY,
                )
            )
        elif line.origin == RoleSkill.Origin.MANUAL:
            counts["manual_kept"] += 1
        elif (line.target_level, line.is_essential) != (level, essential):
            line.target_level, line.is_essential = level, essential
            to_update.append(line)
    stale = [
        rs.pk
        for sid, rs in existing.items()
        if sid not in wanted and rs.origin == RoleSkill.Origin.TAXONOMY
    ]
    counts["manual_kept"] += sum(
        1
        for sid, rs in existing.items()
        if sid not in wanted and rs.origin == RoleSkill.Origin.MANUAL
    )
    RoleSkill.objects.bulk_create(to_create)
    if to_update:
        RoleSkill.objects.bulk_update(to_update, ["target_level", "is_essential"])
    if stale:
        RoleSkill.objects.filter(pk__in=stale).delete()
    counts.update(created=len(to_create), updated=len(to_update), removed=len(stale))
    audit_log(
        actor=actor, code="trellis.skills.role_profile.generated", target=job_role, data=counts
    )
    return counts


@transaction.atomic
def role_skill_set(
    *, job_role: Any, skill: Skill, target_level: int, is_essential: bool, actor: Any
) -> RoleSkill:
    """Add or change one line of a role profile by hand (origin manual, audited)."""
    level = _check_level(target_level, "target_level")
    line, created = RoleSkill.objects.update_or_create(
        job_role=job_role,
        skill=skill,
        defaults={
            "target_level": level,
            "is_essential": bool(is_essential),
            "origin": RoleSkill.Origin.MANUAL,
        },
    )
    audit_log(
        actor=actor,
        code="trellis.skills.role_skill.set",
        target=job_role,
        data={
            "skill": skill.uri,
            "target_level": level,
            "is_essential": bool(is_essential),
            "created": created,
        },
    )
    return line


@transaction.atomic
def role_skill_remove(*, job_role: Any, skill: Skill, actor: Any) -> bool:
    """Remove one line of a role profile (audited). Returns False if there was no such line."""
    deleted, _ = RoleSkill.objects.filter(job_role=job_role, skill=skill).delete()
    if deleted:
        audit_log(
            actor=actor,
            code="trellis.skills.role_skill.removed",
            target=job_role,
            data={"skill": skill.uri},
        )
    return bool(deleted)


@transaction.atomic
def skill_evidence_record(
    *,
    employee: Any,
    skill: Skill,
    level: int,
    kind: str,
    observed_on: date,
    recorded_by: Any,
    note: str = "",
    source_ref: str = "",
) -> SkillEvidence:
    """Record one piece of evidence of ``employee``'s level in ``skill``. Non-self kinds are audited."""
    value = _check_level(level)
    if kind not in SkillEvidence.Kind.values:
        raise ValidationError({"kind": f"Unknown evidence kind {kind!r}."})
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": "The date cannot be in the future."})
    evidence = SkillEvidence.objects.create(
        employee=employee,
        skill=skill,
        level=value,
        kind=kind,
        observed_on=observed_on,
        recorded_by=recorded_by if getattr(recorded_by, "pk", None) else None,
        note=note[:500],
        source_ref=source_ref[:255],
    )
    if kind != SkillEvidence.Kind.SELF:
        audit_log(
            actor=recorded_by,
            code="trellis.skills.evidence.recorded",
            target=evidence,
            data={"employee": employee.pk, "skill": skill.uri, "level": value, "kind": kind},
        )
    return evidence


def self_rating_skills(*, employee: Any) -> list[Skill]:
    """What a person may rate themselves on: their role-profile skills, then the AI-literacy skills."""
    role_skills = []
    if employee.job_role_id:
        role_skills = [
            rs.skill
            for rs in RoleSkill.objects.filter(job_role_id=employee.job_role_id)
            .exclude(skill__family__slug=ai_literacy.FAMILY_SLUG)
            .select_related("skill__family")
            .order_by("-is_essential", "skill__label")
        ]
    ai_skills = list(
        Skill.objects.filter(family__slug=ai_literacy.FAMILY_SLUG)
        .select_related("family")
        .order_by("id")
    )
    return role_skills + ai_skills


@transaction.atomic
def self_rating_submit(
    *, employee: Any, ratings: dict[int, int], actor: Any
) -> list[SkillEvidence]:
    """Save a person's self-ratings (kind self, today). Only the person may rate themselves.

    ``ratings`` maps skill id to level 1 to 5; every skill must be one ``self_rating_skills`` offers.
    A second rating of the same skill on the same day replaces the first. All or nothing.
    """
    if getattr(actor, "pk", None) is None or actor.pk != employee.user_id:
        raise PermissionDenied("You can only rate your own skills.")
    allowed = {s.pk: s for s in self_rating_skills(employee=employee)}
    errors: dict[str, str] = {}
    levels: dict[int, int] = {}
    for skill_id, level in ratings.items():
        field = f"skill_{skill_id}"
        if skill_id not in allowed:
            errors[field] = "This skill is not in your role profile or the AI-literacy family."
            continue
        try:
            levels[skill_id] = _check_level(level, field)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    existing = {
        ev.skill_id: ev
        for ev in SkillEvidence.objects.filter(
            employee=employee,
            kind=SkillEvidence.Kind.SELF,
            observed_on=today,
            skill_id__in=list(levels),
        )
    }
    saved: list[SkillEvidence] = []
    new: list[SkillEvidence] = []
    changed: list[SkillEvidence] = []
    for skill_id, level in levels.items():
        ev = existing.get(skill_id)
        if ev is None:
            new.append(
                SkillEvidence(
                    employee=employee,
                    skill_id=skill_id,
                    level=level,
                    kind=SkillEvidence.Kind.SELF,
                    observed_on=today,
                    recorded_by=actor,
                )
            )
        else:
            if ev.level != level:
                ev.level = level
                changed.append(ev)
            saved.append(ev)
    saved.extend(SkillEvidence.objects.bulk_create(new))
    if changed:
        SkillEvidence.objects.bulk_update(changed, ["level"])
    return saved
