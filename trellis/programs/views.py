"""Program pages. Each view: parse input, fetch with a permission check, call one service, render.

Learner: /programs/assigned/. Manager: /programs/team/ (nudge, extend, exempt; 404 outside their
reporting line). L&D: list, create, edit, preview, activate, close, requirements, budget. Executives
and auditors read program pages.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.core.permissions import ORG_READERS, Role, role_required
from trellis.core.services import audit_log
from trellis.core.web import form_errors, render_partial
from trellis.people.selectors import employee_for_user
from trellis.programs import selectors, services
from trellis.programs.forms import (
    BudgetForm,
    ExtendForm,
    GroupForm,
    ProgramForm,
    ReasonForm,
    RequirementForm,
    rule_formset,
)
from trellis.programs.models import Enrollment, Program, Requirement


def _me(request: HttpRequest) -> Any:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Only employees have assignments.")
    return me


# --- learner ------------------------------------------------------------------------------------


def assigned(request: HttpRequest) -> HttpResponse:
    """/programs/assigned/: the signed-in learner's programs (nobody else's)."""
    rows = selectors.assigned_to(employee=_me(request))
    return render(
        request,
        "programs/assigned.html",
        {"rows": rows, "nav_active": "assigned", "today": timezone.localdate()},
    )


@require_POST
def acknowledge(request: HttpRequest, uid: str) -> HttpResponse:
    me = _me(request)
    requirement = get_object_or_404(Requirement, uid=uid, kind=Requirement.Kind.ACKNOWLEDGEMENT)
    try:
        services.policy_acknowledge(employee=me, requirement=requirement)
    except PermissionDenied:
        raise Http404("No such policy.") from None
    messages.success(request, f"Thank you: you acknowledged “{requirement.title}”.")
    return redirect("programs:assigned")


# --- manager ------------------------------------------------------------------------------------


@role_required(Role.MANAGER, Role.LD_ADMIN)
def team(request: HttpRequest) -> HttpResponse:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Only employees have a team.")
    rows = selectors.team_rows(manager=me)
    counts = {
        k: sum(1 for r in rows if r["risk"] == k)
        for k in ("overdue", "at_risk", "on_track", "completed")
    }
    return render(
        request,
        "programs/team.html",
        {
            "rows": rows,
            "counts": counts,
            "nav_active": "team_programs",
            "today": timezone.localdate(),
        },
    )


def _team_row(request: HttpRequest, enrollment: Enrollment, note: str = "") -> HttpResponse:
    """After an action: the updated row (htmx) or back to the team page."""
    if getattr(request, "htmx", None):
        today = timezone.localdate()
        enrollment = Enrollment.objects.select_related(
            "program", "employee__manager", "employee__department"
        ).get(pk=enrollment.pk)
        status = enrollment.status_on(today)
        from trellis.programs import pace

        risk = pace.risk(
            status=status,
            today=today,
            starts_on=enrollment.starts_on,
            due_on=enrollment.due_on,
            started=enrollment.started_at is not None,
        )
        row = {
            "enrollment": enrollment,
            "status": status,
            "risk": risk,
            "risk_label": pace.RISK_LABELS[risk],
            "days_left": (enrollment.due_on - today).days,
            "open": status not in ("completed", "exempt"),
        }
        return render_partial(request, "programs/team.html#row", {"row": row, "note": note})
    if note:
        messages.success(request, note)
    return redirect("programs:team")


@require_POST
def nudge(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_to_manage(user=request.user, enrollment_id=enrollment_id)
    try:
        services.enrollment_nudge(actor=request.user, enrollment=enrollment)
    except services.NudgeTooSoon as exc:
        return _team_row(request, enrollment, str(exc))
    except ValidationError as exc:
        return _team_row(request, enrollment, " ".join(exc.messages))
    return _team_row(request, enrollment, f"Nudged {enrollment.employee.full_name}.")


def extend(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_to_manage(user=request.user, enrollment_id=enrollment_id)
    form = ExtendForm(request.POST or None, initial={"new_due_on": enrollment.due_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_extend(
                actor=request.user,
                enrollment=enrollment,
                new_due_on=form.cleaned_data["new_due_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _team_row(
                request,
                enrollment,
                f"{enrollment.employee.full_name} now has until {form.cleaned_data['new_due_on']:%d %b %Y}.",
            )
    return render(
        request,
        "programs/enrollment_action.html",
        {"form": form, "enrollment": enrollment, "action": "extend"},
    )


def exempt(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_to_manage(user=request.user, enrollment_id=enrollment_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_exempt(
                actor=request.user, enrollment=enrollment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _team_row(request, enrollment, f"{enrollment.employee.full_name} is exempt.")
    return render(
        request,
        "programs/enrollment_action.html",
        {"form": form, "enrollment": enrollment, "action": "exempt"},
    )


# --- L&D, executives, auditors ------------------------------------------------------------------


@role_required(*ORG_READERS)
def program_list(request: HttpRequest) -> HttpResponse:
    programs = list(selectors.programs_visible_to(request.user).order_by("status", "name"))
    return render(
        request, "programs/program_list.html", {"programs": programs, "nav_active": "programs"}
    )


@role_required(*ORG_READERS)
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    context = {
        "program": program,
        "dashboard": selectors.program_dashboard(program=program),
        "requirements": list(
            program.requirements.select_related("item", "group").prefetch_related(
                "credit_rules__item"
            )
        ),
        "rules": list(
            program.rules.prefetch_related(
                "departments", "job_roles", "locations", "groups", "managers"
            )
        ),
        "requirement_form": RequirementForm(program=program),
        "group_form": GroupForm(),
        "nav_active": "programs",
    }
    from trellis.programs.charts import pace_chart

    context["chart"] = pace_chart(context["dashboard"])
    return render(request, "programs/program_detail.html", context)


@role_required(*ORG_READERS)
def program_export(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="program-{program.pk}-enrollments.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "employee_id",
            "name",
            "department",
            "job_role",
            "location",
            "manager",
            "cycle",
            "status",
            "enrolled_on",
            "due_on",
            "completed_at",
        ]
    )
    rows = 0
    for e in selectors.program_enrollments(program=program):
        emp = e.employee
        rows += 1
        writer.writerow(
            [
                emp.employee_id,
                emp.full_name,
                emp.department.name if emp.department else "",
                emp.job_role.title if emp.job_role else "",
                emp.location.name if emp.location else "",
                emp.manager.full_name if emp.manager else "",
                e.cycle,
                e.status_on(today),
                e.starts_on.isoformat(),
                e.due_on.isoformat(),
                e.completed_at.isoformat() if e.completed_at else "",
            ]
        )
    # Access to personal data: one entry per export, naming the program and how many people.
    audit_log(
        actor=request.user,
        code="trellis.program.enrollments_exported",
        target=program,
        data={"rows": rows},
    )
    return response


def _save_program(
    request: HttpRequest, form: ProgramForm, rules: Any, program: Program | None
) -> Program:
    fields = form.program_fields()
    if program is None:
        program = services.program_create(
            actor=request.user, name=form.cleaned_data["name"], **fields
        )
    else:
        program = services.program_update(
            actor=request.user, program=program, name=form.cleaned_data["name"], **fields
        )
    chosen = rules.rules()
    include = form.cleaned_data["include"]
    services.audience_set(
        actor=request.user,
        program=program,
        # no rule with a criterion: everyone, unless only the include list is meant
        rules=chosen or ([] if include else [{}]),
        include=include,
        exclude=form.cleaned_data["exclude"],
    )
    return program


def _program_form(request: HttpRequest, program: Program | None) -> HttpResponse:
    """New program or edit: the program's fields, its audience rules (add a rule, remove one) and
    include/exclude lists. "Add a rule" posts the form back with one more empty rule, unsaved."""
    if program is None:
        initial = {
            "reminder_days": "7, 1",
            "due_policy": "relative",
            "due_days": 90,
            "planned_hours": 2,
        }
    else:
        initial = ProgramForm.initial_for(program)
    posted = request.method == "POST"
    form = ProgramForm(request.POST if posted else None, initial=initial)
    adding = posted and "add_rule" in request.POST
    rules = rule_formset(request.POST if posted else None, program=program, add=adding)
    if posted and not adding and form.is_valid() and rules.is_valid():
        try:
            from django.db import transaction

            with transaction.atomic():
                program = _save_program(request, form, rules, program)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                f"“{program.name}” saved as a draft."
                if program.status == Program.Status.DRAFT
                else f"“{program.name}” saved.",
            )
            return redirect("programs:detail", program_id=program.pk)
    return render(
        request,
        "programs/program_form.html",
        {
            "form": form,
            "rules": rules,
            "errors": _error_summary(form, rules) if posted and not adding else [],
            "program": program,
            "nav_active": "programs",
        },
        status=400 if posted and not adding and (form.errors or rules.total_error_count()) else 200,
    )


def _error_summary(form: ProgramForm, rules: Any) -> list[tuple[str, str]]:
    """Every error as (id of the field it is about, text naming the field), for the list at the
    top of the page: "Rule 2 · Hired until: The hire-date window ends before it starts."."""
    out: list[tuple[str, str]] = []
    for where, f in [("", form), *((f"Rule {n} · ", r) for n, r in enumerate(rules.forms, 1))]:
        for name, errors in f.errors.items():
            if name in f.fields:
                bound = f[name]
                out += [(bound.id_for_label, f"{where}{bound.label}: {e}") for e in errors]
            else:
                out += [("", f"{where}{e}") for e in errors]
    out += [("", str(error)) for error in rules.non_form_errors()]
    return out


@role_required(Role.LD_ADMIN)
def program_create(request: HttpRequest) -> HttpResponse:
    return _program_form(request, None)


@role_required(Role.LD_ADMIN)
def program_edit(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    return _program_form(request, program)


@role_required(*ORG_READERS)
def program_preview(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    return render(
        request,
        "programs/program_preview.html",
        {
            "program": program,
            "preview": selectors.audience_preview(program=program),
            "overruns": selectors.budget_check(program=program)
            if program.status == Program.Status.DRAFT
            else [],
            "nav_active": "programs",
        },
    )


@role_required(Role.LD_ADMIN)
def program_activate(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    if request.method != "POST":
        return redirect("programs:preview", program_id=program.pk)
    try:
        result = services.program_activate(
            actor=request.user,
            program=program,
            confirm_over_budget=request.POST.get("confirm_over_budget") == "on",
        )
    except services.OverBudget as exc:
        return render(
            request,
            "programs/program_preview.html",
            {
                "program": program,
                "preview": selectors.audience_preview(program=program),
                "overruns": exc.overruns,
                "needs_confirmation": True,
                "nav_active": "programs",
            },
            status=409,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programs:detail", program_id=program.pk)
    messages.success(
        request, f"“{program.name}” is active: {len(result.enrolled)} people enrolled."
    )
    return redirect("programs:detail", program_id=program.pk)


@require_POST
@role_required(Role.LD_ADMIN)
def program_close(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    services.program_close(actor=request.user, program=program)
    messages.success(request, f"“{program.name}” is closed.")
    return redirect("programs:detail", program_id=program.pk)


@require_POST
@role_required(Role.LD_ADMIN)
def requirement_add(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    form = RequirementForm(request.POST, program=program)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.requirement_add(
                actor=request.user,
                program=program,
                item=d["item"],
                title=d["title"],
                body=d["body"],
                min_score=d["min_score"] / 100 if d["min_score"] is not None else None,
                group=d["group"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Requirement added.")
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("programs:detail", program_id=program.pk)


@require_POST
@role_required(Role.LD_ADMIN)
def group_add(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program_for_user(user=request.user, program_id=program_id)
    form = GroupForm(request.POST)
    if form.is_valid():
        services.requirement_group_add(actor=request.user, program=program, **form.cleaned_data)
        messages.success(request, "Elective group added.")
    else:
        messages.error(request, "Give the group a name and how many are needed.")
    return redirect("programs:detail", program_id=program.pk)


@role_required(Role.LD_ADMIN)
def budget(request: HttpRequest) -> HttpResponse:
    form = BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.mandate_budget_set(actor=request.user, **form.cleaned_data)
        messages.success(request, "Mandate budget saved.")
        return redirect("programs:budget")
    return render(
        request,
        "programs/budget.html",
        {"form": form, "budgets": list(selectors.mandate_budgets()), "nav_active": "programs"},
    )
