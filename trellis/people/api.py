"""People API (/api/v1/people). Every endpoint checks the token scope and the person's role;
lists and look-ups are scoped by ``employees_visible_to`` (a manager sees their reporting line)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from trellis.core.api_auth import require_scope
from trellis.core.importing import run_import
from trellis.core.permissions import ORG_READERS, Role, check_role
from trellis.core.schemas import ImportReportOut, InvalidOut
from trellis.governance.services import personal_data_viewed
from trellis.people import selectors, services
from trellis.people.models import Department, Employee, JobRole, Location
from trellis.people.schemas import (
    DepartmentOut,
    EmployeeOut,
    EmployeePatchIn,
    JobRoleOut,
    LocationOut,
)

router = Router(tags=["people"])
PAGE_SIZE = 50


def _read(request: HttpRequest) -> None:
    require_scope(request, "people:read")
    check_role(request.user, Role.LEARNER)


@router.get("/employees", response=list[EmployeeOut], summary="People you may see (paginated)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_employees(
    request: HttpRequest,
    q: str = "",
    department: str = "",
    job_role: str = "",
    location: str = "",
    active: str = "",
) -> Any:
    """Filters: ``q`` (name, email or id), ``department`` (code, includes sub-departments),
    ``job_role`` and ``location`` (ids), ``active`` (yes / no; empty for everyone)."""
    _read(request)
    qs = selectors.employees_visible_to(request.user)
    return selectors.employee_search(
        qs=qs, q=q, department=department, job_role=job_role, location=location, active=active
    )


@router.get("/employees/{employee_id}", response=EmployeeOut)
def get_employee(request: HttpRequest, employee_id: str) -> Any:
    _read(request)
    employee = selectors.get_employee_for_user(user=request.user, employee_id=employee_id)
    personal_data_viewed(actor=request.user, employee=employee, what="profile (API)")
    return employee


@router.patch("/employees/{employee_id}", response={200: EmployeeOut, 422: InvalidOut})
def patch_employee(request: HttpRequest, employee_id: str, payload: EmployeePatchIn) -> Any:
    require_scope(request, "people:write")
    check_role(request.user, Role.LD_ADMIN)
    employee = selectors.get_employee_for_user(user=request.user, employee_id=employee_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    def resolve(key: str, field: str, lookup: Any) -> None:
        if key not in data:
            return
        value = data[key]
        if value in (None, ""):
            changes[field] = None
            return
        found = lookup(value)
        if found is None:
            errors.append({"field": f"body.{key}", "message": f"No match for {value!r}."})
        else:
            changes[field] = found

    resolve("department_code", "department", lambda v: Department.objects.filter(code=v).first())
    resolve("job_role_id", "job_role", lambda v: JobRole.objects.filter(pk=v).first())
    resolve(
        "manager_employee_id", "manager", lambda v: Employee.objects.filter(employee_id=v).first()
    )
    resolve("location_id", "location", lambda v: Location.objects.filter(pk=v).first())
    for key in ("full_name", "email", "language", "timezone", "hire_date"):
        if key in data:
            if data[key] is None and key != "hire_date":
                errors.append({"field": f"body.{key}", "message": "May not be null."})
            else:
                changes[key] = data[key]
    if not errors:
        try:
            services.employee_update(actor=request.user, employee=employee, **changes)
        except ValidationError as exc:
            field_names = {
                "department": "department_code",
                "job_role": "job_role_id",
                "manager": "manager_employee_id",
                "location": "location_id",
            }
            for field, messages in exc.message_dict.items():
                errors.extend(
                    {"field": f"body.{field_names.get(field, field)}", "message": m}
                    for m in messages
                )
    if errors:
        return Status(422, {"detail": "Invalid input", "errors": errors})
    return Status(200, selectors.employees_joined().get(pk=employee.pk))


@router.get("/departments", response=list[DepartmentOut])
def list_departments(request: HttpRequest) -> Any:
    require_scope(request, "people:read")
    check_role(request.user, *ORG_READERS)
    return list(selectors.departments_tree())


@router.get("/locations", response=list[LocationOut])
def list_locations(request: HttpRequest) -> Any:
    require_scope(request, "people:read")
    check_role(request.user, *ORG_READERS)
    return list(selectors.locations_list())


@router.get("/job-roles", response=list[JobRoleOut])
def list_job_roles(request: HttpRequest) -> Any:
    require_scope(request, "people:read")
    check_role(request.user, *ORG_READERS)
    return list(selectors.job_roles_list())


@router.post(
    "/import", response={200: ImportReportOut, 400: ImportReportOut}, summary="Import an HRIS CSV"
)
def import_people(
    request: HttpRequest,
    file: File[UploadedFile],
    deactivate_missing: Form[bool] = False,
    dry_run: Form[bool] = False,
) -> Any:
    """Multipart upload of an HRIS CSV (format in trellis/people/README.md). 200 with the report when
    applied (or checked, with ``dry_run``); 400 with every error when rejected (nothing written)."""
    require_scope(request, "people:write")
    check_role(request.user, Role.LD_ADMIN)
    report = run_import(
        "hris",
        file,
        actor=request.user,
        filename=file.name or "",
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
    )
    body = {**report.as_dict(), "dry_run": dry_run, "details": report.details}
    return Status(200 if report.ok else 400, body)
