"""Fixtures of the mentoring tests, on top of the shared personas (alice, bob, maria, charlie, …).

``world``: two skills (Python, SQL); alice (learner, Python level 1, her role asks for 4);
bob (alice's peer, Python 4) mentors Python with one place; charlie (another department, Python 5,
SQL 3) mentors both with two places; maria (alice's and bob's manager, Python 4) mentors Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from trellis.mentoring import services
from trellis.mentoring.models import MentorProfile, Mentorship
from trellis.skills.models import RoleSkill, Skill, SkillEvidence
from trellis.skills.services import skill_evidence_record


@dataclass
class World:
    python: Skill
    sql: Skill
    bob_profile: MentorProfile
    charlie_profile: MentorProfile
    maria_profile: MentorProfile


def evidence(employee: Any, skill: Skill, level: int, *, days_ago: int = 30) -> SkillEvidence:
    return skill_evidence_record(
        employee=employee,
        skill=skill,
        level=level,
        kind=SkillEvidence.Kind.SELF,
        observed_on=timezone.localdate() - dt.timedelta(days=days_ago),
        recorded_by=None,
    )


@pytest.fixture
def world(personas: Any) -> World:
    python = Skill.objects.create(uri="test:python", source="trellis", label="Python")
    sql = Skill.objects.create(uri="test:sql", source="trellis", label="SQL")
    p = personas
    RoleSkill.objects.create(job_role=p.alice.job_role, skill=python, target_level=4)
    RoleSkill.objects.create(job_role=p.alice.job_role, skill=sql, target_level=2)
    evidence(p.alice, python, 1)
    evidence(p.bob, python, 4)
    evidence(p.charlie, python, 5)
    evidence(p.charlie, sql, 3)
    evidence(p.maria, python, 4)

    def mentor(who: Any, skills: list[Skill], capacity: int) -> MentorProfile:
        return services.mentor_profile_save(
            employee=who,
            skill_ids=[s.pk for s in skills],
            capacity=capacity,
            hours_per_month=4,
            availability="Tuesday mornings",
            languages=["en"],
            bio="Happy to help",
            actor=who.user,
        )

    return World(
        python=python,
        sql=sql,
        bob_profile=mentor(p.bob, [python], 1),
        charlie_profile=mentor(p.charlie, [python, sql], 2),
        maria_profile=mentor(p.maria, [python], 2),
    )


@pytest.fixture
def active(personas: Any, world: World) -> Mentorship:
    """alice is mentored by charlie in Python."""
    m = services.mentorship_request(
        mentee=personas.alice,
        mentor=personas.charlie,
        skill=world.python,
        message="Could you help me with pandas?",
        actor=personas.alice.user,
    )
    return services.mentorship_answer(
        mentorship=m,
        mentor=personas.charlie,
        accept=True,
        note="Gladly",
        actor=personas.charlie.user,
    )
