from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trellis.core.models import AuditEvent
from trellis.lrs.events import record_item_completed
from trellis.people import services as people_services
from trellis.people.models import Employee
from trellis.programs import services
from trellis.programs.completion import enrollments_recompute
from trellis.programs.models import Enrollment, EnrollmentEvent, Exemption, Extension, Program
from trellis.programs.tests.conftest import aware, progress

pytestmark = pytest.mark.django_db


def states(program: Program) -> dict[str, str]:
    return {
        e.employee.user.username: e.state
        for e in Enrollment.objects.filter(program=program).select_related("employee__user")
    }


def test_audience_rules_union_include_exclude_and_inactive(personas, make_program):
    tech = personas.alice.department
    program = make_program(rules=[{"departments": [tech]}, {"managers": [personas.oscar]}])
    services.audience_set(
        actor=personas.lena.user,
        program=program,
        rules=[{"departments": [tech]}, {"managers": [personas.oscar]}],
        include=[personas.audrey],
        exclude=[personas.bob],
    )
    people_services.employee_deactivate(actor=None, employee=personas.lena)  # inactive never
    from trellis.programs.audience import audience_ids

    names = set(
        Employee.objects.filter(pk__in=audience_ids(program)).values_list(
            "user__username", flat=True
        )
    )
    assert names == {"maria", "alice", "charlie", "audrey"}


def test_activation_enrolls_with_relative_due_date_and_logs(personas, make_program):
    program = make_program(rules=[{"departments": [personas.alice.department]}], due_days=30)
    now = aware(2026, 3, 2)
    result = services.program_activate(actor=personas.lena.user, program=program, now=now)
    assert sorted(
        Employee.objects.filter(pk__in=result.enrolled).values_list("user__username", flat=True)
    ) == [
        "alice",
        "bob",
        "maria",
    ]
    e = Enrollment.objects.get(program=program, employee=personas.alice)
    assert (e.starts_on, e.due_on, e.cycle, e.state) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 4, 1),
        1,
        "active",
    )
    assert list(e.events.values_list("kind", "reason")) == [("enrolled", "program activated")]
    assert AuditEvent.objects.filter(code="trellis.program.activated").count() == 1


def test_joiner_mover_leaver(personas, make_program, django_capture_on_commit_callbacks):
    tech = personas.alice.department
    program = make_program(rules=[{"departments": [tech]}], due_days=14)
    services.program_activate(actor=personas.lena.user, program=program)
    today = timezone.localdate()
    # joiner: enrolled with a due date relative to their enrollment
    with django_capture_on_commit_callbacks(execute=True):
        newbie = people_services.employee_create(
            actor=personas.lena.user,
            employee_id="J1",
            full_name="Jo Iner",
            email="jo@example.com",
            department=tech,
            manager=personas.maria,
        )
    e = Enrollment.objects.get(program=program, employee=newbie)
    assert (e.state, e.due_on) == ("active", today + dt.timedelta(days=14))
    assert list(e.events.values_list("kind", "reason")) == [("enrolled", "joined")]
    # mover: out of the department → withdrawn, with the reason
    with django_capture_on_commit_callbacks(execute=True):
        people_services.employee_update(
            actor=personas.lena.user, employee=personas.bob, department=personas.charlie.department
        )
    bob = Enrollment.objects.get(program=program, employee=personas.bob)
    assert bob.state == "withdrawn"
    assert next(iter(bob.events.values_list("kind", "reason"))) == (
        "withdrawn",
        "moved: department",
    )
    # a move inside the audience keeps the enrollment and logs the re-evaluation
    with django_capture_on_commit_callbacks(execute=True):
        people_services.employee_update(
            actor=personas.lena.user, employee=personas.alice, location=personas.charlie.location
        )
    alice = Enrollment.objects.get(program=program, employee=personas.alice)
    assert alice.state == "active"
    assert next(iter(alice.events.values_list("kind", "reason"))) == (
        "re_evaluated",
        "moved: location",
    )
    # leaver
    with django_capture_on_commit_callbacks(execute=True):
        people_services.employee_deactivate(actor=personas.lena.user, employee=newbie)
    e.refresh_from_db()
    assert e.state == "withdrawn"
    assert next(iter(e.events.values_list("kind", "reason"))) == ("withdrawn", "left")
    assert states(program) == {
        "maria": "active",
        "alice": "active",
        "bob": "withdrawn",
        newbie.user.username: "withdrawn",
    }


