from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class DepartmentOut(Schema):
    code: str
    name: str
    parent_code: str | None
    depth: int

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class LocationOut(Schema):
    id: int
    name: str
    country: str
    timezone: str


class JobRoleOut(Schema):
    id: int
    title: str
    family: str
    seniority: int
    occupation_uri: str | None
    onet_occupation_uri: str | None

    @staticmethod
    def resolve_occupation_uri(obj: Any) -> str | None:
        return obj.occupation.uri if obj.occupation_id else None

    @staticmethod
    def resolve_onet_occupation_uri(obj: Any) -> str | None:
        return obj.onet_occupation.uri if obj.onet_occupation_id else None


class RefOut(Schema):
    id: int
    name: str


class EmployeeOut(Schema):
    employee_id: str
    full_name: str
    email: str
    department: str | None
    department_code: str | None
    job_role: str | None
    job_role_id: int | None
    manager_employee_id: str | None
    location: str | None
    language: str
    timezone: str
    hire_date: dt.date | None
    is_active: bool
    left_on: dt.date | None

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_department_code(obj: Any) -> str | None:
        return obj.department.code if obj.department_id else None

    @staticmethod
    def resolve_job_role(obj: Any) -> str | None:
        return obj.job_role.title if obj.job_role_id else None

    @staticmethod
    def resolve_manager_employee_id(obj: Any) -> str | None:
        return obj.manager.employee_id if obj.manager_id else None

    @staticmethod
    def resolve_location(obj: Any) -> str | None:
        return obj.location.name if obj.location_id else None


class EmployeePatchIn(Schema):
    """Only the fields sent are changed. References by their keys: department code, job role id,
    manager employee id (empty string for none), location id."""

    full_name: str | None = None
    email: str | None = None
    department_code: str | None = None
    job_role_id: int | None = None
    manager_employee_id: str | None = None
    location_id: int | None = None
    language: str | None = None
    timezone: str | None = None
    hire_date: dt.date | None = None
