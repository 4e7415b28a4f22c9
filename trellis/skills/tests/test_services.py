from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trellis.core.models import AuditEvent
from trellis.people.tests.factories import JobRoleFactory
from trellis.skills import ai_literacy
from trellis.skills.models import RoleSkill, Skill, SkillEvidence, SkillFamily
from trellis.skills.services import (
    ai_literacy_ensure,
    role_profile_generate,
    role_skill_remove,
    role_skill_set,
    self_rating_submit,
    seniority_target,
    skill_evidence_record,
)


def _profile(role):
    return {
        (rs.skill.uri, rs.target_level, rs.is_essential, rs.origin)
        for rs in RoleSkill.objects.filter(job_role=role).select_related("skill")
    }


def test_ai_literacy_ensure_is_idempotent_and_repairs(db):
    ai_literacy_ensure()
    Skill.objects.filter(uri="trellis:ai-literacy:prompting").update(label="changed")
    family = ai_literacy_ensure()
    assert SkillFamily.objects.count() == 1
    assert family.level_names == ["Aware", "Exploring", "Practitioner", "Proficient", "Advanced"]
    assert len(family.level_descriptions) == 5
    assert sorted(family.skills.values_list("uri", flat=True)) == sorted(ai_literacy.SKILL_URIS)
    assert (
        Skill.objects.get(uri="trellis:ai-literacy:prompting").label
        == "Prompting and working with AI assistants"
    )
    assert all(s.description for s in family.skills.all())


@pytest.mark.parametrize(("seniority", "target"), [(1, 2), (2, 3), (3, 3), (4, 4), (5, 4)])
def test_seniority_target(seniority, target):
    assert seniority_target(seniority) == target


def test_role_profile_generate_from_occupation(taxonomy, personas):
    counts = role_profile_generate(job_role=taxonomy.role, actor=personas.lena.user)
    ai_targets = ai_literacy.ai_targets_for("Technology & Data")
    expected = {(taxonomy.py.uri, 3, True, "taxonomy"), (taxonomy.debug.uri, 3, True, "taxonomy")}
    expected |= {(uri, level, True, "taxonomy") for uri, level in ai_targets.items()}
    assert _profile(taxonomy.role) == expected
    assert counts == {"created": 2 + 8, "updated": 0, "removed": 0, "manual_kept": 0}
    # optional "work in teams" is not taken; technology roles get all eight AI skills at 4
    assert set(ai_targets.values()) == {4}
    assert AuditEvent.objects.filter(code="trellis.skills.role_profile.generated").count() == 1


def test_role_profile_ai_targets_lower_outside_technology(taxonomy, personas):
    role = JobRoleFactory(
        title="Call Centre Agent", family="Customer Service", seniority=1, occupation=None
    )
    role_profile_generate(job_role=role, actor=None)
    lines = dict(RoleSkill.objects.filter(job_role=role).values_list("skill__uri", "target_level"))
    assert lines == {
        "trellis:ai-literacy:foundations": 2,
        "trellis:ai-literacy:prompting": 2,
        "trellis:ai-literacy:evaluating-output": 2,
        "trellis:ai-literacy:responsible-use": 2,
        "trellis:ai-literacy:tool-selection": 1,
        "trellis:ai-literacy:workflow-automation": 1,
    }


def test_regenerate_keeps_manual_lines_and_updates_taxonomy_lines(taxonomy, personas):
    lena = personas.lena.user
    role_profile_generate(job_role=taxonomy.role, actor=lena)
    role_skill_set(
        job_role=taxonomy.role, skill=taxonomy.py, target_level=5, is_essential=False, actor=lena
    )
    role_skill_set(
        job_role=taxonomy.role, skill=taxonomy.team, target_level=2, is_essential=True, actor=lena
    )
    taxonomy.role.seniority = 5
    taxonomy.role.save(update_fields=["seniority"])

    counts = role_profile_generate(job_role=taxonomy.role, actor=lena)

    lines = {
        rs.skill.uri: (rs.target_level, rs.is_essential, rs.origin)
        for rs in RoleSkill.objects.filter(job_role=taxonomy.role)
    }
    assert lines[taxonomy.py.uri] == (5, False, "manual")  # L&D's line untouched
    assert lines[taxonomy.team.uri] == (2, True, "manual")  # not in the rule, kept
    assert lines[taxonomy.debug.uri] == (4, True, "taxonomy")  # seniority 5 -> 4
    assert counts == {"created": 0, "updated": 1, "removed": 0, "manual_kept": 2}


