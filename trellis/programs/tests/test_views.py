from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from trellis.core.models import AuditEvent
from trellis.programs import services
from trellis.programs.models import Enrollment, EnrollmentEvent, Extension, Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(personas, make_program, items):
    program = make_program(rules=[{}], name="AI fluency for everyone")
    services.requirement_add(actor=personas.lena.user, program=program, item=items[0])
    services.program_activate(actor=personas.lena.user, program=program)
    return program


def test_learner_sees_only_their_own_assignments(personas, active, items):
    response = personas.client("alice").get("/programs/assigned/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["enrollment"].employee_id, r["program"].name, r["total"]) for r in rows] == [
        (personas.alice.pk, "AI fluency for everyone", 1)
    ]
    assert rows[0]["next"].item == items[0]
    assert "Item 0" in response.content.decode()


def test_learner_cannot_open_team_or_program_pages(personas, active):
    alice = personas.client("alice")
    assert alice.get("/programs/team/").status_code == 403
    assert alice.get(f"/programs/{active.pk}/").status_code == 403
    bob = Enrollment.objects.get(program=active, employee=personas.bob)
    assert alice.post(f"/programs/enrollments/{bob.pk}/nudge/").status_code == 404
    assert not EnrollmentEvent.objects.filter(kind="nudged").exists()


def test_manager_team_view_is_their_reporting_line(personas, active):
    response = personas.client("maria").get("/programs/team/")
    assert response.status_code == 200
    names = sorted(r["enrollment"].employee.full_name for r in response.context["rows"])
    assert names == sorted([personas.alice.full_name, personas.bob.full_name])


