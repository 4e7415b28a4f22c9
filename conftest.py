"""Shared fixtures: the personas every view and endpoint is tested with.

- ``alice``: a learner, reporting to ``maria``.
- ``bob``: another learner on the same team (a peer: must not see alice's data).
- ``maria``: alice's and bob's manager (sees her reporting line only).
- ``charlie``: a learner in another department under another manager (``oscar``).
- ``lena``: an L&D admin. ``erin``: an executive (read-only org-wide). ``audrey``: an auditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from trellis.people.models import Employee
from trellis.people.tests.factories import PASSWORD, DepartmentFactory, EmployeeFactory, UserFactory


@dataclass
class Personas:
    alice: Employee
    bob: Employee
    maria: Employee
    charlie: Employee
    oscar: Employee
    lena: Employee
    erin: Employee
    audrey: Employee

    def client(self, who: str) -> Client:
        client = Client()
        employee: Employee = getattr(self, who)
        assert client.login(username=employee.user.username, password=PASSWORD)
        return client


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def personas(db: Any) -> Personas:
    tech = DepartmentFactory(name="Technology & Data", code="technology-data")
    sales = DepartmentFactory(name="Sales", code="sales")
    people = DepartmentFactory(name="People & HR", code="people")
    exec_office = DepartmentFactory(name="Executive Office", code="executive")

    def make(username: str, first: str, last: str, **kw: Any) -> Employee:
        roles = kw.pop("roles", None)
        user = UserFactory(username=username, first_name=first, last_name=last, roles=roles)
        return EmployeeFactory(user=user, **kw)

    erin = make("erin", "Erin", "Exec", department=exec_office, roles=["executive"])
    maria = make("maria", "Maria", "Manager", department=tech, manager=erin)
    alice = make("alice", "Alice", "Learner", department=tech, manager=maria)
    bob = make("bob", "Bob", "Peer", department=tech, manager=maria)
    oscar = make("oscar", "Oscar", "Othermanager", department=sales, manager=erin)
    charlie = make("charlie", "Charlie", "Outsider", department=sales, manager=oscar)
    lena = make("lena", "Lena", "Admin", department=people, manager=erin, roles=["ld_admin"])
    audrey = make("audrey", "Audrey", "Auditor", department=people, manager=erin, roles=["auditor"])
    return Personas(alice=alice, bob=bob, maria=maria, charlie=charlie, oscar=oscar, lena=lena, erin=erin, audrey=audrey)
