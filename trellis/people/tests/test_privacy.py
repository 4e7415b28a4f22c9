from __future__ import annotations

from typing import Any

from trellis.people.models import Employee, Group
from trellis.people.privacy import erase_data, export_data


def test_export_profile_and_employment(personas: Any) -> None:
    Group.objects.create(name="AI champions").members.add(personas.alice)
    data = export_data(employee=personas.alice)
    assert data["profile"]["full_name"] == "Alice Learner"
    assert data["profile"]["email"] == personas.alice.email
    assert data["employment"]["manager"] == "Maria Manager"
    assert data["employment"]["department"] == "Technology & Data"
    assert data["groups"] == ["AI champions"]


def test_erase_anonymises_and_disables_the_login(personas: Any) -> None:
    Group.objects.create(name="AI champions").members.add(personas.alice)
    counts = erase_data(employee=personas.alice, pseudonym="anon-1")
    assert counts == {"employee": 1, "user": 1, "group_memberships": 1}
    alice = Employee.objects.select_related("user").get(pk=personas.alice.pk)
    assert (alice.full_name, alice.email, alice.employee_id) == (
        "Erased person anon-1",
        "anon-1@erased.invalid",
        "anon-1",
    )
    assert (alice.user.username, alice.user.email, alice.user.first_name) == ("anon-1", "", "")
    assert not alice.user.is_active and not alice.user.has_usable_password()
    assert (alice.department, alice.manager) == (personas.alice.department, personas.maria)