def test_hris_import_moves_people_out(personas, make_program, django_capture_on_commit_callbacks):
    from trellis.people.importers import import_hris_csv as import_hris

    program = make_program(rules=[{"departments": [personas.alice.department]}])
    services.program_activate(actor=personas.lena.user, program=program)
    csv = (
        "employee_id,name,email,department,job_title,manager_employee_id,location,hire_date\n"
        f"{personas.alice.employee_id},Alice Learner,{personas.alice.email},Sales,"
        f"{personas.alice.job_role.title},{personas.maria.employee_id},{personas.alice.location.name},2022-01-10\n"
    )
    import io

    with django_capture_on_commit_callbacks(execute=True):
        report = import_hris(io.BytesIO(csv.encode()), actor=personas.lena.user)
    assert report.ok, report.errors
    e = Enrollment.objects.get(program=program, employee=personas.alice)
    assert e.state == "withdrawn"
    assert e.events.first().reason == "hris import"


def test_completion_updates_when_a_statement_is_stored(
    personas, make_program, items, django_capture_on_commit_callbacks
):
    program = make_program(rules=[{"managers": [personas.maria]}])
    services.requirement_add(actor=personas.lena.user, program=program, item=items[0])
    services.program_activate(actor=personas.lena.user, program=program)
    with django_capture_on_commit_callbacks(execute=True):
        record_item_completed(employee=personas.alice, item=items[0])
    e = Enrollment.objects.get(program=program, employee=personas.alice)
    assert e.completed_at is not None and e.done_count == 1
    assert e.status == "completed"
    assert e.events.first().kind == "completed"
    bob = Enrollment.objects.get(program=program, employee=personas.bob)
    assert (bob.completed_at, bob.status) == (None, "not_started")


def test_acknowledgement_is_an_xapi_statement(
    personas, make_program, django_capture_on_commit_callbacks
):
    from trellis.lrs.models import Statement

    program = make_program(rules=[{"managers": [personas.maria]}])
    policy = services.requirement_add(
        actor=personas.lena.user,
        program=program,
        title="Responsible AI usage policy",
        body="Be careful.",
    )
    services.program_activate(actor=personas.lena.user, program=program)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_acknowledge(employee=personas.alice, requirement=policy)
    statement = Statement.objects.get(object_activity_id=policy.activity_id)
    assert statement.verb_id == "https://w3id.org/xapi/adl/verbs/acknowledged"
    assert Enrollment.objects.get(program=program, employee=personas.alice).status == "completed"
    with pytest.raises(PermissionDenied):
        services.policy_acknowledge(employee=personas.charlie, requirement=policy)
    assert Statement.objects.count() == 1


def test_minimum_score_and_electives(personas, make_program, items):
    program = make_program(rules=[{"managers": [personas.maria]}])
    lena = personas.lena.user
    services.requirement_add(actor=lena, program=program, item=items[0], min_score=0.8)
    group = services.requirement_group_add(
        actor=lena, program=program, name="Pick 2", required_count=2
    )
    for item in items[1:4]:
        services.requirement_add(actor=lena, program=program, item=item, group=group)
    now = aware(2026, 3, 2)
    services.program_activate(actor=lena, program=program, now=now)
    later = aware(2026, 3, 10)
    progress(personas.alice, items[0], status="passed", score=0.75, at=later)  # below the minimum
    progress(personas.alice, items[1], at=later)
    progress(personas.alice, items[2], at=aware(2026, 3, 12))
    progress(personas.bob, items[0], status="passed", score=0.85, at=later)
    progress(personas.bob, items[3], at=later)  # only 1 of the 2 electives
    enrollments_recompute()
    alice = Enrollment.objects.get(program=program, employee=personas.alice)
    bob = Enrollment.objects.get(program=program, employee=personas.bob)
    assert (alice.completed_at, alice.done_count) == (None, 2)
    assert (bob.completed_at, bob.done_count) == (None, 2)
    progress(personas.bob, items[1], at=aware(2026, 3, 20))
    enrollments_recompute()
    bob.refresh_from_db()
    assert (bob.completed_at, bob.done_count) == (aware(2026, 3, 20), 3)


def test_credit_rules_equivalent_item_and_earlier_completion(personas, make_program, items):
    lena = personas.lena.user
    program = make_program(rules=[{"managers": [personas.maria]}])
    req = services.requirement_add(actor=lena, program=program, item=items[0])
    services.program_activate(actor=lena, program=program, now=aware(2026, 3, 2))
    progress(personas.alice, items[5], at=aware(2026, 3, 5))  # equivalent, after the start
    progress(personas.bob, items[0], at=aware(2025, 12, 1))  # before the start
    enrollments_recompute()
    assert Enrollment.objects.filter(program=program, completed_at__isnull=False).count() == 0
    services.credit_rule_add(actor=lena, requirement=req, item=items[5])
    services.credit_rule_add(actor=lena, requirement=req, months=6)
    done = dict(
        Enrollment.objects.filter(program=program).values_list(
            "employee__user__username", "completed_at"
        )
    )
    assert done == {"alice": aware(2026, 3, 5), "bob": aware(2025, 12, 1)}


