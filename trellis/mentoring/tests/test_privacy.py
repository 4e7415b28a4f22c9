from __future__ import annotations

import json

import pytest
from django.utils import timezone

from trellis.mentoring import privacy, selectors, services
from trellis.mentoring.models import FeedbackRequest, MentoringSession, MentorProfile, Mentorship

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(personas, world, active):
    session = services.session_log(
        mentorship=active,
        employee=personas.alice,
        held_on=timezone.localdate(),
        duration_minutes=40,
        notes="We talked about my manager",
        actor=None,
    )
    asked = services.feedback_ask(
        learner=personas.alice,
        giver=personas.bob,
        skill=world.python,
        message="Honest please",
        actor=None,
    )
    services.feedback_answer(
        request=asked, giver=personas.bob, rating=2, comment="Keep going", actor=None
    )
    given = services.feedback_ask(
        learner=personas.charlie, giver=personas.alice, skill=world.sql, actor=None
    )
    return session, asked, given


def test_export_holds_everything_and_is_json(personas, world, active, history):
    session, asked, given = history
    data = privacy.export_data(employee=personas.alice)
    json.dumps(data)
    assert data["mentor_profile"] is None
    [m] = data["mentorships"]
    assert (m["id"], m["role"], m["mentor"], m["message"]) == (
        str(active.uid),
        "mentee",
        personas.charlie.full_name,
        "Could you help me with pandas?",
    )
    assert [(s["id"], s["notes"], s["duration_minutes"]) for s in m["sessions"]] == [
        (str(session.uid), "We talked about my manager", 40)
    ]
    assert [(f["id"], f["rating"], f["comment"]) for f in data["feedback_asked"]] == [
        (str(asked.uid), 2, "Keep going")
    ]
    assert [f["id"] for f in data["feedback_given"]] == [str(given.uid)]
    bob = privacy.export_data(employee=personas.bob)
    assert bob["mentor_profile"]["skills"] == ["test:python"]
    assert bob["mentor_profile"]["availability"] == "Tuesday mornings"


def test_erase_removes_text_detaches_identity_keeps_counts(personas, world, active, history):
    session, asked, given = history
    before = selectors.mentoring_summary()
    counts = privacy.erase_data(employee=personas.alice, pseudonym="anon-7f3a")
    assert counts == {
        "mentor_profiles": 0,
        "session_notes": 1,
        "sessions_detached": 1,
        "mentorships_as_mentee": 1,
        "mentorships_as_mentor": 0,
        "end_notes": 0,
        "feedback_asked": 1,
        "feedback_given": 1,
    }
    m = Mentorship.objects.get(pk=active.pk)
    assert (m.mentee_id, m.mentee_pseudonym, m.message, m.mentor_id) == (
        None,
        "anon-7f3a",
        "",
        personas.charlie.pk,
    )
    s = MentoringSession.objects.get(pk=session.pk)
    assert (s.notes, s.logged_by_id, s.duration_minutes) == ("", None, 40)
    f = FeedbackRequest.objects.get(pk=asked.pk)
    assert (f.learner_id, f.learner_pseudonym, f.message, f.comment, f.rating) == (
        None,
        "anon-7f3a",
        "",
        "",
        2,
    )
    g = FeedbackRequest.objects.get(pk=given.pk)
    assert (g.giver_id, g.giver_pseudonym) == (None, "anon-7f3a")
    after = selectors.mentoring_summary()
    assert after["mentorships"] == before["mentorships"]
    assert after["sessions_per_month"] == before["sessions_per_month"]
    assert after["feedback"] == before["feedback"]
    assert privacy.export_data(employee=personas.alice) == {
        "mentor_profile": None,
        "mentorships": [],
        "feedback_asked": [],
        "feedback_given": [],
    }
    # nothing of alice's remains in the mentoring rows
    texts = json.dumps(privacy.export_data(employee=personas.charlie))
    assert personas.alice.full_name not in texts and "my manager" not in texts


def test_erase_a_mentor_deletes_the_profile(personas, world, active):
    counts = privacy.erase_data(employee=personas.charlie, pseudonym="anon-c")
    assert (counts["mentor_profiles"], counts["mentorships_as_mentor"]) == (1, 1)
    assert not MentorProfile.objects.filter(employee=personas.charlie).exists()
    assert Mentorship.objects.get(pk=active.pk).mentor_pseudonym == "anon-c"
