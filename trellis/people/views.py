"""People pages. Each view: parse input, fetch with a permission check, call one service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trellis.core.permissions import (
    ORG_READERS,
    Role,
    check_role,
    has_role,
    role_required,
    roles_for,
)
from trellis.core.web import form_errors, render_partial
from trellis.governance.services import personal_data_viewed
from trellis.people import selectors, services
from trellis.people.forms import (
    DepartmentForm,
    EmployeeForm,
    GroupForm,
    GroupMembersForm,
    LeaveForm,
    LocationForm,
)
from trellis.people.importers import EXAMPLE_CSV, OPTIONAL, REQUIRED
from trellis.people.models import Department, Group, JobRole
from trellis.skills.selectors import ai_literacy_level_name, ai_literacy_levels

PAGE_SIZE = 50


def _skill_profile(employee: Any) -> Any:
    from trellis.skills.selectors import employee_skill_profile

    return employee_skill_profile(employee=employee)


def people_list(request: HttpRequest) -> HttpResponse:
    roles = roles_for(request.user)
    if not roles & set(ORG_READERS):
        if Role.MANAGER in roles:
            return redirect("people:team")
        raise PermissionDenied("Only L&D admins, executives and auditors can list everyone.")
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "department", "job_role", "location", "active")
    }
    if "active" not in request.GET:
        params["active"] = "yes"
    people = selectors.employee_search(qs=selectors.employees_visible_to(request.user), **params)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in params.items() if v})
    context = {
        "page": page,
        "params": params,
        "query": query,
        "departments": selectors.departments_tree(),
        "job_roles": JobRole.objects.order_by("title"),
        "locations": selectors.locations_list(),
        "nav_active": "people",
    }
    if request.htmx:
        response = render_partial(request, "people/people_list.html#results", context)
    else:
        response = render(request, "people/people_list.html", context)
    response["Vary"] = "HX-Request"
    return response


def person(request: HttpRequest, employee_id: str) -> HttpResponse:
    employee = selectors.get_employee_for_user(user=request.user, employee_id=employee_id)
    personal_data_viewed(actor=request.user, employee=employee, what="profile")
    me = selectors.employee_for_user(request.user)
    context = {
        "employee": employee,
        "chain": selectors.manager_chain(employee=employee),
        "reports": selectors.direct_reports(employee=employee),
        "skill_profile": _skill_profile(employee),
        "is_me": me is not None and me.pk == employee.pk,
        "can_edit": has_role(request.user, Role.LD_ADMIN),
        "nav_active": "people" if has_role(request.user, *ORG_READERS) else "team",
    }
    return render(request, "people/person.html", context)


def profile(request: HttpRequest) -> HttpResponse:
    me = selectors.employee_for_user(request.user)
    employee = selectors.employees_joined().filter(pk=me.pk).first() if me else None
    context: dict[str, Any] = {"employee": employee, "nav_active": "profile"}
    if employee is not None:
        context["chain"] = selectors.manager_chain(employee=employee)
        context["skill_profile"] = _skill_profile(employee)
    return render(request, "people/profile.html", context)


@role_required(Role.MANAGER)
def team(request: HttpRequest) -> HttpResponse:
    me = selectors.employee_for_user(request.user)
    assert me is not None  # a manager always has an employee record
    line = list(selectors.reporting_line(manager=me).order_by("manager_path"))
    depth0 = me.manager_path.count("/")
    ai_levels = ai_literacy_levels(employees=line)
    rows = [
        {
            "employee": e,
            "direct": e.manager_id == me.pk,
            "level": e.manager_path.count("/") - depth0,
            "ai_level": ai_levels.get(e.pk),
            "ai_level_name": ai_literacy_level_name(ai_levels.get(e.pk)),
        }
        for e in line
    ]
    rows.sort(key=lambda r: (not r["direct"], r["employee"].full_name))
    context = {
        "me": me,
        "rows": rows,
        "direct_count": sum(1 for r in rows if r["direct"]),
        "nav_active": "team",
    }
    return render(request, "people/team.html", context)


@role_required(Role.LD_ADMIN)
def person_edit(request: HttpRequest, employee_id: str) -> HttpResponse:
    employee = selectors.get_employee_for_user(user=request.user, employee_id=employee_id)
    if request.method == "POST":
        form = EmployeeForm(request.POST)
        if form.is_valid():
            try:
                services.employee_update(actor=request.user, employee=employee, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"{employee.full_name} saved.")
                return redirect("people:person", employee_id=employee.employee_id)
    else:
        personal_data_viewed(actor=request.user, employee=employee, what="profile (edit form)")
        form = EmployeeForm(initial=EmployeeForm.initial_for(employee))
    leave_form = LeaveForm()
    return render(
        request,
        "people/person_edit.html",
        {"employee": employee, "form": form, "leave_form": leave_form, "nav_active": "people"},
        status=422 if form.is_bound and form.errors else 200,
    )


@role_required(Role.LD_ADMIN)
@require_POST
def person_leave(request: HttpRequest, employee_id: str) -> HttpResponse:
    employee = selectors.get_employee_for_user(user=request.user, employee_id=employee_id)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Last day: " + " ".join(form.errors.get("left_on", ["enter a date"]))
        )
        return redirect("people:edit", employee_id=employee.employee_id)
    services.employee_deactivate(
        actor=request.user, employee=employee, left_on=form.cleaned_data["left_on"]
    )
    messages.success(
        request,
        f"{employee.full_name} is marked as a leaver; their reports moved to their manager.",
    )
    return redirect("people:person", employee_id=employee.employee_id)


@role_required(Role.LD_ADMIN)
@require_POST
def person_reactivate(request: HttpRequest, employee_id: str) -> HttpResponse:
    employee = selectors.get_employee_for_user(user=request.user, employee_id=employee_id)
    try:
        services.employee_reactivate(actor=request.user, employee=employee)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{employee.full_name} is active again.")
    return redirect("people:person", employee_id=employee.employee_id)


@role_required(*ORG_READERS)
def departments(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm()
    if request.method == "POST":
        check_role(request.user, Role.LD_ADMIN)
        form = DepartmentForm(request.POST)
        if form.is_valid():
            try:
                services.department_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"Department {form.cleaned_data['name']} added.")
                return redirect("people:departments")
    tree = selectors.departments_tree().annotate(
        people=Count("employees", filter=Q(employees__is_active=True))
    )
    return render(
        request,
        "people/departments.html",
        {
            "departments": tree,
            "form": form,
            "can_manage": has_role(request.user, Role.LD_ADMIN),
            "nav_active": "people",
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@role_required(Role.LD_ADMIN)
def department_edit(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code=code)
    if request.method == "POST":
        form = DepartmentForm(request.POST)
        if form.is_valid():
            try:
                services.department_update(
                    actor=request.user,
                    department=department,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"Department {department.name} saved.")
                return redirect("people:departments")
    else:
        form = DepartmentForm(initial={"name": department.name, "parent": department.parent_id})
    return render(
        request,
        "people/department_edit.html",
        {"department": department, "form": form, "nav_active": "people"},
        status=422 if form.is_bound and form.errors else 200,
    )


@role_required(*ORG_READERS)
def locations(request: HttpRequest) -> HttpResponse:
    form = LocationForm()
    if request.method == "POST":
        check_role(request.user, Role.LD_ADMIN)
        form = LocationForm(request.POST)
        if form.is_valid():
            try:
                services.location_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    country=form.cleaned_data["country"],
                    timezone_name=form.cleaned_data["timezone"].strip(),
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"Location {form.cleaned_data['name']} added.")
                return redirect("people:locations")
    rows = selectors.locations_list().annotate(
        people=Count("employees", filter=Q(employees__is_active=True))
    )
    return render(
        request,
        "people/locations.html",
        {
            "locations": rows,
            "form": form,
            "can_manage": has_role(request.user, Role.LD_ADMIN),
            "nav_active": "people",
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@role_required(*ORG_READERS)
def groups(request: HttpRequest) -> HttpResponse:
    form = GroupForm()
    if request.method == "POST":
        check_role(request.user, Role.LD_ADMIN)
        form = GroupForm(request.POST)
        if form.is_valid():
            try:
                group = services.group_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"Group {group.name} created.")
                return redirect("people:group", group_id=group.pk)
    return render(
        request,
        "people/groups.html",
        {
            "groups": selectors.groups_list(),
            "form": form,
            "can_manage": has_role(request.user, Role.LD_ADMIN),
            "nav_active": "people",
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@role_required(*ORG_READERS)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=group_id)
    form = GroupMembersForm()
    if request.method == "POST":
        check_role(request.user, Role.LD_ADMIN)
        form = GroupMembersForm(request.POST)
        if form.is_valid():
            if request.POST.get("action") == "remove":
                n = services.group_remove_members(
                    actor=request.user, group=group, employees=form.cleaned_data["employee_ids"]
                )
                messages.success(request, f"{n} removed from {group.name}.")
            else:
                n = services.group_add_members(
                    actor=request.user, group=group, employees=form.cleaned_data["employee_ids"]
                )
                messages.success(request, f"{n} added to {group.name}.")
            return redirect("people:group", group_id=group.pk)
    members = selectors.employees_joined().filter(learning_groups=group)
    return render(
        request,
        "people/group_detail.html",
        {
            "group": group,
            "members": members,
            "form": form,
            "can_manage": has_role(request.user, Role.LD_ADMIN),
            "nav_active": "people",
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@role_required(Role.LD_ADMIN)
def import_help(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/import_help.html",
        {
            "required": REQUIRED,
            "optional": OPTIONAL,
            "example": EXAMPLE_CSV,
            "upload_url": reverse("core:import_upload"),
            "nav_active": "admin",
        },
    )


@role_required(Role.LD_ADMIN)
def import_example(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hris-example.csv"'
    return response
