from __future__ import annotations

import time
from collections import Counter

from django.test import Client

from trellis.core.permissions import Role, roles_for
from trellis.people import demo
from trellis.people.models import Department, Employee, JobRole
from trellis.people.selectors import employees_visible_to, reporting_line


def test_demo_organisation(db):
    started = time.monotonic()
    summary = demo.build_organisation()
    seconds = time.monotonic() - started
    print(f"\ndemo organisation built in {seconds:.1f} s: {summary}")
    assert seconds < 20
    employees = list(Employee.objects.select_related("user", "department", "job_role", "location"))
    assert len(employees) == summary["employees"] == summary["created"] == 1000
    assert 25 <= summary["leavers"] <= 35
    assert summary["departments"] == 13 and summary["locations"] == 6 and summary["job_roles"] == 41
    by_pk = {e.pk: e for e in employees}
    # hierarchy consistent: one top, every path is the manager's path plus the own id
    tops = [e for e in employees if e.manager_id is None]
    assert [e.job_role.title for e in tops] == ["Chief Executive Officer"]
    for e in employees:
        expected = (by_pk[e.manager_id].manager_path if e.manager_id else "/") + f"{e.pk}/"
        assert e.manager_path == expected
        assert e.timezone == e.location.timezone
        assert e.is_active == e.user.is_active == (e.left_on is None)
        assert e.hire_date <= (e.left_on or e.hire_date)
        if e.manager_id:
            assert by_pk[e.manager_id].is_active
    # teams of 5-10: nobody but the CEO has more than 10 direct reports; team leads (whose reports
    # have no reports) almost all lead 5-10 people (small departments are smaller)
    direct = Counter(e.manager_id for e in employees if e.manager_id)
    ceo = tops[0].pk
    assert max(n for pk, n in direct.items() if pk != ceo) <= 10
    team_leads = [
        pk for pk in direct if not any(direct.get(r.pk) for r in employees if r.manager_id == pk)
    ]
    assert sum(1 for pk in team_leads if 5 <= direct[pk] <= 10) >= 0.9 * len(team_leads)
    assert len({e.email for e in employees}) == 1000 and all(
        e.email.endswith("@demo.trellis.example") for e in employees
    )
    assert Counter(e.language for e in employees)["en"] > 600
    # departments tree
    eng = Department.objects.get(code="engineering")
    assert eng.path == f"{eng.parent.path}{eng.pk}/" and eng.parent.code == "technology-data"
    assert (
        JobRole.objects.filter(occupation__isnull=False).count() == 0
    )  # no taxonomy loaded in this test

    # the logins work and hold their roles
    logins = {login["username"]: login for login in demo.DEMO_LOGINS}
    assert sorted(login["role"] for login in demo.DEMO_LOGINS) == [
        "Auditor",
        "Executive",
        "L&D admin",
        "Learner",
        "Manager",
    ]
    for username in logins:
        assert Client().login(username=username, password=demo.DEMO_PASSWORD), username
    users = {e.user.username: e for e in employees}
    assert (
        Role.LD_ADMIN in roles_for(users["lena"].user)
        and users["lena"].job_role.title == "Learning & Development Manager"
    )
    assert Role.EXECUTIVE in roles_for(users["daniel"].user) and users["daniel"].manager_id is None
    assert (
        Role.AUDITOR in roles_for(users["alex"].user)
        and users["alex"].job_role.title == "Data Protection Officer"
    )
    priya, sam = users["priya"], users["sam"]
    assert Role.MANAGER in roles_for(priya.user) and priya.department.code == "data-analytics"
    assert 15 <= reporting_line(manager=priya).count() <= 30
    assert sam.job_role.title == "Data Analyst" and sam.manager_path.startswith(priya.manager_path)
    assert roles_for(sam.user) == {Role.LEARNER}
    assert sam in employees_visible_to(priya.user)
    # only the demo logins have a usable password
    assert sorted(e.user.username for e in employees if e.user.has_usable_password()) == sorted(
        logins
    )

    # idempotent
    again = demo.build_organisation()
    assert again["created"] == 0 and Employee.objects.count() == 1000


def test_demo_is_deterministic(db):
    demo.build_organisation()
    first = list(
        Employee.objects.order_by("employee_id").values_list(
            "full_name", "job_role__title", "manager__employee_id", "location__name"
        )
    )
    Employee.objects.all().update(manager=None)
    Employee.objects.all().delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    demo.build_organisation()
    second = list(
        Employee.objects.order_by("employee_id").values_list(
            "full_name", "job_role__title", "manager__employee_id", "location__name"
        )
    )
    assert first[:1] == second[:1] and [row[1:] for row in first] == [row[1:] for row in second]
    assert [row[0] for row in first] == [row[0] for row in second]
