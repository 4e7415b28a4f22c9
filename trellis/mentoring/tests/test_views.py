from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.mentoring import services
from trellis.mentoring.models import FeedbackRequest, MentoringSession, MentorProfile, Mentorship

pytestmark = pytest.mark.django_db


def test_home_shows_my_mentors_and_suggestions(
    personas, world, active, django_assert_max_num_queries
):
    client = personas.client("alice")
    with django_assert_max_num_queries(40):
        r = client.get(reverse("mentoring:home"))
    assert r.status_code == 200
    html = r.content.decode()
    assert personas.charlie.full_name in html  # my mentor
    assert personas.bob.full_name in html  # suggested for Python (charlie is already mine)
    assert "Same time zone as you (UTC)" in html
    bob_home = personas.client("bob").get(reverse("mentoring:home")).content.decode()
    assert "Could you help me with pandas?" not in bob_home
    assert personas.alice.full_name not in bob_home


def test_find_by_skill(personas, world):
    r = personas.client("alice").get(reverse("mentoring:find"), {"skill": world.sql.pk})
    assert r.status_code == 200
    assert [s.mentor.full_name for s in r.context["results"]] == [personas.charlie.full_name]
    r = personas.client("alice").get(reverse("mentoring:find"), {"q": "sq"})
    assert [s.label for s in r.context["skills"]] == ["SQL"]


def test_request_page(personas, world):
    url = reverse("mentoring:request", args=[personas.bob.employee_id, world.python.pk])
    client = personas.client("alice")
    assert client.get(url).status_code == 200
    r = client.post(url, {"message": "x" * 1001})
    assert r.status_code == 400
    assert "Keep it to 1000 characters" in r.content.decode()
    assert not Mentorship.objects.exists()
    r = client.post(url, {"message": "Help with pandas"})
    m = Mentorship.objects.get()
    assert r.status_code == 302 and r.url == reverse("mentoring:mentorship", args=[m.uid])
    assert (m.mentee_id, m.mentor_id, m.message) == (
        personas.alice.pk,
        personas.bob.pk,
        "Help with pandas",
    )
    # someone who does not mentor that skill: 404
    bad = reverse("mentoring:request", args=[personas.alice.employee_id, world.python.pk])
    assert client.get(bad).status_code == 404


def test_mentorship_page_personas(personas, world, active):
    services.session_log(
        mentorship=active,
        employee=personas.alice,
        held_on=timezone.localdate(),
        duration_minutes=30,
        notes="Secret notes",
        actor=None,
    )
    url = reverse("mentoring:mentorship", args=[active.uid])
    for who in ("alice", "charlie"):
        r = personas.client(who).get(url)
        assert r.status_code == 200 and "Secret notes" in r.content.decode()
    for who in ("maria", "oscar", "erin"):  # managers of the mentee, of the mentor, above both
        r = personas.client(who).get(url)
        assert r.status_code == 200 and r.context["role"] == "manager"
        assert "Secret notes" not in r.content.decode()
    for who in ("bob", "lena", "audrey"):
        assert personas.client(who).get(url).status_code == 404


