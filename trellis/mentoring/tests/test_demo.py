"""The mentoring demo on a small organisation: Priya → Ibrahim → Sam and his peers, and twelve
colleagues strong in AI literacy."""

from __future__ import annotations

import pytest

from trellis.lrs.models import Statement
from trellis.mentoring.demo import build_demo
from trellis.mentoring.models import FeedbackRequest, MentoringSession, MentorProfile, Mentorship
from trellis.mentoring.tests.conftest import evidence
from trellis.people.tests.factories import DepartmentFactory, EmployeeFactory, UserFactory
from trellis.skills.models import RoleSkill
from trellis.skills.services import ai_literacy_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    skills = list(ai_literacy_ensure().skills.order_by("pk"))
    data = DepartmentFactory(name="Data & Analytics", code="data")
    sales = DepartmentFactory(name="Sales", code="sales")

    def person(username, **kw):
        return EmployeeFactory(user=UserFactory(username=username), **kw)

    priya = person("priya", department=data)
    ibrahim = person("ibrahim", department=data, manager=priya)
    sam = person("sam", department=data, manager=ibrahim)
    peer = person("nikhil", department=data, manager=ibrahim)
    for skill in skills:
        RoleSkill.objects.create(job_role=sam.job_role, skill=skill, target_level=4)
        evidence(sam, skill, 1)
    evidence(sam, skills[0], 4, days_ago=1)  # something Sam can mentor
    for n in range(12):
        who = person(f"expert{n}", department=sales if n % 2 else data, manager=priya)
        for skill in skills:
            evidence(who, skill, 4 + n % 2)
    for n in range(6):
        person(f"learner{n}", department=sales, manager=priya)
    return {"sam": sam, "priya": priya, "peer": peer}


def test_demo_builds_sams_story_and_is_idempotent(org):
    sam, priya = org["sam"], org["priya"]
    summary = build_demo()
    assert summary["created"] == 1
    assert MentorProfile.objects.count() == 13  # the twelve experts and Sam
    mine = Mentorship.objects.get(mentee=sam, status="active")
    assert MentoringSession.objects.filter(mentorship=mine).count() == 3
    assert Statement.objects.filter(object_activity_id__endswith=str(mine.uid)).count() == 6
    assert (
        Mentorship.objects.filter(mentor=mine.mentor, status="requested")
        .exclude(mentee=sam)
        .count()
        == 1
    )
    assert Mentorship.objects.filter(mentor=sam, status="requested").count() == 1
    given = FeedbackRequest.objects.get(learner=sam, giver=priya)
    assert (given.status, given.relation, given.evidence.kind) == ("answered", "manager", "manager")
    assert (
        FeedbackRequest.objects.filter(learner=sam, giver=org["peer"], status="pending").count()
        == 1
    )
    counts = (
        Mentorship.objects.count(),
        MentoringSession.objects.count(),
        Statement.objects.count(),
    )
    again = build_demo()
    assert again["created"] == 0
    assert (
        Mentorship.objects.count(),
        MentoringSession.objects.count(),
        Statement.objects.count(),
    ) == counts
