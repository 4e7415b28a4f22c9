"""Skills API (/api/v1/skills): taxonomy search, occupations, role profiles, a person's skill profile.

Every endpoint checks the token scope (``skills:read`` / ``skills:write``) and the person's role.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from trellis.core.api_auth import require_scope
from trellis.core.permissions import ORG_READERS, Role, check_role
from trellis.people.models import JobRole
from trellis.skills import selectors, services
from trellis.skills.models import RoleSkill, Skill
from trellis.skills.schemas import (
    EmployeeSkillProfileOut,
    OccupationOut,
    RoleSkillIn,
    RoleSkillOut,
    SkillDetailOut,
    SkillOut,
)

router = Router(tags=["skills"])
PAGE_SIZE = 50


def _read(request: HttpRequest) -> None:
    require_scope(request, "skills:read")
    check_role(request.user, Role.LEARNER)


@router.get("/skills", response=list[SkillOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_skills(
    request: HttpRequest, q: str = "", source: str = "", family: str = "", kind: str = ""
) -> Any:
    """Search the taxonomy by label or alternative label; filter by source, family slug and kind."""
    _read(request)
    return selectors.skill_search(q=q, source=source, family=family, kind=kind)


@router.get("/skills/{skill_id}", response=SkillDetailOut)
def get_skill(request: HttpRequest, skill_id: int) -> Any:
    _read(request)
    try:
        return selectors.skill_detail(skill_id=skill_id)
    except Skill.DoesNotExist:
        raise HttpError(404, "No such skill.") from None


@router.get("/occupations", response=list[OccupationOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_occupations(request: HttpRequest, q: str = "", source: str = "") -> Any:
    _read(request)
    return selectors.occupation_search(q=q, source=source)


@router.get("/roles/{role_id}/profile", response=list[RoleSkillOut])
def get_role_profile(request: HttpRequest, role_id: int) -> Any:
    require_scope(request, "skills:read")
    check_role(request.user, *ORG_READERS)
    job_role = get_object_or_404(JobRole, pk=role_id)
    return list(selectors.role_profile_lines(job_role=job_role))


@router.put("/roles/{role_id}/profile/{skill_id}", response=RoleSkillOut)
def put_role_skill(request: HttpRequest, role_id: int, skill_id: int, payload: RoleSkillIn) -> Any:
    require_scope(request, "skills:write")
    check_role(request.user, Role.LD_ADMIN)
    job_role = get_object_or_404(JobRole, pk=role_id)
    skill = get_object_or_404(Skill, pk=skill_id)
    line = services.role_skill_set(
        job_role=job_role,
        skill=skill,
        target_level=payload.target_level,
        is_essential=payload.is_essential,
        actor=request.user,
    )
    return RoleSkill.objects.select_related("skill").get(pk=line.pk)


@router.delete("/roles/{role_id}/profile/{skill_id}", response={204: None})
def delete_role_skill(request: HttpRequest, role_id: int, skill_id: int) -> Any:
    require_scope(request, "skills:write")
    check_role(request.user, Role.LD_ADMIN)
    job_role = get_object_or_404(JobRole, pk=role_id)
    skill = get_object_or_404(Skill, pk=skill_id)
    if not services.role_skill_remove(job_role=job_role, skill=skill, actor=request.user):
        raise HttpError(404, "This skill is not in the role profile.")
    return Status(204, None)


@router.get("/employees/{employee_id}/profile", response=EmployeeSkillProfileOut)
def get_employee_profile(request: HttpRequest, employee_id: str) -> Any:
    """A person's skill profile by HRIS employee id: the person, their managers and org readers only."""
    from trellis.people.selectors import employees_visible_to

    require_scope(request, "skills:read")
    employee = employees_visible_to(request.user).filter(employee_id=employee_id).first()
    if employee is None:
        raise PermissionDenied("You cannot see this person's skills.")
    profile = selectors.employee_skill_profile(employee=employee)

    def lines(items: list[selectors.SkillLine]) -> list[dict[str, Any]]:
        return [{**asdict(line), "gap": line.gap} for line in items]

    return {
        "employee_id": employee.employee_id,
        "role_lines": lines(profile.role_lines),
        "other_lines": lines(profile.other_lines),
        "ai_literacy": lines(profile.ai_literacy),
        "ai_literacy_level": profile.ai_literacy_level,
        "ai_literacy_level_name": profile.ai_literacy_level_name,
        "ai_level_names": profile.ai_level_names,
    }
