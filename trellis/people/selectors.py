"""Reads of the organisation, scoped to who is asking.

Who sees whom:
- L&D admins, executives and auditors (``ORG_READERS``) see everyone;
- a manager sees themselves and the active people of their whole reporting line (every level below);
- anyone else sees only themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from trellis.core.permissions import ORG_READERS, Role, has_role, roles_for
from trellis.people.models import Department, Employee, Group, JobRole, Location

EMPLOYEE_RELATED = ("department", "job_role", "location", "manager")


def employee_for_user(user: Any) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def employees_joined() -> QuerySet[Employee]:
    return Employee.objects.select_related(*EMPLOYEE_RELATED)


def employees_visible_to(user: Any) -> QuerySet[Employee]:
    """Every employee ``user`` may see, joined with department, role, location and manager."""
    qs = employees_joined()
    if has_role(user, *ORG_READERS):
        return qs
    me = employee_for_user(user)
    if me is None:
        return qs.none()
    if Role.MANAGER in roles_for(user):
        return qs.filter(Q(pk=me.pk) | Q(manager_path__startswith=me.manager_path, is_active=True))
    return qs.filter(pk=me.pk)


def get_employee_for_user(*, user: Any, employee_id: str) -> Employee:
    """The employee with this HRIS id if ``user`` may see them; 404 otherwise (existence not leaked)."""
    try:
        return employees_visible_to(user).get(employee_id=employee_id)
    except Employee.DoesNotExist:
        raise Http404("No such person.") from None


def reporting_line(*, manager: Employee, include_inactive: bool = False) -> QuerySet[Employee]:
    """Everyone below ``manager`` (all levels), joined, ordered by name."""
    qs = (
        employees_joined()
        .filter(manager_path__startswith=manager.manager_path)
        .exclude(pk=manager.pk)
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def manager_chain(*, employee: Employee) -> list[Employee]:
    """The managers above ``employee``, top first (one query)."""
    ids = [int(p) for p in employee.manager_path.strip("/").split("/") if p][:-1]
    by_pk = {e.pk: e for e in employees_joined().filter(pk__in=ids)}
    return [by_pk[i] for i in ids if i in by_pk]


def direct_reports(*, employee: Employee) -> QuerySet[Employee]:
    return employees_joined().filter(manager=employee, is_active=True)


def employee_search(
    *,
    qs: QuerySet[Employee],
    q: str = "",
    department: str = "",
    job_role: str = "",
    location: str = "",
    active: str = "",
) -> QuerySet[Employee]:
    """Filter a (scoped) queryset: ``q`` matches name, email or id; department by code (with its
    sub-departments); job_role and location by id; active is "yes", "no" or "" (everyone)."""
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q) | Q(employee_id__iexact=q))
    if department:
        dept = Department.objects.filter(code=department).only("path").first()
        qs = qs.filter(department__path__startswith=dept.path) if dept else qs.none()
    if job_role:
        qs = qs.filter(job_role_id=int(job_role)) if job_role.isdigit() else qs.none()
    if location:
        qs = qs.filter(location_id=int(location)) if location.isdigit() else qs.none()
    if active == "yes":
        qs = qs.filter(is_active=True)
    elif active == "no":
        qs = qs.filter(is_active=False)
    return qs


def departments_tree() -> QuerySet[Department]:
    """All departments in tree order (by path) with parent joined."""
    return Department.objects.select_related("parent").order_by("path")


def locations_list() -> QuerySet[Location]:
    return Location.objects.order_by("name")


def job_roles_list() -> QuerySet[JobRole]:
    return JobRole.objects.select_related("occupation", "onet_occupation").order_by("title")


def groups_list() -> QuerySet[Group]:
    from django.db.models import Count

    return Group.objects.annotate(member_count=Count("members")).order_by("name")


def employee_home_summary(*, user: Any) -> dict[str, Any]:
    """What the home page shows about the signed-in person and, for org readers, the organisation."""
    me = employee_for_user(user)
    employee = employees_joined().filter(pk=me.pk).first() if me is not None else None
    team_size = direct = 0
    if employee is not None:
        team_size = reporting_line(manager=employee).count()
        direct = Employee.objects.filter(manager=employee, is_active=True).count()
    org = None
    if has_role(user, *ORG_READERS):
        org = {
            "employees": Employee.objects.filter(is_active=True).count(),
            "departments": Department.objects.count(),
            "job_roles": JobRole.objects.count(),
            "locations": Location.objects.count(),
        }
    return {"employee": employee, "team_size": team_size, "direct_reports": direct, "org": org}
