"""The governance router of the JSON API (mounted at /api/v1/governance/ by config/api.py).

Everyone signed in: their policies (and acknowledging them), the ownership registry, the AI
systems inventory, and their own data export. A token acts as its person and needs the call's scope:
``governance:read`` (policies, ownership, AI systems), ``governance:write`` (acknowledge),
``privacy:export`` (the data export)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from trellis.core.api_auth import require_scope
from trellis.governance import selectors, services
from trellis.governance.personal_data import personal_data_export
from trellis.governance.schemas import (
    AcknowledgementIn,
    AcknowledgementOut,
    AISystemOut,
    DataExportOut,
    OwnershipOut,
    PolicyOut,
)
from trellis.people.models import Employee

router = Router(tags=["governance"])


def _employee(request: HttpRequest, scope: str) -> Employee:
    require_scope(request, scope)
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise HttpError(404, "Only employees have policies and personal data.")
    return employee


def _person(e: Employee | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "employee_id": e.employee_id,
        "name": e.full_name,
        "job_role": e.job_role.title if e.job_role else None,
        "active": e.is_active,
    }


def _policy_out(row: dict[str, Any]) -> dict[str, Any]:
    p, v = row["policy"], row["version"]
    return {
        "id": p.pk,
        "title": v.title,
        "kind": p.kind,
        "summary": p.summary,
        "version": v.number,
        "published_on": v.published_at.date(),
        "sponsor": p.sponsor.full_name if p.sponsor else None,
        "due_on": row["due_on"],
        "status": row["status"],
        "acknowledged_at": row["acknowledged_at"],
        "body": v.body,
    }


@router.get("/policies", response=list[PolicyOut], summary="The AI documents I must acknowledge")
def policies_mine(request: HttpRequest) -> list[dict[str, Any]]:
    employee = _employee(request, "governance:read")
    return [_policy_out(r) for r in selectors.policies_for_employee(employee=employee)]


@router.post(
    "/policies/{policy_id}/acknowledge",
    response=AcknowledgementOut,
    summary="Acknowledge the current version of a document",
)
def policy_acknowledge(
    request: HttpRequest, policy_id: int, payload: AcknowledgementIn
) -> dict[str, Any]:
    employee = _employee(request, "governance:write")
    policy = selectors.get_policy_for_user(user=request.user, policy_id=policy_id)
    current = selectors.current_version(policy)
    if payload.version is not None and (current is None or current.number != payload.version):
        raise HttpError(
            422,
            f"version: version {payload.version} is not the current version"
            + (f" ({current.number})" if current else ""),
        )
    try:
        ack = services.policy_acknowledge(employee=employee, policy=policy)
    except ValidationError as exc:
        raise HttpError(
            422, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from exc
    return {
        "policy_id": policy.pk,
        "version": ack.version.number,
        "acknowledged_at": ack.acknowledged_at,
    }


@router.get("/ownership", response=OwnershipOut, summary="The AI ownership registry (RACI)")
def ownership(request: HttpRequest) -> dict[str, Any]:
    _employee(request, "governance:read")
    registry = selectors.ownership_registry()
    areas = [
        {
            "id": row["area"].pk,
            "name": row["area"].name,
            "description": row["area"].description,
            **{
                key: [_person(a.employee) for a in row[key]]
                for key in ("accountable", "responsible", "consulted", "informed")
            },
            "problems": row["problems"],
        }
        for row in registry["areas"]
    ]
    return {"areas": areas, "clarity": selectors.ownership_clarity()}


@router.get("/ai-systems", response=list[AISystemOut], summary="The AI systems inventory")
def ai_systems(request: HttpRequest) -> list[dict[str, Any]]:
    _employee(request, "governance:read")
    return [
        {
            "slug": s.slug,
            "name": s.name,
            "purpose": s.purpose,
            "data_used": s.data_used,
            "owner": _person(s.owner),
            "model_name": s.model_name,
            "model_version": s.model_version,
            "evaluation": [
                {"metric": str(e["metric"]), "value": str(e["value"]), "on": str(e.get("on", ""))}
                for e in s.evaluation
            ],
            "evaluated_on": s.evaluated_on,
            "limitations": s.limitations,
            "controls": s.controls,
            "status": s.status,
        }
        for s in selectors.ai_systems_list().select_related("owner__job_role")
    ]


@router.get("/me/export", response=DataExportOut, summary="Everything Trellis holds about me")
def my_data_export(request: HttpRequest) -> dict[str, Any]:
    employee = _employee(request, "privacy:export")
    return personal_data_export(employee=employee, actor=request.user)
