from __future__ import annotations

import pytest
from django.utils import timezone

from trellis.lrs.models import Statement
from trellis.mentoring import services
from trellis.mentoring.models import FeedbackRequest, MentoringSession, Mentorship
from trellis.skills.models import SkillEvidence

pytestmark = pytest.mark.django_db

API = "/api/v1/mentoring"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_suggestions_and_mentors_for_a_skill(personas, world):
    alice = personas.client("alice")
    gaps = alice.get(f"{API}/suggestions").json()
    assert [(g["skill"]["label"], [m["mentor"]["name"] for m in g["mentors"]]) for g in gaps] == [
        ("Python", [personas.charlie.full_name, personas.bob.full_name]),
        ("SQL", [personas.charlie.full_name]),
    ]
    first = gaps[0]["mentors"][0]
    assert (first["score"], first["free_places"], first["reasons"][0]["points"]) == (77, 2, 40)
    found = alice.get(f"{API}/mentors", {"skill_id": world.sql.pk}).json()
    assert [(m["mentor"]["employee_id"], m["level"], m["level_name"]) for m in found] == [
        (personas.charlie.employee_id, 3, "Intermediate")
    ]
    assert alice.get(f"{API}/mentors", {"skill_id": 999999}).status_code == 404


def test_request_answer_and_my_mentorships(personas, world):
    alice, charlie, bob = (personas.client(n) for n in ("alice", "charlie", "bob"))
    r = post(
        alice,
        f"{API}/mentorships",
        {
            "mentor_employee_id": personas.charlie.employee_id,
            "skill_id": world.python.pk,
            "message": "Please",
        },
    )
    assert r.status_code == 201
    uid = r.json()["id"]
    assert (r.json()["status"], r.json()["role"]) == ("requested", "mentee")
    # the mentee cannot accept, a peer outside gets 404
    assert post(alice, f"{API}/mentorships/{uid}/answer", {"accept": True}).status_code == 403
    assert post(bob, f"{API}/mentorships/{uid}/answer", {"accept": True}).status_code == 404
    assert Mentorship.objects.get(uid=uid).status == "requested"
    r = post(charlie, f"{API}/mentorships/{uid}/answer", {"accept": True, "note": "Sure"})
    assert (r.status_code, r.json()["status"], r.json()["role"]) == (200, "active", "mentor")
    mine = alice.get(f"{API}/mentorships").json()
    assert [(m["id"], m["status"], m["mentor"]["name"]) for m in mine] == [
        (uid, "active", personas.charlie.full_name)
    ]
    assert bob.get(f"{API}/mentorships").json() == []
    r = post(charlie, f"{API}/mentorships/{uid}/answer", {"accept": False})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "body.status", "message": "This request is already active."}
    ]


