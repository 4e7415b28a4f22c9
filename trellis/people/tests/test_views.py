from __future__ import annotations

import pytest
from django.urls import reverse

from trellis.core.models import AuditEvent
from trellis.people.models import Department, Employee, Group, Location
from trellis.people.tests.factories import EmployeeFactory


def url(name: str, *args: object) -> str:
    return reverse(f"people:{name}", args=args)


def test_people_list_by_persona(personas):
    assert personas.client("alice").get(url("list")).status_code == 403
    response = personas.client("maria").get(url("list"))
    assert response.status_code == 302 and response["Location"] == url("team")
    for who in ("lena", "erin", "audrey"):
        response = personas.client(who).get(url("list"))
        assert response.status_code == 200
        assert [e.full_name for e in response.context["page"]] == sorted(
            e.full_name for e in Employee.objects.all()
        )


def test_people_list_filters_and_search(personas):
    client = personas.client("erin")
    sales = Department.objects.get(code="sales")
    response = client.get(url("list"), {"department": sales.code})
    assert {e.employee_id for e in response.context["page"]} == {
        personas.oscar.employee_id,
        personas.charlie.employee_id,
    }
    response = client.get(url("list"), {"q": "alice"})
    assert [e.employee_id for e in response.context["page"]] == [personas.alice.employee_id]
    response = client.get(url("list"), {"location": str(personas.bob.location_id)})
    assert [e.employee_id for e in response.context["page"]] == [personas.bob.employee_id]
    response = client.get(url("list"), {"q": "alice"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"Alice Learner" in response.content


def test_people_list_query_count_does_not_grow(personas, django_assert_num_queries):
    client = personas.client("lena")
    client.get(url("list"))  # warm the session
    with django_assert_num_queries(10) as ctx:
        client.get(url("list"))
    first = len(ctx.captured_queries)
    for _ in range(60):
        EmployeeFactory(manager=personas.erin, department=personas.alice.department)
    with django_assert_num_queries(first):
        response = client.get(url("list"))
    assert len(response.context["page"]) == 50


def test_person_page_scope(personas):
    alice, charlie = personas.alice.employee_id, personas.charlie.employee_id
    assert personas.client("alice").get(url("person", alice)).status_code == 200
    assert personas.client("alice").get(url("person", personas.bob.employee_id)).status_code == 404
    assert personas.client("maria").get(url("person", alice)).status_code == 200
    assert personas.client("maria").get(url("person", charlie)).status_code == 404
    response = personas.client("audrey").get(url("person", alice))
    assert response.status_code == 200
    assert [m.full_name for m in response.context["chain"]] == ["Erin Exec", "Maria Manager"]
    response = personas.client("erin").get(url("person", personas.maria.employee_id))
    assert sorted(r.full_name for r in response.context["reports"]) == ["Alice Learner", "Bob Peer"]
    assert b"Skills" in response.content


def test_profile_page(personas):
    response = personas.client("alice").get(url("profile"))
    assert response.status_code == 200
    assert response.context["employee"] == personas.alice
    assert b"Maria Manager" in response.content and b"AI literacy" in response.content


def test_team_page(personas):
    assert personas.client("alice").get(url("team")).status_code == 403
    assert personas.client("lena").get(url("team")).status_code == 403
    response = personas.client("maria").get(url("team"))
    assert [(r["employee"].full_name, r["direct"]) for r in response.context["rows"]] == [
        ("Alice Learner", True),
        ("Bob Peer", True),
    ]
    assert [r["ai_level"] for r in response.context["rows"]] == [None, None]
    assert b"not rated" in response.content
    response = personas.client("erin").get(url("team"))
    rows = {r["employee"].full_name: (r["direct"], r["level"]) for r in response.context["rows"]}
    assert (
        rows["Maria Manager"] == (True, 1)
        and rows["Alice Learner"] == (False, 2)
        and len(rows) == 7
    )


def test_edit_by_ld_admin(personas):
    client = personas.client("lena")
    alice = personas.alice
    assert client.get(url("edit", alice.employee_id)).status_code == 200
    data = {
        "full_name": "Alice Renamed",
        "email": alice.email,
        "department": alice.department_id,
        "job_role": alice.job_role_id,
        "manager": personas.oscar.employee_id,
        "location": alice.location_id,
        "language": "de",
        "timezone": "Europe/Berlin",
        "hire_date": "2022-01-10",
    }
    response = client.post(url("edit", alice.employee_id), data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.full_name, alice.manager_id, alice.language, alice.timezone) == (
        "Alice Renamed",
        personas.oscar.pk,
        "de",
        "Europe/Berlin",
    )
    assert alice.manager_path == f"/{personas.erin.pk}/{personas.oscar.pk}/{alice.pk}/"


def test_edit_errors_name_the_field_and_change_nothing(personas):
    client = personas.client("lena")
    maria = personas.maria
    data = {
        "full_name": "Maria Manager",
        "email": maria.email,
        "manager": personas.alice.employee_id,
        "language": "en",
        "timezone": "Europe/London",
    }
    response = client.post(url("edit", maria.employee_id), data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["manager"]
    data.update(manager="", timezone="Nowhere/City", email="bad")
    response = client.post(url("edit", maria.employee_id), data)
    assert set(response.context["form"].errors) == {"timezone", "email"}
    maria.refresh_from_db()
    assert (maria.manager_id, maria.timezone) == (personas.erin.pk, "UTC")
    assert not AuditEvent.objects.filter(code__startswith="trellis.people.").exists()


@pytest.mark.parametrize("who", ["erin", "audrey", "maria", "alice"])
def test_edit_forbidden_for_others(personas, who):
    alice = personas.alice
    client = personas.client(who)
    assert client.get(url("edit", alice.employee_id)).status_code == 403
    response = client.post(
        url("edit", alice.employee_id),
        {"full_name": "Hacked", "email": alice.email, "language": "en", "timezone": "UTC"},
    )
    assert response.status_code == 403
    assert (
        client.post(url("leave", alice.employee_id), {"left_on": "2025-01-01"}).status_code == 403
    )
    alice.refresh_from_db()
    assert alice.full_name == "Alice Learner" and alice.is_active


def test_leave_and_reactivate(personas):
    client = personas.client("lena")
    response = client.post(url("leave", personas.maria.employee_id), {"left_on": "2025-06-30"})
    assert response.status_code == 302
    personas.maria.refresh_from_db()
    personas.alice.refresh_from_db()
    assert not personas.maria.is_active and personas.alice.manager_id == personas.erin.pk
    client.post(url("reactivate", personas.maria.employee_id))
    personas.maria.refresh_from_db()
    assert personas.maria.is_active


def test_departments_page(personas):
    assert personas.client("alice").get(url("departments")).status_code == 403
    assert personas.client("maria").get(url("departments")).status_code == 403
    response = personas.client("erin").get(url("departments"))
    assert [d.code for d in response.context["departments"]] == list(
        Department.objects.order_by("path").values_list("code", flat=True)
    )
    assert personas.client("erin").post(url("departments"), {"name": "Research"}).status_code == 403
    assert not Department.objects.filter(name="Research").exists()
    lena = personas.client("lena")
    tech = Department.objects.get(code="technology-data")
    assert lena.post(url("departments"), {"name": "Research", "parent": tech.pk}).status_code == 302
    research = Department.objects.get(code="research")
    assert research.path == f"{tech.path}{research.pk}/"
    response = lena.post(
        url("department_edit", "technology-data"), {"name": "Tech", "parent": research.pk}
    )
    assert response.status_code == 422 and list(response.context["form"].errors) == ["parent"]
    response = lena.post(url("department_edit", "research"), {"name": "R&D", "parent": ""})
    research.refresh_from_db()
    assert (research.name, research.path, research.depth) == ("R&D", f"/{research.pk}/", 0)


def test_locations_page(personas):
    assert personas.client("bob").get(url("locations")).status_code == 403
    assert personas.client("audrey").get(url("locations")).status_code == 200
    lena = personas.client("lena")
    response = lena.post(
        url("locations"), {"name": "Porto", "country": "PT", "timezone": "Atlantis/Deep"}
    )
    assert response.status_code == 422 and list(response.context["form"].errors) == ["timezone"]
    assert (
        lena.post(
            url("locations"), {"name": "Porto", "country": "pt", "timezone": "Europe/Lisbon"}
        ).status_code
        == 302
    )
    assert Location.objects.get(name="Porto").country == "PT"


def test_groups_pages(personas):
    assert personas.client("alice").get(url("groups")).status_code == 403
    lena = personas.client("lena")
    response = lena.post(url("groups"), {"name": "AI champions", "description": "Early adopters"})
    group = Group.objects.get(name="AI champions")
    assert response["Location"] == url("group", group.pk)
    ids = f"{personas.alice.employee_id}, {personas.charlie.employee_id}"
    lena.post(url("group", group.pk), {"employee_ids": ids, "action": "add"})
    assert set(group.members.values_list("employee_id", flat=True)) == {
        personas.alice.employee_id,
        personas.charlie.employee_id,
    }
    response = lena.post(url("group", group.pk), {"employee_ids": "NOPE", "action": "add"})
    assert response.status_code == 422 and "NOPE" in str(
        response.context["form"].errors["employee_ids"]
    )
    lena.post(
        url("group", group.pk), {"employee_ids": personas.charlie.employee_id, "action": "remove"}
    )
    assert list(group.members.values_list("employee_id", flat=True)) == [personas.alice.employee_id]
    erin = personas.client("erin")
    assert erin.get(url("group", group.pk)).status_code == 200
    assert (
        erin.post(url("group", group.pk), {"employee_ids": personas.bob.employee_id}).status_code
        == 403
    )
    assert group.members.count() == 1


def test_import_help_and_example_csv(personas):
    assert personas.client("erin").get(url("import_example")).status_code == 403
    lena = personas.client("lena")
    assert b"manager_employee_id" in lena.get(url("import_help")).content
    response = lena.get(url("import_example"))
    assert response["Content-Type"].startswith("text/csv")
    from io import BytesIO

    from trellis.core.importing import run_import

    f = BytesIO(response.content)
    f.name = "hris-example.csv"
    report = run_import("hris", f, actor=personas.lena.user, dry_run=True)
    assert report.ok, report.errors
    assert (report.created, report.deactivated) == (4, 0)


def test_department_filter_includes_sub_departments(personas):
    from trellis.people.services import department_create, employee_update

    tech = Department.objects.get(code="technology-data")
    data = department_create(actor=None, name="Data", parent=tech)
    employee_update(actor=None, employee=personas.bob, department=data)
    client = personas.client("lena")
    response = client.get(url("list"), {"department": "technology-data"})
    assert {e.employee_id for e in response.context["page"]} == {
        personas.alice.employee_id,
        personas.bob.employee_id,
        personas.maria.employee_id,
    }
    response = client.get(url("list"), {"department": "data"})
    assert [e.employee_id for e in response.context["page"]] == [personas.bob.employee_id]
    response = client.get(url("list"), {"active": "no"})
    assert list(response.context["page"]) == []


def test_viewing_another_persons_page_is_audited(personas):
    from trellis.core.models import AuditEvent

    alice = personas.alice
    personas.client("alice").get(url("person", alice.employee_id))  # one's own: not recorded
    personas.client("alice").get(url("person", personas.bob.employee_id))  # 404: not recorded
    assert not AuditEvent.objects.filter(code="trellis.privacy.viewed").exists()
    personas.client("maria").get(url("person", alice.employee_id))
    personas.client("lena").get(url("edit", alice.employee_id))
    seen = AuditEvent.objects.filter(code="trellis.privacy.viewed").order_by("id")
    assert [(e.actor.username, e.target_id, e.data) for e in seen] == [
        (personas.maria.user.username, str(alice.pk), {"employee": alice.pk, "what": "profile"}),
        (
            personas.lena.user.username,
            str(alice.pk),
            {"employee": alice.pk, "what": "profile (edit form)"},
        ),
    ]