def test_role_skill_set_validates_level_and_remove_is_audited(taxonomy, personas):
    lena = personas.lena.user
    with pytest.raises(ValidationError) as exc:
        role_skill_set(
            job_role=taxonomy.role, skill=taxonomy.py, target_level=6, is_essential=True, actor=lena
        )
    assert "target_level" in exc.value.message_dict
    assert RoleSkill.objects.count() == 0
    role_skill_set(
        job_role=taxonomy.role, skill=taxonomy.py, target_level=2, is_essential=True, actor=lena
    )
    assert role_skill_remove(job_role=taxonomy.role, skill=taxonomy.py, actor=lena) is True
    assert role_skill_remove(job_role=taxonomy.role, skill=taxonomy.py, actor=lena) is False
    assert list(
        AuditEvent.objects.filter(code__startswith="trellis.skills.role_skill")
        .values_list("code", flat=True)
        .order_by("id")
    ) == ["trellis.skills.role_skill.set", "trellis.skills.role_skill.removed"]


def test_skill_evidence_record_validates_and_audits(taxonomy, personas):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        skill_evidence_record(
            employee=personas.alice,
            skill=taxonomy.py,
            level=0,
            kind="manager",
            observed_on=today,
            recorded_by=personas.maria.user,
        )
    assert list(exc.value.message_dict) == ["level"]
    with pytest.raises(ValidationError) as exc:
        skill_evidence_record(
            employee=personas.alice,
            skill=taxonomy.py,
            level=3,
            kind="manager",
            observed_on=today + dt.timedelta(days=1),
            recorded_by=personas.maria.user,
        )
    assert list(exc.value.message_dict) == ["observed_on"]
    assert SkillEvidence.objects.count() == 0

    ev = skill_evidence_record(
        employee=personas.alice,
        skill=taxonomy.py,
        level=3,
        kind="manager",
        observed_on=today,
        recorded_by=personas.maria.user,
    )
    skill_evidence_record(
        employee=personas.alice,
        skill=taxonomy.py,
        level=2,
        kind="self",
        observed_on=today,
        recorded_by=personas.alice.user,
    )
    assert (ev.level, ev.kind) == (3, "manager")
    assert (
        AuditEvent.objects.filter(code="trellis.skills.evidence.recorded").count() == 1
    )  # self is not audited


def test_self_rating_submit(taxonomy, personas):
    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    prompting = taxonomy.ai["prompting"]

    saved = self_rating_submit(
        employee=alice, ratings={taxonomy.py.pk: 2, prompting.pk: 4}, actor=alice.user
    )
    assert len(saved) == 2
    # Same day again: replaces, does not duplicate.
    self_rating_submit(employee=alice, ratings={taxonomy.py.pk: 3}, actor=alice.user)
    assert sorted(SkillEvidence.objects.values_list("skill__uri", "level", "kind")) == sorted(
        [(taxonomy.py.uri, 3, "self"), (prompting.uri, 4, "self")]
    )


def test_self_rating_rejects_other_people_bad_levels_and_foreign_skills(taxonomy, personas):
    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    with pytest.raises(PermissionDenied):
        self_rating_submit(employee=alice, ratings={taxonomy.py.pk: 3}, actor=personas.bob.user)
    with pytest.raises(ValidationError) as exc:
        self_rating_submit(
            employee=alice, ratings={taxonomy.py.pk: 9, taxonomy.team.pk: 2}, actor=alice.user
        )
    assert exc.value.message_dict == {
        f"skill_{taxonomy.py.pk}": ["Level 9 is out of range: choose a level from 1 to 5."],
        f"skill_{taxonomy.team.pk}": [
            "This skill is not in your role profile or the AI-literacy family."
        ],
    }
    assert SkillEvidence.objects.count() == 0
