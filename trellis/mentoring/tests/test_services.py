from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from trellis.lrs.models import Statement
from trellis.mentoring import selectors, services
from trellis.mentoring.models import (
    FeedbackRequest,
    MentoringSession,
    MentorProfile,
    Mentorship,
    MentorSkill,
)
from trellis.mentoring.tests.conftest import evidence
from trellis.notify.models import Notification
from trellis.people.tests.factories import EmployeeFactory
from trellis.skills.models import Skill, SkillEvidence
from trellis.skills.selectors import latest_evidence_by_skill

pytestmark = pytest.mark.django_db


def test_mentor_opt_in_needs_evidence_at_intermediate(personas, world):
    before = MentorProfile.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.mentor_profile_save(
            employee=personas.alice,  # Python at level 1 only
            skill_ids=[world.python.pk],
            capacity=2,
            hours_per_month=2,
            actor=personas.alice.user,
        )
    assert list(exc.value.message_dict) == ["skills"]
    assert "Intermediate (level 3)" in exc.value.message_dict["skills"][0]
    assert MentorProfile.objects.count() == before


def test_mentor_opt_in_names_every_bad_field(personas, world):
    with pytest.raises(ValidationError) as exc:
        services.mentor_profile_save(
            employee=personas.bob,
            skill_ids=[],
            capacity=0,
            hours_per_month="many",
            languages="english!",
            actor=personas.bob.user,
        )
    assert sorted(exc.value.message_dict) == [
        "capacity",
        "hours_per_month",
        "languages",
        "skills",
    ]
    profile = MentorProfile.objects.get(employee=personas.bob)
    assert (profile.capacity, profile.hours_per_month, profile.languages) == (1, 4, ["en"])


def test_mentor_profile_update_replaces_skills(personas, world):
    profile = services.mentor_profile_save(
        employee=personas.charlie,
        skill_ids=[world.sql.pk],
        capacity=3,
        hours_per_month=6,
        languages="en, de",
        actor=personas.charlie.user,
    )
    assert profile.pk == world.charlie_profile.pk
    assert list(profile.skill_links.values_list("skill__label", flat=True)) == ["SQL"]
    assert (profile.capacity, profile.languages) == (3, ["en", "de"])


def test_suggestions_rank_with_reasons(personas, world):
    gaps = selectors.gap_suggestions(employee=personas.alice)
    assert [(g.skill.label, g.current_level, g.target_level) for g in gaps] == [
        ("Python", 1, 4),
        ("SQL", None, 2),
    ]
    python = gaps[0].suggestions
    assert [(s.mentor.full_name, s.score) for s in python] == [
        (personas.charlie.full_name, 77),
        (personas.bob.full_name, 62),
    ]
    assert [(r.text, r.points) for r in python[1].reasons] == [
        (
            "Advanced (level 4) in Python: 3 levels above yours (Beginner)".replace(
                "Beginner", "Awareness"
            ),
            30,
        ),
        ("Has reached the level your role asks for (Advanced)", 10),
        ("Same time zone as you (UTC)", 12),
        ("Mentors in your language (en)", 5),
        ("1 of 1 place free", 5),
    ]
    sql = gaps[1].suggestions
    assert [(s.mentor.full_name, s.score) for s in sql] == [(personas.charlie.full_name, 67)]
    assert (
        sql[0].reasons[0].text
        == "Intermediate (level 3) in SQL: 3 levels above yours (no evidence yet)"
    )


def test_manager_only_when_nobody_else(personas, world):
    rust = Skill.objects.create(uri="test:rust", source="trellis", label="Rust")
    evidence(personas.maria, rust, 3)
    services.mentor_profile_save(
        employee=personas.maria,
        skill_ids=[world.python.pk, rust.pk],
        capacity=2,
        hours_per_month=2,
        actor=personas.maria.user,
    )
    found = selectors.mentor_candidates(learner=personas.alice, skills=[world.python, rust])
    assert personas.maria.pk not in [s.mentor.pk for s in found[world.python.pk]]
    assert [s.mentor.pk for s in found[rust.pk]] == [personas.maria.pk]
    assert found[rust.pk][0].reasons[-1].text == (
        "Your manager: suggested because nobody else mentors this skill"
    )


