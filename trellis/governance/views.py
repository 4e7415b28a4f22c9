"""Governance pages: "AI at <organisation>", policies, the ownership registry, the AI systems and
their model cards, the audit log and personal data (export, erasure).

Roles: everyone reads the registry, the AI systems and the documents addressed to them, and
downloads their own data; L&D admins change things; executives and auditors read every document and
its figures; the audit log, other people's data exports and erasure are for L&D admins and auditors.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.core.permissions import ORG_READERS, Role, has_role, role_required
from trellis.core.services import audit_log
from trellis.governance import selectors, services
from trellis.governance.forms import (
    AISystemForm,
    AreaForm,
    AssignForm,
    AuditFilterForm,
    ErasureForm,
    PolicyForm,
    PublishForm,
    apply_errors,
)
from trellis.governance.models import AISystem, OwnershipArea, OwnershipAssignment, Policy
from trellis.governance.personal_data import (
    is_erased,
    personal_data_erase,
    personal_data_export,
)
from trellis.governance.text import render_policy_text
from trellis.people.models import Employee

NAV = "governance"
PRIVACY_ROLES = (Role.LD_ADMIN, Role.AUDITOR)


def _employee(request: HttpRequest) -> Employee | None:
    return getattr(request.user, "employee", None)


# --- "AI at <organisation>" --------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    rows = selectors.policies_for_employee(employee=employee) if employee else []
    context = {
        "nav_active": NAV,
        "rows": rows,
        "to_do": sum(r["status"] != "acknowledged" for r in rows),
        "registry": selectors.ownership_registry(),
        "systems": selectors.ai_systems_list(),
        "is_org_reader": has_role(request.user, *ORG_READERS),
        "is_privacy_officer": has_role(request.user, *PRIVACY_ROLES),
    }
    return render(request, "governance/home.html", context)


# --- policies --------------------------------------------------------------------------------------


@role_required(*ORG_READERS)
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(selectors.policies_list())
    summary = {s["policy_id"]: s for s in selectors.acknowledgement_summary()}
    rows = [{"policy": p, "summary": summary.get(p.pk)} for p in policies]
    return render(
        request,
        "governance/policy_list.html",
        {"nav_active": NAV, "rows": rows, "can_edit": has_role(request.user, Role.LD_ADMIN)},
    )


def _policy_form_initial(policy: Policy) -> dict[str, Any]:
    rule = policy.rules.first()
    return {
        "title": policy.title,
        "kind": policy.kind,
        "summary": policy.summary,
        "body": policy.body,
        "sponsor": policy.sponsor.employee_id if policy.sponsor else "",
        "due_days": policy.due_days,
        "reminder_days": ", ".join(str(d) for d in policy.reminders),
        "departments": list(rule.departments.all()) if rule else [],
        "job_roles": list(rule.job_roles.all()) if rule else [],
        "locations": list(rule.locations.all()) if rule else [],
    }


def _save_policy(request: HttpRequest, form: PolicyForm, policy: Policy | None) -> Policy | None:
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "kind": data["kind"],
        "summary": data["summary"],
        "body": data["body"],
        "sponsor": data["sponsor"],
        "due_days": data["due_days"],
        "reminder_days": data["reminder_days"] or [7, 1],
    }
    try:
        from django.db import transaction

        with transaction.atomic():
            if policy is None:
                policy = services.policy_create(actor=request.user, **fields)
            else:
                policy = services.policy_update(actor=request.user, policy=policy, **fields)
            services.policy_audience_set(
                actor=request.user, policy=policy, rules=form.audience_rules()
            )
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return policy


@role_required(Role.LD_ADMIN)
def policy_new(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policy = _save_policy(request, form, None)
        if policy is not None:
            messages.success(request, "Saved as a draft. Publish it when it is ready.")
            return redirect("governance:policy", policy.pk)
    return render(
        request,
        "governance/policy_form.html",
        {"nav_active": NAV, "form": form, "policy": None},
        status=422 if form.errors else 200,
    )


@role_required(Role.LD_ADMIN)
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id)
    form = PolicyForm(request.POST or None, initial=_policy_form_initial(policy))
    if request.method == "POST" and form.is_valid():
        saved = _save_policy(request, form, policy)
        if saved is not None:
            messages.success(
                request,
                "Saved. People acknowledge a new text only once you publish it as a new version."
                if policy.status == Policy.Status.PUBLISHED
                else "Saved.",
            )
            return redirect("governance:policy", policy.pk)
    return render(
        request,
        "governance/policy_form.html",
        {"nav_active": NAV, "form": form, "policy": policy, "rule_count": policy.rules.count()},
        status=422 if form.errors else 200,
    )


def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.get_policy_for_user(user=request.user, policy_id=policy_id)
    employee = _employee(request)
    version = selectors.current_version(policy)
    mine = None
    if employee is not None:
        mine = next(
            (
                r
                for r in selectors.policies_for_employee(employee=employee)
                if r["policy"].pk == policy.pk
            ),
            None,
        )
    is_reader = has_role(request.user, *ORG_READERS)
    context: dict[str, Any] = {
        "nav_active": NAV,
        "policy": policy,
        "version": version,
        "body_html": render_policy_text(version.body if version else policy.body),
        "draft_html": render_policy_text(policy.body) if is_reader else None,
        "draft_differs": bool(
            is_reader and version and (version.body != policy.body or version.title != policy.title)
        ),
        "mine": mine,
        "is_reader": is_reader,
        "can_edit": has_role(request.user, Role.LD_ADMIN),
        "versions": list(policy.versions.select_related("published_by")) if is_reader else [],
        "publish_form": PublishForm(),
    }
    if is_reader:
        context["dashboard"] = selectors.policy_dashboard(policy=policy)
    elif version is not None and has_role(request.user, Role.MANAGER):
        # a manager follows their reporting line, as for a program's requirement
        team = selectors.policy_dashboard(
            policy=policy, employee_ids=selectors.team_ids(user=request.user)
        )
        context["team"] = team if team["rows"] else None
    return render(request, "governance/policy_detail.html", context)


@role_required(Role.LD_ADMIN)
@require_POST
def policy_publish(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id)
    form = PublishForm(request.POST)
    note = form.cleaned_data["change_note"] if form.is_valid() else ""
    try:
        version = services.policy_publish(actor=request.user, policy=policy, change_note=note)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect("governance:policy", policy.pk)
    messages.success(
        request, f"Version {version.number} published; the audience is asked to acknowledge it."
    )
    return redirect("governance:policy", policy.pk)


@role_required(Role.LD_ADMIN)
@require_POST
def policy_retire(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id)
    services.policy_retire(actor=request.user, policy=policy)
    messages.success(request, "Retired: nobody is asked to acknowledge it any more.")
    return redirect("governance:policy", policy.pk)


@require_POST
def policy_acknowledge(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.get_policy_for_user(user=request.user, policy_id=policy_id)
    employee = _employee(request)
    if employee is None:
        return HttpResponse("Only employees acknowledge documents.", status=403)
    try:
        ack = services.policy_acknowledge(employee=employee, policy=policy)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("governance:policy", policy.pk)
    messages.success(
        request, f"Thank you: you acknowledged “{policy.title}” (version {ack.version.number})."
    )
    return redirect("governance:policy", policy.pk)


# --- ownership -------------------------------------------------------------------------------------


def ownership(request: HttpRequest) -> HttpResponse:
    clarity = selectors.ownership_clarity()
    shares = []
    if clarity and isinstance(clarity.get("shares"), dict):
        shares = [
            (str(key).replace("_", " ").capitalize(), value)
            for key, value in clarity["shares"].items()
        ]
    return render(
        request,
        "governance/ownership.html",
        {
            "nav_active": NAV,
            "registry": selectors.ownership_registry(),
            "clarity": clarity,
            "clarity_shares": shares,
            "can_edit": has_role(request.user, Role.LD_ADMIN),
        },
    )


@role_required(Role.LD_ADMIN)
def ownership_edit(request: HttpRequest) -> HttpResponse:
    area_form = AreaForm(prefix="area")
    assign_form = AssignForm(prefix="assign")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_area":
                area_form = AreaForm(request.POST, prefix="area")
                if area_form.is_valid():
                    services.ownership_area_create(
                        actor=request.user,
                        name=area_form.cleaned_data["name"],
                        description=area_form.cleaned_data["description"],
                    )
                    messages.success(request, "Area added.")
                    return redirect("governance:ownership_edit")
            elif action == "assign":
                assign_form = AssignForm(request.POST, prefix="assign")
                if assign_form.is_valid():
                    services.ownership_assign(
                        actor=request.user,
                        area=assign_form.cleaned_data["area"],
                        employee=assign_form.cleaned_data["employee"],
                        role=assign_form.cleaned_data["role"],
                    )
                    messages.success(request, "Person named.")
                    return redirect("governance:ownership_edit")
            elif action == "unassign":
                assignment = get_object_or_404(
                    OwnershipAssignment, pk=request.POST.get("assignment") or 0
                )
                services.ownership_unassign(actor=request.user, assignment=assignment)
                messages.success(request, "Removed.")
                return redirect("governance:ownership_edit")
            elif action == "rename_area":
                area = get_object_or_404(OwnershipArea, pk=request.POST.get("area") or 0)
                services.ownership_area_update(
                    actor=request.user,
                    area=area,
                    name=request.POST.get("name", ""),
                    description=area.description,
                )
                messages.success(request, "Area renamed.")
                return redirect("governance:ownership_edit")
            elif action == "delete_area":
                area = get_object_or_404(OwnershipArea, pk=request.POST.get("area") or 0)
                services.ownership_area_delete(actor=request.user, area=area)
                messages.success(request, "Area deleted.")
                return redirect("governance:ownership_edit")
            else:
                return HttpResponse("Unknown action.", status=400)
        except ValidationError as exc:
            if action in ("assign", "add_area"):
                apply_errors(assign_form if action == "assign" else area_form, exc)
            else:
                errors = [f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items()]
        status = 422
    return render(
        request,
        "governance/ownership_edit.html",
        {
            "nav_active": NAV,
            "registry": selectors.ownership_registry(),
            "area_form": area_form,
            "assign_form": assign_form,
            "forms": [assign_form, area_form],
            "errors": errors,
        },
        status=status,
    )


# --- AI systems ------------------------------------------------------------------------------------


def ai_systems(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/ai_systems.html",
        {"nav_active": NAV, "systems": selectors.ai_systems_list()},
    )


def ai_system(request: HttpRequest, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.select_related("owner"), slug=slug)
    return render(
        request,
        "governance/model_card.html",
        {
            "nav_active": NAV,
            "system": system,
            "can_edit": has_role(request.user, Role.LD_ADMIN),
            "llm_configured": bool(settings.TRELLIS_LLM_URL),
        },
    )


@role_required(Role.LD_ADMIN)
def ai_system_edit(request: HttpRequest, slug: str) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.select_related("owner"), slug=slug)
    initial = {
        "owner": system.owner.employee_id if system.owner else "",
        "status": system.status,
        "model_name": system.model_name,
        "model_version": system.model_version,
        "evaluated_on": system.evaluated_on,
        "limitations": system.limitations,
        "controls": system.controls,
    }
    form = AISystemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ai_system_update(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("governance:ai_system", system.slug)
    return render(
        request,
        "governance/ai_system_form.html",
        {"nav_active": NAV, "system": system, "form": form},
        status=422 if form.errors else 200,
    )


# --- audit -----------------------------------------------------------------------------------------


@role_required(Role.LD_ADMIN, Role.AUDITOR)
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = {k: request.GET.get(k, "") for k in AuditFilterForm.base_fields}
    events, errors = selectors.audit_search(filters)
    if form.is_bound and form.is_valid():
        for field, message in errors.items():
            form.add_error(field, message)
    if errors:
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [{"event": e, "changes": selectors.before_after(e.data)} for e in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "governance/audit.html",
        {
            "nav_active": "audit",
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
        status=422 if errors else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(Role.LD_ADMIN, Role.AUDITOR)
def audit_export(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in AuditFilterForm.base_fields}
    events, errors = selectors.audit_search(filters)
    if errors:
        return JsonResponse({"errors": errors}, status=422)
    audit_log(
        actor=request.user,
        code="trellis.audit.exported",
        data={"filters": {k: v for k, v in filters.items() if v}},
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(["at", "actor", "code", "target_type", "target_id", "data"])
        for e in events.order_by("-at", "-id").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.at.isoformat(),
                    e.actor.username if e.actor else "system",
                    e.code,
                    e.target_type,
                    e.target_id,
                    json.dumps(e.data, sort_keys=True, ensure_ascii=False),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="trellis-audit-{stamp}.csv"'
    return response


# --- personal data ---------------------------------------------------------------------------------


def my_data(request: HttpRequest) -> HttpResponse:
    person = None
    lookup = request.GET.get("person", "").strip()
    is_officer = has_role(request.user, *PRIVACY_ROLES)
    if is_officer and lookup:
        person = (
            Employee.objects.filter(employee_id=lookup).first()
            or Employee.objects.filter(user__username=lookup).first()
            or Employee.objects.filter(email__iexact=lookup).first()
        )
        if person is None:
            messages.error(request, f"person: nobody with the id, username or email “{lookup}”.")
    return render(
        request,
        "governance/privacy.html",
        {
            "nav_active": NAV,
            "is_officer": is_officer,
            "person": person,
            "lookup": lookup,
            "person_erased": bool(person and is_erased(person)),
        },
    )


def _json_download(data: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def my_data_export(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    if employee is None:
        return HttpResponse("Only employees have personal data in Trellis.", status=404)
    data = personal_data_export(employee=employee, actor=request.user)
    return _json_download(data, f"trellis-my-data-{timezone.localdate():%Y%m%d}.json")


@role_required(*PRIVACY_ROLES)
def person_export(request: HttpRequest, employee_id: str) -> HttpResponse:
    employee = get_object_or_404(Employee, employee_id=employee_id)
    data = personal_data_export(employee=employee, actor=request.user)
    return _json_download(data, f"trellis-data-{employee.employee_id}.json")


@role_required(*PRIVACY_ROLES)
def person_erase(request: HttpRequest, employee_id: str) -> HttpResponse:
    employee = get_object_or_404(
        Employee.objects.select_related("department"), employee_id=employee_id
    )
    form = ErasureForm(request.POST or None, employee=employee)
    if request.method != "POST" and not is_erased(employee):
        services.personal_data_viewed(actor=request.user, employee=employee, what="erasure request")
    if request.method == "POST" and form.is_valid():
        try:
            result = personal_data_erase(
                actor=request.user, employee=employee, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Erased. In learning records the person is now {result['pseudonym']}.",
            )
            return redirect("governance:privacy")
    return render(
        request,
        "governance/erase.html",
        {"nav_active": NAV, "employee": employee, "form": form, "erased": is_erased(employee)},
        status=422 if form.errors else 200,
    )
