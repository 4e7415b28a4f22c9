"""Programs API (/api/v1/programs), read-only, scoped like the pages: org readers see every
program, managers the programs of their reporting line (and only those people's enrollments),
learners their own. Tokens need the ``programs:read`` scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from trellis.core.api_auth import require_scope
from trellis.core.permissions import Role, check_role
from trellis.programs import selectors
from trellis.programs.models import Enrollment, Program

router = Router(tags=["programs"])


class ProgramOut(Schema):
    id: int
    name: str
    objective: str
    category: str
    status: str
    sponsor: str | None
    owner: str | None
    mandatory: bool
    planned_hours: float
    pace_points: list[list[int]]
    due_policy: str
    due_date: dt.date | None
    due_days: int | None
    recurrence_months: int
    renewal_window_days: int
    starts_on: dt.date | None

    @staticmethod
    def resolve_sponsor(obj: Program) -> str | None:
        return obj.sponsor.employee_id if obj.sponsor else None

    @staticmethod
    def resolve_owner(obj: Program) -> str | None:
        return obj.owner.employee_id if obj.owner else None

    @staticmethod
    def resolve_planned_hours(obj: Program) -> float:
        return float(obj.planned_hours)


class EnrollmentOut(Schema):
    id: int
    program_id: int
    employee_id: str
    name: str
    cycle: int
    status: str
    starts_on: dt.date
    due_on: dt.date
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    expires_on: dt.date | None

    @staticmethod
    def resolve_employee_id(obj: Enrollment) -> str:
        return obj.employee.employee_id

    @staticmethod
    def resolve_name(obj: Enrollment) -> str:
        return obj.employee.full_name

    @staticmethod
    def resolve_status(obj: Enrollment) -> str:
        return obj.status_on(timezone.localdate())


class GapOut(Schema):
    enrolled: int
    completed: int
    planned_pct: float
    actual_pct: float
    gap_points: float
    missing: float


class SegmentOut(Schema):
    kind: str
    label: str
    gap: GapOut
    people: list[str]
    teams: list[str]


class PlannedVsActualOut(Schema):
    today: dt.date
    overall: GapOut
    segments: list[SegmentOut]


def _read(request: HttpRequest) -> None:
    require_scope(request, "programs:read")
    check_role(request.user, Role.LEARNER)


@router.get("/", response=list[ProgramOut], summary="Programs you may see (paginated)")
@paginate(PageNumberPagination, page_size=50)
def list_programs(request: HttpRequest) -> Any:
    _read(request)
    return selectors.programs_visible_to(request.user).order_by("name", "pk")


@router.get("/{program_id}", response=ProgramOut)
def get_program(request: HttpRequest, program_id: int) -> Any:
    _read(request)
    return selectors.get_program_for_user(user=request.user, program_id=program_id)


@router.get(
    "/{program_id}/enrollments",
    response=list[EnrollmentOut],
    summary="Enrollments of the program you may see (a manager: their line; a learner: their own)",
)
@paginate(PageNumberPagination, page_size=100)
def list_enrollments(request: HttpRequest, program_id: int) -> Any:
    _read(request)
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    return (
        selectors.enrollments_visible_to(request.user)
        .filter(program=program)
        .order_by("employee__full_name", "cycle")
    )


@router.get("/{program_id}/planned-vs-actual", response=PlannedVsActualOut)
def planned_vs_actual(request: HttpRequest, program_id: int) -> Any:
    """Planned completion by today, actual, gap, per department / job role / location (org readers)."""
    _read(request)
    check_role(request.user, Role.LD_ADMIN, Role.EXECUTIVE, Role.AUDITOR)
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    d = selectors.program_dashboard(program=program)

    def gap(g: Any) -> dict[str, Any]:
        return {
            "enrolled": g.enrolled,
            "completed": g.completed,
            "planned_pct": g.planned_pct,
            "actual_pct": g.actual_pct,
            "gap_points": g.gap_points,
            "missing": g.missing,
        }

    return {
        "today": d["today"],
        "overall": gap(d["overall"]),
        "segments": [
            {
                "kind": s.kind,
                "label": s.label,
                "gap": gap(s.gap),
                "people": [name for name, _ in s.people],
                "teams": [name for name, _ in s.teams],
            }
            for segs in d["segments"].values()
            for s in segs
        ],
    }
