"""What the people app holds about a person, for the data export and erasure (contract in
``trellis.governance.personal_data``)."""

from __future__ import annotations

from typing import Any

from trellis.people.models import Employee, Group

ERASED_DOMAIN = "erased.invalid"


def export_data(*, employee: Employee) -> dict[str, Any]:
    employee = Employee.objects.select_related(
        "user", "department", "job_role", "location", "manager"
    ).get(pk=employee.pk)
    user = employee.user
    return {
        "profile": {
            "full_name": employee.full_name,
            "email": employee.email,
            "username": user.username,
            "language": employee.language,
            "timezone": employee.timezone,
            "account_created": user.date_joined,
            "last_login": user.last_login,
        },
        "employment": {
            "employee_id": employee.employee_id,
            "department": employee.department.name if employee.department else None,
            "job_role": employee.job_role.title if employee.job_role else None,
            "location": employee.location.name if employee.location else None,
            "manager": employee.manager.full_name if employee.manager else None,
            "hire_date": employee.hire_date,
            "active": employee.is_active,
            "left_on": employee.left_on,
        },
        "groups": sorted(Group.objects.filter(members=employee).values_list("name", flat=True)),
    }


def erase_data(*, employee: Employee, pseudonym: str) -> dict[str, int]:
    """Anonymise the person: name, email, HRIS id and username become the pseudonym, the login is
    disabled for good; department, role, location, manager and dates stay (aggregates). The
    username is the pseudonym, so the anonymous account ``{"homePage": SITE_URL, "name":
    pseudonym}`` in learning records still maps to this row when progress is reprojected."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    email = f"{pseudonym}@{ERASED_DOMAIN}"
    Employee.objects.filter(pk=employee.pk).update(
        full_name=f"Erased person {pseudonym}", email=email, employee_id=pseudonym
    )
    user = User.objects.get(pk=employee.user_id)
    user.username = pseudonym
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()  # the new password hash also ends every open session of this account
    user.groups.clear()
    groups = Group.members.through.objects.filter(employee_id=employee.pk).delete()[0]
    return {"employee": 1, "user": 1, "group_memberships": groups}