def test_answer_by_mentor_only(personas, world):
    m = services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=None
    )
    url = reverse("mentoring:answer", args=[m.uid])
    assert personas.client("alice").post(url, {"decision": "accept"}).status_code == 403
    assert personas.client("charlie").post(url, {"decision": "accept"}).status_code == 404
    assert personas.client("maria").post(url, {"decision": "accept"}).status_code == 403
    m.refresh_from_db()
    assert m.status == "requested"
    r = personas.client("bob").post(url, {"decision": "accept", "note": "Welcome"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.status, m.answer_note) == ("active", "Welcome")


def test_session_log_page(personas, world, active):
    url = reverse("mentoring:session_log", args=[active.uid])
    client = personas.client("alice")
    r = client.post(url, {"held_on": "2999-01-01", "duration_minutes": "2", "notes": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert "The session date cannot be in the future." in html
    assert "Enter the length in minutes from 5 to 480." in html
    assert not MentoringSession.objects.exists()
    assert (
        personas.client("maria").post(url, {"held_on": "", "duration_minutes": "30"}).status_code
        == 403
    )
    assert (
        personas.client("bob").post(url, {"held_on": "", "duration_minutes": "30"}).status_code
        == 404
    )
    r = client.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": "45",
            "notes": "ok",
            "skill": str(world.python.pk),
        },
    )
    assert r.status_code == 302
    assert list(MentoringSession.objects.values_list("duration_minutes", "notes")) == [(45, "ok")]


def test_end_mentorship_page(personas, world, active):
    url = reverse("mentoring:end", args=[active.uid])
    assert personas.client("bob").post(url).status_code == 404
    assert personas.client("charlie").post(url, {"note": "Good luck"}).status_code == 302
    active.refresh_from_db()
    assert (active.status, active.end_note) == ("ended", "Good luck")


def test_mentor_page(personas, world):
    r = personas.client("alice").get(reverse("mentoring:mentor"))
    assert r.status_code == 200
    assert r.context["options"] == [] and r.context["profile"] is None
    r = personas.client("charlie").post(
        reverse("mentoring:mentor"),
        {"skills": [str(world.sql.pk)], "capacity": "0", "hours_per_month": "3", "languages": "en"},
    )
    assert r.status_code == 400
    assert list(r.context["errors"]) == ["capacity"]
    assert MentorProfile.objects.get(employee=personas.charlie).capacity == 2
    r = personas.client("charlie").post(
        reverse("mentoring:mentor"),
        {
            "skills": [str(world.sql.pk)],
            "capacity": "4",
            "hours_per_month": "3",
            "languages": "en, fr",
        },
    )
    assert r.status_code == 302
    profile = MentorProfile.objects.get(employee=personas.charlie)
    assert (profile.capacity, profile.languages) == (4, ["en", "fr"])
    r = personas.client("charlie").post(reverse("mentoring:mentor_status"), {"status": "paused"})
    assert r.status_code == 302
    profile.refresh_from_db()
    assert profile.status == "paused"
    assert (
        personas.client("alice")
        .post(reverse("mentoring:mentor_status"), {"status": "paused"})
        .status_code
        == 404
    )


def test_feedback_pages(personas, world):
    client = personas.client("alice")
    r = client.post(
        reverse("mentoring:feedback"), {"giver": "other", "other": "nobody@x.org", "topic": ""}
    )
    assert r.status_code == 400
    assert sorted(r.context["errors"]) == ["giver"]
    r = client.post(
        reverse("mentoring:feedback"),
        {"giver": personas.maria.employee_id, "topic": "", "message": ""},
    )
    assert list(r.context["errors"]) == ["topic"]
    assert not FeedbackRequest.objects.exists()
    r = client.post(
        reverse("mentoring:feedback"),
        {
            "giver": "other",
            "other": personas.bob.email,
            "topic": f"skill:{world.python.pk}",
            "message": "How did my talk go?",
        },
    )
    f = FeedbackRequest.objects.get()
    assert r.status_code == 302 and (f.giver_id, f.skill_id) == (personas.bob.pk, world.python.pk)
    detail = reverse("mentoring:feedback_detail", args=[f.uid])
    assert personas.client("bob").get(detail).context["side"] == "giver"
    assert client.get(detail).context["side"] == "learner"
    for who in ("maria", "charlie", "lena"):  # the manager does not see the request itself
        assert personas.client(who).get(detail).status_code == 404
    answer = reverse("mentoring:feedback_answer", args=[f.uid])
    assert client.post(answer, {"rating": "3", "comment": "self-praise"}).status_code == 403
    r = personas.client("bob").post(answer, {"rating": "", "comment": ""})
    assert r.status_code == 400 and sorted(r.context["errors"]) == ["comment", "rating"]
    r = personas.client("bob").post(answer, {"rating": "3", "comment": "Clear and calm"})
    assert r.status_code == 302
    html = client.get(detail).content.decode()
    assert "Clear and calm" in html and "3 of 5" in html
    assert "3 of 5" in client.get(reverse("mentoring:feedback")).content.decode()
    assert (
        "Clear and calm"
        not in personas.client("maria").get(reverse("mentoring:feedback")).content.decode()
    )


def test_team_page_for_managers(personas, world, active):
    r = personas.client("maria").get(reverse("mentoring:team"))
    assert r.status_code == 200
    assert [(m.mentee_id, m.mentor_id) for m in r.context["rows"]] == [
        (personas.alice.pk, personas.charlie.pk)
    ]
    r = personas.client("oscar").get(reverse("mentoring:team"))
    assert [m.pk for m in r.context["rows"]] == [active.pk]  # charlie, his report, is the mentor
    assert personas.client("alice").get(reverse("mentoring:team")).status_code == 403
    assert personas.client("lena").get(reverse("mentoring:team")).status_code == 403
    # a mentorship wholly in Oscar's line: not Maria's business
    from trellis.people.tests.factories import EmployeeFactory

    seller = EmployeeFactory(manager=personas.oscar, department=personas.charlie.department)
    theirs = services.mentorship_request(
        mentee=seller, mentor=personas.charlie, skill=world.sql, actor=None
    )
    rows = personas.client("maria").get(reverse("mentoring:team")).context["rows"]
    assert [m.pk for m in rows] == [active.pk]
    url = reverse("mentoring:mentorship", args=[theirs.uid])
    assert personas.client("maria").get(url).status_code == 404
    assert personas.client("oscar").get(url).context["role"] == "manager"


def test_overview_for_org_readers(personas, world, active):
    r = personas.client("lena").get(reverse("mentoring:overview"))
    assert r.status_code == 200
    assert r.context["summary"]["mentors_per_skill"][0] == {
        "skill_id": world.python.pk,
        "skill": "Python",
        "uri": "test:python",
        "mentors": 3,
    }
    assert personas.client("audrey").get(reverse("mentoring:overview")).status_code == 200
    assert personas.client("maria").get(reverse("mentoring:overview")).status_code == 403
    assert personas.client("alice").get(reverse("mentoring:overview")).status_code == 403


def test_home_queries_do_not_grow_with_mentors(personas, world, active, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.mentoring.tests.conftest import evidence
    from trellis.people.tests.factories import EmployeeFactory

    client = personas.client("alice")
    client.get(reverse("mentoring:home"))  # warm the session and the role cache
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("mentoring:home"))
    for _ in range(4):
        extra = EmployeeFactory()
        evidence(extra, world.python, 5)
        evidence(extra, world.sql, 4)
        services.mentor_profile_save(
            employee=extra,
            skill_ids=[world.python.pk, world.sql.pk],
            capacity=2,
            hours_per_month=2,
            actor=None,
        )
    with django_assert_num_queries(len(before.captured_queries)):
        r = client.get(reverse("mentoring:home"))
    assert len(r.context["gaps"][0].suggestions) == 5


def test_mentoring_pages_link_the_team_and_overview_pages_by_role(personas):
    from django.urls import reverse

    team, overview = reverse("mentoring:team"), reverse("mentoring:overview")
    home = reverse("mentoring:home")
    alice = personas.client("alice").get(home).content.decode()
    assert team not in alice and overview not in alice
    maria = personas.client("maria").get(home).content.decode()
    assert team in maria and overview not in maria
    lena = personas.client("lena").get(home).content.decode()
    assert overview in lena
