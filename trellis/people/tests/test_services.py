from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from trellis.core.models import AuditEvent
from trellis.people import services
from trellis.people.models import Department, Employee, Group
from trellis.people.tests.factories import PASSWORD


def _path(*employees: Employee) -> str:
    return "/" + "".join(f"{e.pk}/" for e in employees)


def test_employee_create_makes_an_account_without_password(personas):
    e = services.employee_create(
        actor=personas.lena.user,
        employee_id="N1",
        full_name="Nia Newhire",
        email="Alice@Elsewhere.example",
        manager=personas.maria,
        timezone_name="Europe/Berlin",
        hire_date=dt.date(2025, 3, 3),
    )
    e.refresh_from_db()
    assert e.user.username == "alice2"  # "alice" is taken by the persona
    assert not e.user.has_usable_password()
    assert e.email == "alice@elsewhere.example"
    assert e.manager_path == _path(personas.erin, personas.maria, e)
    assert AuditEvent.objects.filter(code="trellis.people.joined", target_id=str(e.pk)).count() == 1


def test_employee_create_rejects_duplicate_email_and_bad_timezone(personas):
    before = Employee.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.employee_create(
            actor=None,
            employee_id="N2",
            full_name="X Y",
            email=personas.alice.email,
            timezone_name="Mars/Base",
        )
    assert set(exc.value.message_dict) == {"email", "timezone"}
    assert Employee.objects.count() == before


def test_manager_change_updates_the_whole_subtree(personas):
    # alice manages a new person, then maria (with alice's subtree) moves under oscar
    intern = services.employee_create(
        actor=None,
        employee_id="N3",
        full_name="Ian Intern",
        email="ian@x.example",
        manager=personas.alice,
    )
    services.employee_update(
        actor=personas.lena.user, employee=personas.maria, manager=personas.oscar
    )
    for e in (personas.maria, personas.alice, personas.bob, intern):
        e.refresh_from_db()
    p = personas
    assert p.maria.manager_path == _path(p.erin, p.oscar, p.maria)
    assert p.alice.manager_path == _path(p.erin, p.oscar, p.maria, p.alice)
    assert p.bob.manager_path == _path(p.erin, p.oscar, p.maria, p.bob)
    assert intern.manager_path == _path(p.erin, p.oscar, p.maria, p.alice, intern)
    event = AuditEvent.objects.get(code="trellis.people.moved", target_id=str(p.maria.pk))
    assert event.data == {"manager": [p.erin.pk, p.oscar.pk]}


def test_manager_cycle_and_self_manager_rejected_nothing_changed(personas):
    p = personas
    before = dict(Employee.objects.values_list("pk", "manager_path"))
    with pytest.raises(ValidationError) as exc:
        services.employee_update(actor=None, employee=p.maria, manager=p.alice)
    assert list(exc.value.message_dict) == ["manager"]
    assert "cycle" in exc.value.message_dict["manager"][0]
    with pytest.raises(ValidationError) as exc:
        services.employee_update(actor=None, employee=p.maria, manager=p.maria)
    assert list(exc.value.message_dict) == ["manager"]
    p.maria.refresh_from_db()
    assert p.maria.manager_id == p.erin.pk
    assert dict(Employee.objects.values_list("pk", "manager_path")) == before


def test_leaver_cannot_sign_in_and_reports_move_to_their_manager(personas):
    p = personas
    services.employee_deactivate(actor=p.lena.user, employee=p.maria, left_on=dt.date(2025, 5, 31))
    p.maria.refresh_from_db()
    p.alice.refresh_from_db()
    assert (
        not p.maria.is_active
        and p.maria.left_on == dt.date(2025, 5, 31)
        and not p.maria.user.is_active
    )
    assert p.alice.manager_id == p.erin.pk and p.alice.manager_path == _path(p.erin, p.alice)
    assert not Client().login(username="maria", password=PASSWORD)
    assert Client().login(username="bob", password=PASSWORD)
    services.employee_reactivate(actor=p.lena.user, employee=p.maria)
    p.maria.refresh_from_db()
    assert p.maria.is_active and p.maria.left_on is None and p.maria.user.is_active
    assert (
        AuditEvent.objects.filter(
            code__in=["trellis.people.left", "trellis.people.rejoined"]
        ).count()
        == 2
    )


def test_department_move_updates_descendants_and_rejects_cycles(db):
    root = services.department_create(actor=None, name="Technology")
    data = services.department_create(actor=None, name="Data", parent=root)
    ml = services.department_create(actor=None, name="Machine Learning", parent=data)
    ops = services.department_create(actor=None, name="Operations")
    assert (ml.path, ml.depth) == (f"/{root.pk}/{data.pk}/{ml.pk}/", 2)
    services.department_update(actor=None, department=data, parent=ops, name="Data & AI")
    ml.refresh_from_db()
    data.refresh_from_db()
    assert (data.name, data.path, data.depth) == ("Data & AI", f"/{ops.pk}/{data.pk}/", 1)
    assert (ml.path, ml.depth) == (f"/{ops.pk}/{data.pk}/{ml.pk}/", 2)
    with pytest.raises(ValidationError) as exc:
        services.department_update(actor=None, department=data, parent=ml)
    assert list(exc.value.message_dict) == ["parent"]
    data.refresh_from_db()
    assert data.parent_id == ops.pk
    with pytest.raises(ValidationError) as exc:
        services.department_create(
            actor=None, name="DATA"
        )  # the code "data" is kept by "Data & AI"
    assert list(exc.value.message_dict) == ["code"]
    assert Department.objects.count() == 4


def test_groups_add_and_remove_members(personas):
    g = services.group_create(actor=personas.lena.user, name="AI champions")
    assert (
        services.group_add_members(actor=None, group=g, employees=[personas.alice, personas.bob])
        == 2
    )
    assert services.group_add_members(actor=None, group=g, employees=[personas.alice]) == 0
    assert (
        services.group_remove_members(
            actor=None, group=g, employees=[personas.bob, personas.charlie]
        )
        == 1
    )
    assert list(Group.objects.get(pk=g.pk).members.values_list("employee_id", flat=True)) == [
        personas.alice.employee_id
    ]
    with pytest.raises(ValidationError):
        services.group_create(actor=None, name="ai CHAMPIONS")