def test_manager_nudges_and_extends_inside_line_only(personas, active):
    maria = personas.client("maria")
    alice = Enrollment.objects.get(program=active, employee=personas.alice)
    charlie = Enrollment.objects.get(program=active, employee=personas.charlie)
    response = maria.post(f"/programs/enrollments/{alice.pk}/nudge/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="enrollment-{alice.pk}"' in response.content.decode()
    again = maria.post(f"/programs/enrollments/{alice.pk}/nudge/", HTTP_HX_REQUEST="true")
    assert "already nudged today" in again.content.decode()
    assert EnrollmentEvent.objects.filter(kind="nudged").count() == 1
    new_due = alice.due_on + dt.timedelta(days=14)
    response = maria.post(
        f"/programs/enrollments/{alice.pk}/extend/",
        {"new_due_on": new_due.isoformat(), "reason": "Workshop week"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.due_on == new_due
    # outside the line: 404 and nothing changes
    due = charlie.due_on
    assert maria.post(f"/programs/enrollments/{charlie.pk}/nudge/").status_code == 404
    assert maria.get(f"/programs/enrollments/{charlie.pk}/extend/").status_code == 404
    assert (
        maria.post(
            f"/programs/enrollments/{charlie.pk}/extend/",
            {"new_due_on": (due + dt.timedelta(days=5)).isoformat(), "reason": "x"},
        ).status_code
        == 404
    )
    assert (
        maria.post(f"/programs/enrollments/{charlie.pk}/exempt/", {"reason": "x"}).status_code
        == 404
    )
    charlie.refresh_from_db()
    assert (charlie.due_on, charlie.state) == (due, "active")
    assert Extension.objects.count() == 1
    assert EnrollmentEvent.objects.filter(enrollment=charlie).exclude(kind="enrolled").count() == 0


def rules_data(rules: list[dict], initial: int = 0) -> dict:
    """The POST data of the audience rules formset."""
    data = {"rules-TOTAL_FORMS": str(len(rules)), "rules-INITIAL_FORMS": str(initial)}
    for n, rule in enumerate(rules):
        data.update({f"rules-{n}-{k}": v for k, v in rule.items()})
    return data


PROGRAM = {
    "name": "Privacy",
    "category": "compliance",
    "planned_hours": "1",
    "due_policy": "relative",
    "due_days": "30",
    "recurrence_months": "0",
    "renewal_window_days": "30",
    "reminder_days": "7, 1",
    "escalation_days": "7",
}


def test_ld_admin_sets_several_audience_rules_adds_and_removes_them(personas):
    lena = personas.client("lena")
    sales = personas.charlie.department
    # "Add a rule" posts the form back with one more empty rule and saves nothing
    page = lena.post("/programs/new/", {**PROGRAM, **rules_data([{}]), "add_rule": "1"})
    assert page.status_code == 200
    assert len(page.context["rules"].forms) == 2
    assert page.context["errors"] == []
    assert 'id="id_rules-1-departments"' in page.content.decode()
    assert not Program.objects.exists()
    # a bad rule: the error names the rule and the field, and nothing is saved
    bad = lena.post(
        "/programs/new/",
        {
            **PROGRAM,
            **rules_data(
                [
                    {"departments": [sales.pk]},
                    {"hired_from": "2025-06-01", "hired_to": "2025-01-01", "managers": "NOPE"},
                ]
            ),
        },
    )
    assert bad.status_code == 400
    assert [text for _, text in bad.context["errors"]] == [
        "Rule 2 · Everyone under these managers (employee ids): No employee has the id(s) NOPE.",
        "Rule 2 · Hired until: The hire-date window ends before it starts.",
    ]
    assert bad.context["errors"][1][0] == "id_rules-1-hired_to"
    assert 'href="#id_rules-1-hired_to"' in bad.content.decode()
    assert not Program.objects.exists()
    # two rules: Sales, or everyone under Maria
    ok = lena.post(
        "/programs/new/",
        {
            **PROGRAM,
            **rules_data(
                [{"departments": [sales.pk]}, {"managers": personas.maria.employee_id}, {}]
            ),
        },
    )
    assert ok.status_code == 302
    program = Program.objects.get(name="Privacy")
    rules = list(program.rules.order_by("pk"))
    assert [list(r.departments.all()) for r in rules] == [[sales], []]
    assert [list(r.managers.all()) for r in rules] == [[], [personas.maria]]
    preview = lena.get(f"/programs/{program.pk}/preview/").context["preview"]
    assert preview["total"] == 4  # oscar, charlie (Sales); alice, bob (under Maria)
    # editing shows both rules; removing the first leaves Maria's team
    edit = lena.get(f"/programs/{program.pk}/edit/")
    assert [f.initial.get("managers") for f in edit.context["rules"].forms] == [
        "",
        personas.maria.employee_id,
    ]
    removed = lena.post(
        f"/programs/{program.pk}/edit/",
        {
            **PROGRAM,
            **rules_data(
                [
                    {"departments": [sales.pk], "DELETE": "on"},
                    {"managers": personas.maria.employee_id},
                ],
                initial=2,
            ),
        },
    )
    assert removed.status_code == 302
    assert program.rules.count() == 1
    assert lena.get(f"/programs/{program.pk}/preview/").context["preview"]["total"] == 2
    # the audience change is audited
    assert AuditEvent.objects.filter(code="trellis.program.audience_set").count() == 2


def test_ld_admin_creates_previews_and_activates(personas, items):
    lena = personas.client("lena")
    response = lena.post(
        "/programs/new/",
        {
            "name": "AI in sales",
            "category": "enterprise_skill",
            "planned_hours": "3",
            "pace_points": "15: 20, 30: 60, 45: 100",
            "due_policy": "relative",
            "due_days": "45",
            "recurrence_months": "0",
            "renewal_window_days": "30",
            "reminder_days": "7, 1",
            "escalation_days": "7",
            "sponsor": personas.erin.employee_id,
            **rules_data([{"departments": [personas.charlie.department.pk]}]),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    program = Program.objects.get(name="AI in sales")
    assert (program.status, program.pace_points, program.sponsor) == (
        "draft",
        [[15, 20], [30, 60], [45, 100]],
        personas.erin,
    )
    preview = lena.get(f"/programs/{program.pk}/preview/")
    assert preview.context["preview"]["total"] == 2  # oscar and charlie (Sales)
    assert lena.post(f"/programs/{program.pk}/activate/").status_code == 302
    assert sorted(
        Enrollment.objects.filter(program=program).values_list(
            "employee__user__username", flat=True
        )
    ) == ["charlie", "oscar"]
    page = lena.get(f"/programs/{program.pk}/")
    assert page.status_code == 200
    assert page.context["dashboard"]["funnel"]["enrolled"] == 2
    csv = lena.get(f"/programs/{program.pk}/enrollments.csv").content.decode().splitlines()
    assert len(csv) == 3 and csv[0].startswith("employee_id,name")


def test_activation_over_budget_needs_confirmation(personas, make_program, items):
    services.mandate_budget_set(actor=personas.lena.user, job_role=None, hours_per_quarter=0.5)
    program = make_program(rules=[{"managers": [personas.maria]}])
    services.requirement_add(actor=personas.lena.user, program=program, item=items[0])
    lena = personas.client("lena")
    response = lena.post(f"/programs/{program.pk}/activate/")
    assert response.status_code == 409
    assert {o.name for o in response.context["overruns"]} == {
        personas.alice.full_name,
        personas.bob.full_name,
    }
    program.refresh_from_db()
    assert program.status == "draft" and not Enrollment.objects.exists()
    response = lena.post(f"/programs/{program.pk}/activate/", {"confirm_over_budget": "on"})
    assert response.status_code == 302
    assert Enrollment.objects.filter(program=program).count() == 2


def test_executive_and_auditor_read_only(personas, active):
    for who in ("erin", "audrey"):
        client = personas.client(who)
        assert client.get(f"/programs/{active.pk}/").status_code == 200
        assert client.get("/programs/").status_code == 200
        assert client.get("/programs/new/").status_code == 403
        assert client.post(f"/programs/{active.pk}/close/").status_code == 403
    # the auditor is nobody's manager: acting on an enrollment is 404 (erin manages everyone here)
    alice = Enrollment.objects.get(program=active, employee=personas.alice)
    auditor = personas.client("audrey")
    assert (
        auditor.post(f"/programs/enrollments/{alice.pk}/exempt/", {"reason": "x"}).status_code
        == 404
    )
    assert auditor.post(f"/programs/enrollments/{alice.pk}/nudge/").status_code == 404
    active.refresh_from_db()
    assert active.status == "active"
    assert not AuditEvent.objects.filter(
        code__in=["trellis.program.closed", "trellis.program.exempted"]
    ).exists()
    assert not EnrollmentEvent.objects.filter(kind__in=["exempted", "nudged"]).exists()


def test_ld_admin_can_act_on_anyone(personas, active):
    charlie = Enrollment.objects.get(program=active, employee=personas.charlie)
    response = personas.client("lena").post(
        f"/programs/enrollments/{charlie.pk}/exempt/", {"reason": "Long-term leave"}
    )
    assert response.status_code == 302
    charlie.refresh_from_db()
    assert charlie.state == "exempt"


def test_learner_acknowledges_a_policy(personas, make_program, django_capture_on_commit_callbacks):
    program = make_program(rules=[{}], name="Responsible AI usage policy", category="compliance")
    policy = services.requirement_add(
        actor=personas.lena.user, program=program, title="Responsible AI usage policy", body="Text."
    )
    services.program_activate(actor=personas.lena.user, program=program)
    alice = personas.client("alice")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(f"/programs/policy/{policy.uid}/acknowledge/")
    assert response.status_code == 302
    assert Enrollment.objects.get(program=program, employee=personas.alice).status == "completed"
    assert Enrollment.objects.get(program=program, employee=personas.bob).status == "not_started"


def test_enrollment_export_is_audited(personas, active):
    from trellis.core.models import AuditEvent

    response = personas.client("audrey").get(reverse("programs:export", args=[active.pk]))
    assert response.status_code == 200
    rows = response.content.decode().strip().splitlines()
    event = AuditEvent.objects.get(code="trellis.program.enrollments_exported")
    assert (event.actor_id, event.target_id, event.data) == (
        personas.audrey.user.pk,
        str(active.pk),
        {"rows": len(rows) - 1},
    )
    assert (
        personas.client("alice").get(reverse("programs:export", args=[active.pk])).status_code
        == 403
    )
    assert AuditEvent.objects.filter(code="trellis.program.enrollments_exported").count() == 1