def test_mentor_level_must_exceed_learner(personas, world):
    evidence(personas.alice, world.python, 4, days_ago=1)
    found = selectors.mentor_candidates(learner=personas.alice, skills=[world.python])
    assert [s.mentor.pk for s in found[world.python.pk]] == [personas.charlie.pk]


def test_paused_mentor_is_not_suggested_and_cannot_be_requested(personas, world):
    services.mentor_status_set(
        profile=world.charlie_profile, status="paused", actor=personas.charlie.user
    )
    found = selectors.mentor_candidates(learner=personas.alice, skills=[world.python])
    assert [s.mentor.pk for s in found[world.python.pk]] == [personas.bob.pk]
    with pytest.raises(ValidationError) as exc:
        services.mentorship_request(
            mentee=personas.alice,
            mentor=personas.charlie,
            skill=world.python,
            actor=personas.alice.user,
        )
    assert list(exc.value.message_dict) == ["mentor"]
    assert not Mentorship.objects.exists()


def test_request_accept_notifies_both(personas, world):
    m = services.mentorship_request(
        mentee=personas.alice,
        mentor=personas.bob,
        skill=world.python,
        message="Help with pandas?",
        actor=personas.alice.user,
    )
    note = Notification.objects.get(recipient=personas.bob)
    assert (note.category, note.subject, note.url) == (
        "mentoring",
        f"Mentoring request from {personas.alice.full_name}: Python",
        f"/mentoring/m/{m.uid}/",
    )
    m = services.mentorship_answer(
        mentorship=m, mentor=personas.bob, accept=True, note="Yes!", actor=personas.bob.user
    )
    assert (m.status, m.answer_note) == ("active", "Yes!")
    assert Notification.objects.get(recipient=personas.alice).subject == (
        "Mentoring request accepted: Python"
    )


def test_request_validation_names_the_field(personas, world):
    cases = [
        (dict(mentor=personas.alice, skill=world.python), "mentor"),
        (dict(mentor=personas.bob, skill=world.sql), "skill"),
        (dict(mentor=personas.bob, skill=world.python, message="x" * 1001), "message"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.mentorship_request(mentee=personas.alice, actor=personas.alice.user, **kwargs)
        assert list(exc.value.message_dict) == [field]
    services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=personas.alice.user
    )
    with pytest.raises(ValidationError) as exc:
        services.mentorship_request(
            mentee=personas.alice,
            mentor=personas.bob,
            skill=world.python,
            actor=personas.alice.user,
        )
    assert list(exc.value.message_dict) == ["skill"]
    assert Mentorship.objects.count() == 1


def test_only_the_mentor_answers(personas, world):
    m = services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=personas.alice.user
    )
    for who in (personas.alice, personas.charlie):
        with pytest.raises(PermissionDenied):
            services.mentorship_answer(mentorship=m, mentor=who, accept=True, actor=who.user)
    m.refresh_from_db()
    assert m.status == "requested"


def test_capacity_is_enforced(personas, world):
    first = services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=personas.alice.user
    )
    second = services.mentorship_request(
        mentee=personas.charlie,
        mentor=personas.bob,
        skill=world.python,
        actor=personas.charlie.user,
    )
    services.mentorship_answer(mentorship=first, mentor=personas.bob, accept=True, actor=None)
    with pytest.raises(ValidationError) as exc:
        services.mentorship_answer(mentorship=second, mentor=personas.bob, accept=True, actor=None)
    assert list(exc.value.message_dict) == ["capacity"]
    assert exc.value.message_dict["capacity"][0].startswith("You have no free place (1 of 1")
    second.refresh_from_db()
    assert second.status == "requested"
    # a full mentor is no longer suggested nor requestable
    with pytest.raises(ValidationError) as exc:
        services.mentorship_request(
            mentee=personas.maria, mentor=personas.bob, skill=world.python, actor=None
        )
    assert exc.value.message_dict == {
        "mentor": [f"{personas.bob.full_name} has no free place right now."]
    }


