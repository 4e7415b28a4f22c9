from __future__ import annotations

import pytest

from trellis.programs import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(personas, make_program, items):
    program = make_program(rules=[{}], name="AI fluency for everyone")
    services.requirement_add(actor=personas.lena.user, program=program, item=items[0])
    services.program_activate(actor=personas.lena.user, program=program)
    return program


def test_enrollments_are_scoped(personas, program):
    url = f"/api/v1/programs/{program.pk}/enrollments"
    lena = personas.client("lena").get(url).json()
    assert lena["count"] == 8
    maria = personas.client("maria").get(url).json()
    assert sorted(i["name"] for i in maria["items"]) == sorted(
        [personas.maria.full_name, personas.alice.full_name, personas.bob.full_name]
    )
    alice = personas.client("alice").get(url).json()
    assert [(i["name"], i["status"]) for i in alice["items"]] == [
        (personas.alice.full_name, "not_started")
    ]


def test_program_list_and_detail(personas, program, make_program):
    draft = make_program(name="Draft")
    lena = personas.client("lena").get("/api/v1/programs/").json()
    assert sorted(p["name"] for p in lena["items"]) == ["AI fluency for everyone", "Draft"]
    alice = personas.client("alice")
    assert [p["name"] for p in alice.get("/api/v1/programs/").json()["items"]] == [
        "AI fluency for everyone"
    ]
    assert alice.get(f"/api/v1/programs/{draft.pk}").status_code == 404
    assert alice.get(f"/api/v1/programs/{program.pk}").json()["due_days"] == 30


def test_planned_vs_actual_for_org_readers_only(personas, program):
    url = f"/api/v1/programs/{program.pk}/planned-vs-actual"
    data = personas.client("erin").get(url).json()
    assert data["overall"]["enrolled"] == 8 and data["overall"]["completed"] == 0
    assert {s["kind"] for s in data["segments"]} == {"department", "job_role", "location"}
    assert personas.client("maria").get(url).status_code == 403
    assert personas.client("alice").get(url).status_code == 403