def test_only_a_completion_within_the_cycle_counts_not_a_later_visit(personas, make_program, items):
    """The progress row keeps the first completion; a completion again after the start is found in
    the statements, while opening the item again (a view) does not make an old completion count."""
    from trellis.lrs.events import COMPLETED, XAPI_VERSION, build_statement, trellis_authority
    from trellis.lrs.models import Progress, Statement
    from trellis.lrs.projection import project_statements
    from trellis.lrs.statements import statements_store

    viewed = ("http://id.tincanapi.com/verb/viewed", "viewed")
    lena = personas.lena.user
    program = make_program(rules=[{"managers": [personas.maria]}])
    services.requirement_add(actor=lena, program=program, item=items[0])
    services.program_activate(actor=lena, program=program, now=aware(2026, 3, 2))
    history = [
        (personas.alice, COMPLETED, aware(2025, 12, 1)),
        (personas.alice, viewed, aware(2026, 3, 10)),  # only looked at it again
        (personas.bob, COMPLETED, aware(2025, 12, 1)),
        (personas.bob, COMPLETED, aware(2026, 3, 12)),  # did it again in the program
    ]
    ids = statements_store(
        [
            build_statement(employee=who, item=items[0], verb=verb, timestamp=at)
            for who, verb, at in history
        ],
        version=XAPI_VERSION,
        authority=trellis_authority(),
        project=False,
    )
    project_statements(
        list(Statement.objects.filter(statement_id__in=ids).values_list("pk", flat=True))
    )
    # both rows keep the December completion and show the March activity
    assert set(Progress.objects.values_list("completed_at", flat=True)) == {aware(2025, 12, 1)}
    enrollments_recompute()
    done = dict(
        Enrollment.objects.filter(program=program).values_list(
            "employee__user__username", "completed_at"
        )
    )
    assert done == {"alice": None, "bob": aware(2026, 3, 12)}
    rows = {
        r["enrollment"].employee_id: r
        for r in [
            *selectors_assigned(personas.alice),
            *selectors_assigned(personas.bob),
        ]
    }
    assert (rows[personas.alice.pk]["done"], rows[personas.bob.pk]["done"]) == (0, 1)
    assert rows[personas.alice.pk]["requirements"][0]["state"] == "started"


def selectors_assigned(employee):
    from trellis.programs.selectors import assigned_to

    return assigned_to(employee=employee, today=dt.date(2026, 3, 20))


def test_yearly_recurrence_across_a_year_boundary(personas, make_program, items):
    lena = personas.lena.user
    program = make_program(
        rules=[{"managers": [personas.maria]}],
        due_days=30,
        recurrence_months=12,
        renewal_window_days=30,
        name="Data privacy essentials",
    )
    services.requirement_add(actor=lena, program=program, item=items[0])
    services.program_activate(actor=lena, program=program, now=aware(2026, 12, 1))
    progress(personas.alice, items[0], at=aware(2026, 12, 10))
    enrollments_recompute()
    first = Enrollment.objects.get(program=program, employee=personas.alice, cycle=1)
    assert (first.completed_at, first.expires_on) == (aware(2026, 12, 10), dt.date(2027, 12, 10))
    # before the window: nothing opens
    assert services.renewals_open(now=aware(2027, 11, 9)) == 0
    # the window opens 30 days before expiry (10 Nov 2027)
    assert services.renewals_open(now=aware(2027, 11, 10)) == 1
    second = Enrollment.objects.get(program=program, employee=personas.alice, cycle=2)
    assert (second.starts_on, second.due_on, second.completed_at) == (
        dt.date(2027, 11, 10),
        dt.date(2027, 12, 10),
        None,  # the Dec 2026 completion has expired for the new cycle
    )
    assert second.events.first().kind == "renewed"
    assert services.renewals_open(now=aware(2027, 11, 11)) == 0  # idempotent
    assert second.status_on(dt.date(2027, 12, 11)) == "overdue"
    Enrollment.objects.filter(pk=first.pk).update()  # unchanged
    progress_row = progress  # completing again in the window counts
    from trellis.lrs.models import Progress

    Progress.objects.filter(employee=personas.alice).update(
        completed_at=aware(2027, 11, 20), first_activity_at=aware(2027, 11, 20)
    )
    enrollments_recompute()
    second.refresh_from_db()
    assert second.completed_at == aware(2027, 11, 20)
    assert second.expires_on == dt.date(2028, 11, 20)
    assert progress_row is progress