def test_request_validation_names_the_field(personas, world):
    alice = personas.client("alice")
    r = post(
        alice, f"{API}/mentorships", {"mentor_employee_id": "nobody", "skill_id": world.python.pk}
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.mentor_employee_id"]
    r = post(
        alice,
        f"{API}/mentorships",
        {"mentor_employee_id": personas.bob.employee_id, "skill_id": world.sql.pk},
    )
    assert [e["field"] for e in r.json()["errors"]] == ["body.skill_id"]
    r = post(alice, f"{API}/mentorships", {"mentor_employee_id": personas.bob.employee_id})
    assert r.status_code == 422  # the schema's own check (django-ninja names it body.payload.…)
    assert [e["field"] for e in r.json()["errors"]] == ["body.payload.skill_id"]
    assert not Mentorship.objects.exists()


def test_log_session_personas(personas, world, active):
    url = f"{API}/mentorships/{active.uid}/sessions"
    today = timezone.localdate().isoformat()
    body = {"held_on": today, "duration_minutes": 60, "notes": "Joins and windows"}
    assert post(personas.client("bob"), url, body).status_code == 404
    assert post(personas.client("lena"), url, body).status_code == 404
    assert not MentoringSession.objects.exists()
    r = post(personas.client("charlie"), url, body)
    assert r.status_code == 201
    data = r.json()
    assert (data["duration_minutes"], data["notes"], data["skill"]["label"]) == (
        60,
        "Joins and windows",
        "Python",
    )
    assert Statement.objects.filter(statement_id__in=data["xapi_statements"]).count() == 2
    ev = SkillEvidence.objects.get(pk=data["evidence_id"])
    assert (ev.employee_id, ev.kind) == (personas.alice.pk, "mentoring")
    # the pair sees notes; the mentee's manager sees the sessions without notes
    assert personas.client("alice").get(url).json()[0]["notes"] == "Joins and windows"
    assert personas.client("oscar").get(url).json()[0]["notes"] is None  # charlie's manager
    assert personas.client("maria").get(url).json()[0]["notes"] is None  # alice's manager
    assert personas.client("bob").get(url).status_code == 404


def test_log_session_validation(personas, world, active):
    url = f"{API}/mentorships/{active.uid}/sessions"
    r = post(
        personas.client("alice"),
        url,
        {"held_on": timezone.localdate().isoformat(), "duration_minutes": 1000, "skill_id": 999999},
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.skill_id"]
    r = post(
        personas.client("alice"),
        url,
        {"held_on": timezone.localdate().isoformat(), "duration_minutes": 1000},
    )
    assert r.json()["errors"] == [
        {"field": "body.duration_minutes", "message": "Enter the length in minutes from 5 to 480."}
    ]
    r = post(personas.client("alice"), url, {"held_on": "not a date", "duration_minutes": 30})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.payload.held_on"
    assert not MentoringSession.objects.exists()
    assert not Statement.objects.exists()


def test_feedback_ask_answer_and_visibility(personas, world):
    alice, maria, bob = (personas.client(n) for n in ("alice", "maria", "bob"))
    r = post(
        alice,
        f"{API}/feedback",
        {
            "giver_employee_id": personas.maria.employee_id,
            "skill_id": world.python.pk,
            "message": "How is my Python?",
        },
    )
    assert r.status_code == 201
    uid = r.json()["id"]
    assert r.json()["relation"] == "manager"
    assert (
        post(bob, f"{API}/feedback/{uid}/answer", {"rating": 3, "comment": "x"}).status_code == 404
    )
    assert (
        post(alice, f"{API}/feedback/{uid}/answer", {"rating": 3, "comment": "x"}).status_code
        == 403
    )
    r = post(maria, f"{API}/feedback/{uid}/answer", {"rating": 9, "comment": ""})
    assert sorted(e["field"] for e in r.json()["errors"]) == ["body.comment", "body.rating"]
    assert FeedbackRequest.objects.get(uid=uid).status == "pending"
    r = post(maria, f"{API}/feedback/{uid}/answer", {"rating": 2, "comment": "Getting there"})
    assert (r.status_code, r.json()["rating"], r.json()["side"]) == (200, 2, "giver")
    mine = alice.get(f"{API}/feedback").json()
    assert [(f["id"], f["side"], f["rating"], f["comment"]) for f in mine] == [
        (uid, "learner", 2, "Getting there")
    ]
    assert bob.get(f"{API}/feedback").json() == []
    assert [f["side"] for f in maria.get(f"{API}/feedback").json()] == ["giver"]


def test_feedback_ask_validation(personas, world):
    r = post(
        personas.client("alice"),
        f"{API}/feedback",
        {"giver_employee_id": personas.alice.employee_id},
    )
    assert r.status_code == 422
    assert sorted(e["field"] for e in r.json()["errors"]) == [
        "body.giver_employee_id",
        "body.skill_id",
    ]
    r = post(
        personas.client("alice"),
        f"{API}/feedback",
        {"giver_employee_id": personas.bob.employee_id, "item_uid": "not-a-uuid"},
    )
    assert [e["field"] for e in r.json()["errors"]] == ["body.item_uid"]
    assert not FeedbackRequest.objects.exists()


def test_decline_feedback(personas, world):
    f = services.feedback_ask(
        learner=personas.alice, giver=personas.bob, skill=world.sql, actor=None
    )
    r = post(personas.client("bob"), f"{API}/feedback/{f.uid}/decline", {"note": "Busy"})
    assert (r.status_code, r.json()["status"], r.json()["decline_note"]) == (
        200,
        "declined",
        "Busy",
    )


def test_summary_for_org_readers_only(personas, world, active):
    r = personas.client("lena").get(f"{API}/summary")
    assert r.status_code == 200
    assert r.json()["mentors"] == {"active": 3, "paused": 0, "stopped": 0}
    assert r.json()["mentorships"]["active"] == 1
    assert personas.client("erin").get(f"{API}/summary").status_code == 200
    assert personas.client("maria").get(f"{API}/summary").status_code == 403
    assert personas.client("alice").get(f"{API}/summary").status_code == 403


def test_token_scopes(personas, world):
    from trellis.core.services import api_token_create

    _, secret = api_token_create(
        user=personas.alice.user, name="t", scopes=["mentoring:read"], created_by=personas.lena.user
    )
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(f"{API}/mentorships").status_code == 200
    r = post(
        client,
        f"{API}/mentorships",
        {"mentor_employee_id": personas.bob.employee_id, "skill_id": world.python.pk},
    )
    assert r.status_code == 403
    assert not Mentorship.objects.exists()


def test_my_mentorships_queries_are_constant(personas, world, active, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client("alice")
    client.get(f"{API}/mentorships")
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/mentorships")
    services.mentorship_request(
        mentee=personas.alice, mentor=personas.bob, skill=world.python, actor=None
    )
    services.mentorship_request(
        mentee=personas.alice, mentor=personas.charlie, skill=world.sql, actor=None
    )
    with django_assert_num_queries(len(one.captured_queries)):
        data = client.get(f"{API}/mentorships").json()
    assert [(m["mentor"]["name"], m["skill"]["label"], m["status"]) for m in data] == [
        (personas.charlie.full_name, "SQL", "requested"),
        (personas.bob.full_name, "Python", "requested"),
        (personas.charlie.full_name, "Python", "active"),
    ]
