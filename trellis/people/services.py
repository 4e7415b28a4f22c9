"""Every change to the organisation goes through one of these functions.

Trees keep materialised paths (``Department.path``, ``Employee.manager_path``: ids from the top,
the node's own id last, e.g. ``/3/17/42/``). The functions here are the only writers of those paths.

The leaver rule: when a person leaves (``employee_deactivate``), their account is deactivated (they
can no longer sign in) and their direct reports move to the leaver's own manager, so nobody is left
reporting to someone who has gone.

People get in by resetting their password: accounts are created with an unusable password, and the
"Forgot your password?" link on the sign-in page mails a reset link to the address from the HRIS.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from trellis.core.services import audit_log
from trellis.people.hooks import people_changed
from trellis.people.models import Department, Employee, Group, JobRole, Location

User = get_user_model()

_UNSET: Any = object()


@cache
def valid_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# --- Departments --------------------------------------------------------------------------------


def _department_path(*, parent: Department | None, pk: int) -> tuple[str, int]:
    parent_path = parent.path if parent is not None else "/"
    return f"{parent_path}{pk}/", parent_path.count("/") - 1


@transaction.atomic
def department_create(
    *, actor: Any, name: str, code: str = "", parent: Department | None = None
) -> Department:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the department a name."})
    code = slugify(code or name)[:100]
    if not code:
        raise ValidationError({"code": "The code must contain letters or digits."})
    if Department.objects.filter(code=code).exists():
        raise ValidationError({"code": f"A department with the code {code!r} already exists."})
    department = Department.objects.create(name=name, code=code, parent=parent)
    department.path, department.depth = _department_path(parent=parent, pk=department.pk)
    department.save(update_fields=["path", "depth"])
    audit_log(
        actor=actor,
        code="trellis.people.department_created",
        target=department,
        data={"name": name},
    )
    return department


@transaction.atomic
def department_update(
    *, actor: Any, department: Department, name: str | None = None, parent: Any = _UNSET
) -> Department:
    """Rename and/or move a department; moving updates the paths of its whole subtree."""
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != department.name:
        if not name.strip():
            raise ValidationError({"name": "Give the department a name."})
        changes["name"] = [department.name, name.strip()]
        department.name = name.strip()
    if parent is not _UNSET and parent != department.parent:
        if parent is not None and (
            parent.pk == department.pk or parent.path.startswith(department.path)
        ):
            raise ValidationError(
                {
                    "parent": f"{parent.name} is inside {department.name}; a department cannot move under itself."
                }
            )
        changes["parent"] = [department.parent_id, parent.pk if parent else None]
        old_path = department.path
        department.parent = parent
        department.path, department.depth = _department_path(parent=parent, pk=department.pk)
        descendants = list(
            Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk)
        )
        for child in descendants:
            child.path = department.path + child.path[len(old_path) :]
            child.depth = child.path.count("/") - 2
        Department.objects.bulk_update(descendants, ["path", "depth"])
    if changes:
        department.save()
        audit_log(
            actor=actor, code="trellis.people.department_updated", target=department, data=changes
        )
        if "parent" in changes:
            people_changed(
                Employee.objects.filter(department__path__startswith=department.path).values_list(
                    "pk", flat=True
                ),
                f"moved: department {department.name} moved",
            )
    return department


# --- Locations ----------------------------------------------------------------------------------


@transaction.atomic
def location_create(
    *, actor: Any, name: str, country: str = "", timezone_name: str = "UTC"
) -> Location:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the location a name."})
    if Location.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A location called {name!r} already exists."})
    if timezone_name not in valid_timezones():
        raise ValidationError(
            {
                "timezone": f"Unknown time zone {timezone_name!r} (use an IANA name such as Europe/London)."
            }
        )
    location = Location.objects.create(
        name=name, country=country.upper()[:2], timezone=timezone_name
    )
    audit_log(
        actor=actor, code="trellis.people.location_created", target=location, data={"name": name}
    )
    return location


# --- Employees ----------------------------------------------------------------------------------


def username_base(email: str) -> str:
    local = unicodedata.normalize("NFKD", email.split("@", 1)[0].strip().lower())
    local = re.sub(r"[^a-z0-9._+-]", "", local.encode("ascii", "ignore").decode())
    return (local or "user")[:140]


def unique_username(email: str, taken: set[str]) -> str:
    """The part of ``email`` before the @, made unique against ``taken`` (which it updates)."""
    base = username_base(email)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def _split_name(full_name: str) -> tuple[str, str]:
    first, _, last = full_name.strip().partition(" ")
    return first[:150], last[:150]


def _check_manager(*, employee: Employee | None, manager: Employee | None) -> None:
    if manager is None:
        return
    if employee is not None and manager.pk == employee.pk:
        raise ValidationError({"manager": "A person cannot be their own manager."})
    if employee is not None and f"/{employee.pk}/" in manager.manager_path:
        raise ValidationError(
            {
                "manager": f"{manager.full_name} reports (directly or not) to {employee.full_name}; that would make a cycle."
            }
        )
    if not manager.is_active:
        raise ValidationError(
            {"manager": f"{manager.full_name} has left; choose an active manager."}
        )


def _repath_subtree(*, employee: Employee, new_path: str) -> int:
    """Give ``employee`` the path ``new_path`` and move everyone below them with it."""
    old_path = employee.manager_path
    if old_path == new_path:
        return 0
    below = list(
        Employee.objects.filter(manager_path__startswith=old_path)
        .exclude(pk=employee.pk)
        .only("pk", "manager_path")
    )
    for person in below:
        person.manager_path = new_path + person.manager_path[len(old_path) :]
    Employee.objects.bulk_update(below, ["manager_path"], batch_size=500)
    employee.manager_path = new_path
    Employee.objects.filter(pk=employee.pk).update(manager_path=new_path)
    return len(below)


def _validate_employee_fields(*, email: str, timezone_name: str, exclude_pk: int | None) -> None:
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = f"{email!r} is not a valid email address."
    else:
        others = Employee.objects.filter(email__iexact=email)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if others.exists():
            errors["email"] = f"{email} is already used by another person."
    if timezone_name not in valid_timezones():
        errors["timezone"] = (
            f"Unknown time zone {timezone_name!r} (use an IANA name such as Europe/London)."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    employee_id: str,
    full_name: str,
    email: str,
    department: Department | None = None,
    job_role: JobRole | None = None,
    manager: Employee | None = None,
    location: Location | None = None,
    language: str = "en",
    timezone_name: str = "UTC",
    hire_date: dt.date | None = None,
) -> Employee:
    """A joiner: the employee and their user account (unusable password until a reset)."""
    employee_id, full_name, email = employee_id.strip(), full_name.strip(), email.strip().lower()
    if not employee_id:
        raise ValidationError({"employee_id": "The employee id is required."})
    if not full_name:
        raise ValidationError({"full_name": "The name is required."})
    if Employee.objects.filter(employee_id=employee_id).exists():
        raise ValidationError({"employee_id": f"{employee_id} is already used by another person."})
    _validate_employee_fields(email=email, timezone_name=timezone_name, exclude_pk=None)
    _check_manager(employee=None, manager=manager)
    taken = set(
        User.objects.filter(username__startswith=username_base(email)).values_list(
            "username", flat=True
        )
    )
    first, last = _split_name(full_name)
    user = User.objects.create(
        username=unique_username(email, taken),
        email=email,
        first_name=first,
        last_name=last,
        password=make_password(None),
    )
    employee = Employee.objects.create(
        user=user,
        employee_id=employee_id,
        full_name=full_name,
        email=email,
        department=department,
        job_role=job_role,
        manager=manager,
        location=location,
        language=language or "en",
        timezone=timezone_name,
        hire_date=hire_date,
    )
    employee.manager_path = f"{manager.manager_path if manager else '/'}{employee.pk}/"
    employee.save(update_fields=["manager_path"])
    audit_log(
        actor=actor,
        code="trellis.people.joined",
        target=employee,
        data={"employee_id": employee_id},
    )
    people_changed([employee.pk], "joined")
    return employee


#: Fields ``employee_update`` may change; the first four make the change a move.
MOVE_FIELDS = ("department", "job_role", "manager", "location")
UPDATE_FIELDS = (*MOVE_FIELDS, "full_name", "email", "language", "timezone", "hire_date")


def _audit_value(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def employee_update(*, actor: Any, employee: Employee, **changes: Any) -> Employee:
    """Change an employee. A manager change re-paths the employee and everyone below them."""
    unknown = set(changes) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"employee_update() cannot change {', '.join(sorted(unknown))}")
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
    if "full_name" in changes:
        changes["full_name"] = changes["full_name"].strip()
        if not changes["full_name"]:
            raise ValidationError({"full_name": "The name is required."})
    _validate_employee_fields(
        email=changes.get("email", employee.email),
        timezone_name=changes.get("timezone", employee.timezone),
        exclude_pk=employee.pk,
    )
    diff = {
        f: [_audit_value(getattr(employee, f)), _audit_value(v)]
        for f, v in changes.items()
        if getattr(employee, f) != v
    }
    if not diff:
        return employee
    if "manager" in diff:
        _check_manager(employee=employee, manager=changes["manager"])
    for field in diff:
        setattr(employee, field, changes[field])
    employee.save(update_fields=[*diff, "updated_at"])
    if "manager" in diff:
        manager = changes["manager"]
        _repath_subtree(
            employee=employee, new_path=f"{manager.manager_path if manager else '/'}{employee.pk}/"
        )
    if {"email", "full_name"} & set(diff):
        first, last = _split_name(employee.full_name)
        User.objects.filter(pk=employee.user_id).update(
            email=employee.email, first_name=first, last_name=last
        )
    code = "trellis.people.moved" if set(diff) & set(MOVE_FIELDS) else "trellis.people.updated"
    audit_log(actor=actor, code=code, target=employee, data=diff)
    if set(diff) & {*MOVE_FIELDS, "hire_date"}:
        affected = [employee.pk]
        if "manager" in diff:  # everyone below moved with them
            affected += Employee.objects.filter(
                manager_path__startswith=employee.manager_path
            ).values_list("pk", flat=True)
        people_changed(affected, "moved: " + ", ".join(sorted(diff)))
    return employee


@transaction.atomic
def employee_deactivate(
    *, actor: Any, employee: Employee, left_on: dt.date | None = None
) -> Employee:
    """A leaver: inactive, cannot sign in; their direct reports move to the leaver's manager."""
    if not employee.is_active:
        return employee
    left_on = left_on or timezone.localdate()
    employee.is_active = False
    employee.left_on = left_on
    employee.save(update_fields=["is_active", "left_on", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=False)
    new_manager = employee.manager
    moved = []
    for report in list(employee.direct_reports.all()):
        report.manager = new_manager
        report.save(update_fields=["manager", "updated_at"])
        _repath_subtree(
            employee=report,
            new_path=f"{new_manager.manager_path if new_manager else '/'}{report.pk}/",
        )
        moved.append(report.pk)
        audit_log(
            actor=actor,
            code="trellis.people.moved",
            target=report,
            data={
                "manager": [employee.pk, new_manager.pk if new_manager else None],
                "reason": "manager left",
            },
        )
    audit_log(
        actor=actor,
        code="trellis.people.left",
        target=employee,
        data={"left_on": left_on.isoformat(), "reports_moved": moved},
    )
    people_changed([employee.pk], "left")
    if moved:  # the leaver's reports and everyone below them have a new manager chain
        below = Q()
        for path in Employee.objects.filter(pk__in=moved).values_list("manager_path", flat=True):
            below |= Q(manager_path__startswith=path)
        people_changed(
            Employee.objects.filter(below).values_list("pk", flat=True), "moved: manager left"
        )
    return employee


@transaction.atomic
def employee_reactivate(*, actor: Any, employee: Employee) -> Employee:
    """A returner: active again and able to sign in (reports are not moved back)."""
    if employee.is_active:
        return employee
    manager = employee.manager
    if manager is not None and not manager.is_active:
        raise ValidationError(
            {"manager": f"{manager.full_name} has left; give this person an active manager first."}
        )
    employee.is_active = True
    employee.left_on = None
    employee.save(update_fields=["is_active", "left_on", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=True)
    audit_log(actor=actor, code="trellis.people.rejoined", target=employee)
    people_changed([employee.pk], "rejoined")
    return employee


# --- Groups -------------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: Any, name: str, description: str = "") -> Group:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the group a name."})
    if Group.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A group called {name!r} already exists."})
    group = Group.objects.create(name=name, description=description.strip())
    audit_log(actor=actor, code="trellis.people.group_created", target=group, data={"name": name})
    return group


@transaction.atomic
def group_add_members(*, actor: Any, group: Group, employees: Iterable[Employee]) -> int:
    existing = set(group.members.values_list("pk", flat=True))
    new = [e for e in employees if e.pk not in existing]
    if new:
        group.members.add(*new)
        audit_log(
            actor=actor,
            code="trellis.people.group_members_added",
            target=group,
            data={"employees": [e.pk for e in new]},
        )
        people_changed([e.pk for e in new], f"added to group {group.name}")
    return len(new)


@transaction.atomic
def group_remove_members(*, actor: Any, group: Group, employees: Iterable[Employee]) -> int:
    existing = set(group.members.values_list("pk", flat=True))
    gone = [e for e in employees if e.pk in existing]
    if gone:
        group.members.remove(*gone)
        audit_log(
            actor=actor,
            code="trellis.people.group_members_removed",
            target=group,
            data={"employees": [e.pk for e in gone]},
        )
        people_changed([e.pk for e in gone], f"removed from group {group.name}")
    return len(gone)