def test_mandate_budget_warning_lists_who_and_counts_overlap_once(personas, make_program, items):

    lena = personas.lena.user
    role = personas.alice.job_role
    services.mandate_budget_set(actor=lena, job_role=None, hours_per_quarter=2)
    services.mandate_budget_set(actor=lena, job_role=role, hours_per_quarter=2.5)
    first = make_program(
        rules=[{"managers": [personas.maria]}],
        due_policy="fixed",
        due_date=dt.date(2026, 5, 20),
        due_days=None,
    )
    services.requirement_add(actor=lena, program=first, item=items[0])  # 1 h
    services.requirement_add(actor=lena, program=first, item=items[1])  # 1 h
    services.program_activate(actor=lena, program=first, now=aware(2026, 4, 1))
    second = make_program(
        name="Second",
        rules=[{"managers": [personas.maria]}],
        due_policy="fixed",
        due_date=dt.date(2026, 6, 30),
        due_days=None,
    )
    services.requirement_add(actor=lena, program=second, item=items[1])  # overlap: counted once
    services.requirement_add(actor=lena, program=second, item=items[2])  # +1 h
    with pytest.raises(services.OverBudget) as exc:
        services.program_activate(actor=lena, program=second, now=aware(2026, 4, 2))
    over = {
        (o.name, o.quarter, o.hours_before, o.hours_after, o.cap, o.over_by)
        for o in exc.value.overruns
    }
    alice, bob = personas.alice.full_name, personas.bob.full_name
    expected = {
        (alice, "2026-Q2", 2.0, 3.0, 2.5, 0.5),  # her role's cap
        (bob, "2026-Q2", 2.0, 3.0, 2.0, 1.0),  # the default cap
    }
    assert over == expected
    second.refresh_from_db()
    assert second.status == "draft"
    assert Enrollment.objects.filter(program=second).count() == 0
    services.program_activate(
        actor=lena, program=second, confirm_over_budget=True, now=aware(2026, 4, 2)
    )
    assert Enrollment.objects.filter(program=second).count() == 2


def test_exemption_and_extension_are_audited_and_scoped(personas, make_program):
    program = make_program(rules=[{}])
    services.program_activate(actor=personas.lena.user, program=program)
    alice = Enrollment.objects.get(program=program, employee=personas.alice)
    charlie = Enrollment.objects.get(program=program, employee=personas.charlie)
    new_due = alice.due_on + dt.timedelta(days=10)
    services.enrollment_extend(
        actor=personas.maria.user, enrollment=alice, new_due_on=new_due, reason="Parental leave"
    )
    alice.refresh_from_db()
    assert alice.due_on == new_due
    ext = Extension.objects.get()
    assert (ext.reason, ext.granted_by, ext.new_due_on) == (
        "Parental leave",
        personas.maria.user,
        new_due,
    )
    audit = AuditEvent.objects.get(code="trellis.program.extended")
    assert audit.data["reason"] == "Parental leave" and audit.actor == personas.maria.user
    # maria cannot act outside her line: nothing changes
    before = charlie.due_on
    with pytest.raises(PermissionDenied):
        services.enrollment_extend(
            actor=personas.maria.user,
            enrollment=charlie,
            new_due_on=before + dt.timedelta(days=5),
            reason="x",
        )
    with pytest.raises(PermissionDenied):
        services.enrollment_exempt(actor=personas.maria.user, enrollment=charlie, reason="x")
    charlie.refresh_from_db()
    assert (charlie.due_on, charlie.state) == (before, "active")
    services.enrollment_exempt(actor=personas.lena.user, enrollment=charlie, reason="On secondment")
    charlie.refresh_from_db()
    assert charlie.state == "exempt" and charlie.status == "exempt"
    assert Exemption.objects.get().reason == "On secondment"
    assert AuditEvent.objects.filter(code="trellis.program.exempted").count() == 1
    with pytest.raises(ValidationError):
        services.enrollment_exempt(actor=personas.lena.user, enrollment=alice, reason="  ")
    assert EnrollmentEvent.objects.filter(kind="exempted").count() == 1


def test_nudge_once_per_learner_per_program_per_day(personas, make_program):
    program = make_program(rules=[{}])
    services.program_activate(actor=personas.lena.user, program=program)
    alice = Enrollment.objects.get(program=program, employee=personas.alice)
    services.enrollment_nudge(actor=personas.maria.user, enrollment=alice)
    with pytest.raises(services.NudgeTooSoon):
        services.enrollment_nudge(actor=personas.maria.user, enrollment=alice)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    services.enrollment_nudge(actor=personas.maria.user, enrollment=alice, now=tomorrow)
    assert EnrollmentEvent.objects.filter(kind="nudged").count() == 2