@pytest.mark.django_db(transaction=True)
def test_two_accepts_for_the_last_place_one_wins(personas, world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file database (TEST_SQLITE_NAME) or PostgreSQL")
    requests = [
        services.mentorship_request(mentee=who, mentor=personas.bob, skill=world.python, actor=None)
        for who in (personas.alice, personas.charlie)
    ]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(m: Mentorship) -> None:
        from django.db import connections

        try:
            start.wait()
            services.mentorship_answer(mentorship=m, mentor=personas.bob, accept=True, actor=None)
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(next(iter(exc.message_dict)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(m,)) for m in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["accepted", "capacity"]
    assert Mentorship.objects.filter(mentor=personas.bob, status="active").count() == 1


def test_stop_declines_waiting_requests(personas, world):
    m = services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=None
    )
    services.mentor_status_set(profile=world.bob_profile, status="stopped", actor=None)
    m.refresh_from_db()
    assert (m.status, m.answer_note) == ("declined", "The mentor stopped taking mentees.")
    assert Notification.objects.filter(recipient=personas.alice, category="mentoring").count() == 1


def test_session_log_stores_statements_and_evidence(personas, world, active, settings):
    day = timezone.localdate()
    session = services.session_log(
        mentorship=active,
        employee=personas.alice,
        held_on=day.isoformat(),
        duration_minutes=45,
        notes="We went through groupby.",
        actor=personas.alice.user,
    )
    statements = {
        s.verb_id: s
        for s in Statement.objects.filter(
            statement_id__in=[session.mentee_statement_id, session.mentor_statement_id]
        )
    }
    activity = f"{settings.SITE_URL}/mentoring/mentorship/{active.uid}"
    attended = statements["http://adlnet.gov/expapi/verbs/attended"].data
    mentored = statements["http://id.tincanapi.com/verb/mentored"].data
    assert attended["actor"]["mbox"] == f"mailto:{personas.alice.email}"
    assert mentored["actor"]["mbox"] == f"mailto:{personas.charlie.email}"
    assert attended["object"]["id"] == mentored["object"]["id"] == activity
    assert attended["result"]["duration"] == "PT45M"
    assert attended["context"]["instructor"]["mbox"] == f"mailto:{personas.charlie.email}"
    ev = latest_evidence_by_skill(employee=personas.alice)[world.python.pk]
    assert (ev.pk, ev.kind, ev.level, ev.observed_on, ev.source_ref) == (
        session.evidence_id,
        SkillEvidence.Kind.MENTORING,
        1,
        day,
        str(session.mentee_statement_id),
    )
    assert ev.note == "Mentoring session"
    # a second session: the activity id stays the same
    second = services.session_log(
        mentorship=active,
        employee=personas.charlie,
        held_on=day,
        duration_minutes=90,
        actor=personas.charlie.user,
    )
    objects = set(
        Statement.objects.filter(
            statement_id__in=[second.mentee_statement_id, second.mentor_statement_id]
        ).values_list("object_activity_id", flat=True)
    )
    assert objects == {activity}
    assert (
        Statement.objects.get(statement_id=second.mentee_statement_id).data["result"]["duration"]
        == "PT1H30M"
    )


def test_session_validation_writes_nothing(personas, world, active):
    statements = Statement.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.session_log(
            mentorship=active,
            employee=personas.alice,
            held_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            duration_minutes=2,
            notes="n" * 4001,
            skill=world.sql,  # charlie mentors SQL too: allowed
            actor=None,
        )
    assert sorted(exc.value.message_dict) == ["duration_minutes", "held_on", "notes"]
    with pytest.raises(ValidationError) as exc:
        services.session_log(
            mentorship=active,
            employee=personas.alice,
            held_on="yesterday",
            duration_minutes=30,
            actor=None,
        )
    assert list(exc.value.message_dict) == ["held_on"]
    with pytest.raises(PermissionDenied):
        services.session_log(
            mentorship=active,
            employee=personas.bob,
            held_on=timezone.localdate(),
            duration_minutes=30,
            actor=None,
        )
    assert Statement.objects.count() == statements
    assert not MentoringSession.objects.exists()


def test_session_only_in_active_mentorship(personas, world, active):
    services.mentorship_end(mentorship=active, employee=personas.alice, note="Thanks!", actor=None)
    with pytest.raises(ValidationError) as exc:
        services.session_log(
            mentorship=active,
            employee=personas.alice,
            held_on=timezone.localdate(),
            duration_minutes=30,
            actor=None,
        )
    assert list(exc.value.message_dict) == ["mentorship"]
    assert (
        Notification.objects.filter(
            recipient=personas.charlie, subject="Mentorship ended: Python"
        ).count()
        == 1
    )


def test_session_evidence_survives_reprojection(personas, world, active):
    from trellis.lrs.projection import reproject_all

    session = services.session_log(
        mentorship=active,
        employee=personas.alice,
        held_on=timezone.localdate(),
        duration_minutes=30,
        actor=None,
    )
    reproject_all()
    assert SkillEvidence.objects.filter(pk=session.evidence_id).exists()


def test_feedback_from_manager_is_manager_evidence(personas, world):
    f = services.feedback_ask(
        learner=personas.alice,
        giver=personas.maria,
        skill=world.python,
        message="How am I doing?",
        actor=personas.alice.user,
    )
    assert f.relation == "manager"
    assert Notification.objects.get(recipient=personas.maria).url == f"/mentoring/feedback/{f.uid}/"
    f = services.feedback_answer(
        request=f,
        giver=personas.maria,
        rating=2,
        comment="Good progress",
        actor=personas.maria.user,
    )
    ev = SkillEvidence.objects.get(pk=f.evidence_id)
    assert (ev.employee_id, ev.skill_id, ev.level, ev.kind, ev.source_ref, ev.note) == (
        personas.alice.pk,
        world.python.pk,
        2,
        "manager",
        f"mentoring:feedback:{f.uid}",
        "Manager feedback",
    )
    assert Notification.objects.get(recipient=personas.alice).subject == (
        f"{personas.maria.full_name} gave you feedback: Python"
    )


def test_feedback_from_peer_is_an_assessment(personas, world):
    f = services.feedback_ask(
        learner=personas.alice, giver=personas.bob, skill=world.sql, actor=None
    )
    f = services.feedback_answer(
        request=f, giver=personas.bob, rating=3, comment="Solid", actor=None
    )
    assert (f.relation, f.evidence.kind, f.evidence.level, f.evidence.note) == (
        "peer",
        "peer",
        3,
        "Peer feedback",
    )


def test_feedback_validation_writes_nothing(personas, world):
    from trellis.catalog.tests.factories import ItemFactory

    item = ItemFactory()
    with pytest.raises(ValidationError) as exc:
        services.feedback_ask(learner=personas.alice, giver=personas.alice, actor=None)
    assert sorted(exc.value.message_dict) == ["giver", "skill"]
    with pytest.raises(ValidationError) as exc:
        services.feedback_ask(learner=personas.alice, giver=personas.bob, item=item, actor=None)
    assert exc.value.message_dict == {"item": [f"You have not completed “{item.title}” yet."]}
    assert not FeedbackRequest.objects.exists()
    f = services.feedback_ask(
        learner=personas.alice, giver=personas.bob, skill=world.sql, actor=None
    )
    evidence_before = SkillEvidence.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.feedback_answer(request=f, giver=personas.bob, rating=6, comment=" ", actor=None)
    assert sorted(exc.value.message_dict) == ["comment", "rating"]
    with pytest.raises(PermissionDenied):
        services.feedback_answer(
            request=f, giver=personas.charlie, rating=3, comment="x", actor=None
        )
    f.refresh_from_db()
    assert (f.status, f.rating, f.comment) == ("pending", None, "")
    assert SkillEvidence.objects.count() == evidence_before


def test_feedback_on_completed_item_uses_its_main_skill(personas, world):
    from trellis.catalog.models import ItemSkill
    from trellis.catalog.tests.factories import ItemFactory
    from trellis.lrs.models import Progress
    from trellis.lrs.projection import item_activity_id

    item = ItemFactory(title="Pandas in practice")
    ItemSkill.objects.create(item=item, skill=world.sql, weight=0.4)
    ItemSkill.objects.create(item=item, skill=world.python, weight=0.9)
    now = timezone.now()
    Progress.objects.create(
        employee=personas.alice,
        activity_id=item_activity_id(item),
        item=item,
        status="completed",
        first_activity_at=now,
        last_activity_at=now,
        completed_at=now,
        last_statement_id="00000000-0000-0000-0000-000000000001",
    )
    assert selectors.completed_items(employee=personas.alice) == [item]
    f = services.feedback_ask(learner=personas.alice, giver=personas.bob, item=item, actor=None)
    assert (f.skill_id, f.subject) == (world.python.pk, "Pandas in practice")


def test_feedback_decline_and_cancel(personas, world):
    f = services.feedback_ask(
        learner=personas.alice, giver=personas.bob, skill=world.sql, actor=None
    )
    f = services.feedback_decline(request=f, giver=personas.bob, note="Ask Charlie", actor=None)
    assert (f.status, f.decline_note, f.evidence_id) == ("declined", "Ask Charlie", None)
    g = services.feedback_ask(
        learner=personas.alice, giver=personas.bob, skill=world.sql, actor=None
    )
    with pytest.raises(PermissionDenied):
        services.feedback_cancel(request=g, learner=personas.bob, actor=None)
    assert services.feedback_cancel(request=g, learner=personas.alice, actor=None).status == (
        "cancelled"
    )


def test_mentoring_summary(personas, world, active):
    services.session_log(
        mentorship=active,
        employee=personas.alice,
        held_on=timezone.localdate(),
        duration_minutes=30,
        actor=None,
    )
    services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=None
    )
    data = selectors.mentoring_summary()
    month = timezone.localdate().strftime("%Y-%m")
    assert data["mentors"] == {"active": 3, "paused": 0, "stopped": 0}
    assert data["mentors_per_skill"] == [
        {"skill_id": world.python.pk, "skill": "Python", "uri": "test:python", "mentors": 3},
        {"skill_id": world.sql.pk, "skill": "SQL", "uri": "test:sql", "mentors": 1},
    ]
    assert data["open_requests"] == 1
    assert data["mentorships"]["active"] == 1
    assert data["sessions_per_month"] == [{"month": month, "sessions": 1, "minutes": 30}]
    scoped = selectors.mentoring_summary(employee_ids=[personas.charlie.pk])
    assert scoped["mentors"]["active"] == 1
    assert scoped["open_requests"] == 0 and scoped["sessions_per_month"] == []


