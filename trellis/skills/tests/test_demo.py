from __future__ import annotations

from trellis.people.models import JobRole
from trellis.people.tests.factories import JobRoleFactory
from trellis.skills import demo
from trellis.skills.models import Occupation, RoleSkill, Skill, SkillEvidence


def test_demo_steps_build_profiles_and_ratings(personas):
    summary = demo.load_taxonomy()
    assert summary["esco"] == {"skills": 13896, "occupations": 41, "relations": 2786}
    assert summary["onet"]["occupations"] == 35
    assert demo.load_ai_literacy() == {"family": "ai-literacy", "skills": 8}

    role = JobRoleFactory(title="Software Developer", family="Technology & Data", seniority=2)
    JobRole.objects.exclude(pk=role.pk).delete()
    for employee in (personas.alice, personas.bob, personas.maria):
        employee.job_role = role
        employee.save(update_fields=["job_role"])

    totals = demo.build_role_profiles()
    role.refresh_from_db()
    assert role.occupation == Occupation.objects.get(
        uri="http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
    )
    assert role.onet_occupation == Occupation.objects.get(uri="onet:15-1252.00")
    lines = RoleSkill.objects.filter(job_role=role).select_related("skill")
    esco = [rs for rs in lines if rs.skill.source == "esco"]
    hot = [rs for rs in lines if rs.skill.source == "onet"]
    ai = [rs for rs in lines if rs.skill.source == "trellis"]
    assert (len(esco), len(hot), len(ai)) == (15, 5, 8)
    assert {rs.target_level for rs in esco} == {3} and {rs.target_level for rs in hot} == {2}
    assert all(rs.skill.is_hot_technology and not rs.is_essential for rs in hot)
    assert totals == {"created": 28, "updated": 0, "removed": 0, "manual_kept": 0, "roles": 1}

    first = demo.build_self_ratings()
    rows = list(SkillEvidence.objects.values_list("employee_id", "skill_id", "level", "kind"))
    assert first["evidence"] == len(rows) > 0
    assert {kind for *_, kind in rows} == {"self"}
    assert all(1 <= level <= 5 for _, _, level, _ in rows)
    allowed = set(RoleSkill.objects.filter(job_role=role).values_list("skill_id", flat=True))
    allowed |= set(Skill.objects.filter(family__slug="ai-literacy").values_list("pk", flat=True))
    assert {skill_id for _, skill_id, _, _ in rows} <= allowed
    # Fixed seed and idempotent: running it again gives the very same rows.
    assert demo.build_self_ratings() == first
    assert sorted(
        SkillEvidence.objects.values_list("employee_id", "skill_id", "level", "kind")
    ) == sorted(rows)