def test_mentor_skills_table(personas, world):
    assert sorted(
        MentorSkill.objects.values_list("profile__employee__user__username", "skill__label")
    ) == [
        ("bob", "Python"),
        ("charlie", "Python"),
        ("charlie", "SQL"),
        ("maria", "Python"),
    ]
    assert EmployeeFactory  # factories importable for the other modules


def test_a_leaver_closes_what_is_open(personas, world, active, django_capture_on_commit_callbacks):
    from trellis.people.services import employee_deactivate

    waiting = services.mentorship_request(
        mentee=personas.bob, mentor=personas.charlie, skill=world.sql, actor=None
    )
    asked = services.feedback_ask(
        learner=personas.alice, giver=personas.charlie, skill=world.sql, actor=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        employee_deactivate(actor=personas.lena.user, employee=personas.charlie)
    active.refresh_from_db()
    waiting.refresh_from_db()
    asked.refresh_from_db()
    assert (active.status, waiting.status, asked.status) == ("ended", "declined", "declined")
    assert MentorProfile.objects.get(employee=personas.charlie).status == "stopped"
    assert (
        Notification.objects.filter(
            recipient=personas.alice, subject="Mentoring ended: Python"
        ).count()
        == 1
    )
    assert services.leavers_close(employee_ids=[personas.charlie.pk]) == {
        "profiles": 0,
        "mentorships": 0,
        "requests": 0,
        "feedback": 0,
    }
