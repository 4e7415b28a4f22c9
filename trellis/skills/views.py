"""Skills pages: role profiles (L&D edits, org readers read), skill pages, search, self-rating."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from trellis.core.permissions import ORG_READERS, Role, has_role, role_required
from trellis.people.models import Employee, JobRole
from trellis.skills import selectors, services
from trellis.skills.ai_literacy import FAMILY_SLUG
from trellis.skills.forms import RoleSkillForm, SelfRatingForm
from trellis.skills.models import LEVELS, Skill

SEARCH_LIMIT = 20


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*ORG_READERS)
def role_list(request: HttpRequest) -> HttpResponse:
    roles = selectors.job_roles_with_profiles()
    return render(request, "skills/role_list.html", {"nav_active": "skills", "roles": roles})


@role_required(*ORG_READERS)
@require_http_methods(["GET", "POST"])
def role_detail(request: HttpRequest, role_id: int) -> HttpResponse:
    job_role = get_object_or_404(
        JobRole.objects.select_related("occupation", "onet_occupation"), pk=role_id
    )
    can_edit = has_role(request.user, Role.LD_ADMIN)
    q = request.GET.get("q", "").strip()
    form_errors: dict[str, Any] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only L&D admins can change role profiles.")
        action = request.POST.get("action", "")
        if action == "regenerate":
            counts = services.role_profile_generate(job_role=job_role, actor=request.user)
            messages.success(
                request,
                f"Profile regenerated: {counts['created']} added, {counts['updated']} changed, "
                f"{counts['removed']} removed, {counts['manual_kept']} set by L&D kept.",
            )
            return redirect("skills:role", role_id=job_role.pk)
        if action in ("set", "remove"):
            form = RoleSkillForm(request.POST)
            if action == "remove":
                form.fields["target_level"].required = False
            if form.is_valid():
                skill = form.cleaned_data["skill_id"]
                if action == "remove":
                    services.role_skill_remove(job_role=job_role, skill=skill, actor=request.user)
                    messages.success(request, f"Removed {skill.label}.")
                else:
                    services.role_skill_set(
                        job_role=job_role,
                        skill=skill,
                        target_level=form.cleaned_data["target_level"],
                        is_essential=form.cleaned_data["is_essential"],
                        actor=request.user,
                    )
                    messages.success(request, f"Saved {skill.label}.")
                return redirect("skills:role", role_id=job_role.pk)
            form_errors = form.errors
        else:
            form_errors = {"action": ["Unknown action."]}
    results = list(selectors.skill_search(q=q)[:SEARCH_LIMIT]) if (q and can_edit) else []
    context = {
        "nav_active": "skills",
        "job_role": job_role,
        "lines": selectors.role_profile_lines(job_role=job_role),
        "can_edit": can_edit,
        "q": q,
        "results": results,
        "levels": LEVELS,
        "form_errors": form_errors,
    }
    if request.htmx and request.method == "GET" and request.GET.get("partial") == "results":
        return _vary(render(request, "skills/role_detail.html#results", context))
    status = 422 if form_errors else 200
    return _vary(render(request, "skills/role_detail.html", context, status=status))


def skill_detail(request: HttpRequest, skill_id: int) -> HttpResponse:
    try:
        skill = selectors.skill_detail(skill_id=skill_id)
    except Skill.DoesNotExist:
        raise Http404("No such skill.") from None
    ladder = []
    if skill.family_id and skill.family:
        descriptions = list(skill.family.level_descriptions) + [""] * 5
        ladder = [
            {"level": n, "name": skill.family.level_name(n), "description": descriptions[n - 1]}
            for n in range(1, 6)
        ]
    occupations = selectors.skill_occupations(skill=skill)[:50]
    context = {
        "nav_active": "skills",
        "skill": skill,
        "ladder": ladder,
        "occupations": occupations,
        "levels": LEVELS,
    }
    return render(request, "skills/skill_detail.html", context)


def skill_search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = None
    if q:
        page = Paginator(selectors.skill_search(q=q), 25).get_page(request.GET.get("page"))
    context = {"nav_active": "skills", "q": q, "page": page}
    if request.htmx:
        return _vary(render(request, "skills/search.html#results", context))
    return _vary(render(request, "skills/search.html", context))


@require_http_methods(["GET", "POST"])
def self_rate(request: HttpRequest) -> HttpResponse:
    employee = (
        Employee.objects.select_related("job_role")
        .filter(user=request.user, is_active=True)
        .first()
    )
    if employee is None:
        raise PermissionDenied("Only people with an employee record can rate their skills.")
    skills = services.self_rating_skills(employee=employee)
    latest = selectors.latest_evidence_by_skill(employee=employee)
    current = {sid: ev.level for sid, ev in latest.items()}
    form = SelfRatingForm(request.POST or None, skills=skills, current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid() and not form.ratings():
            form.add_error(None, "Choose a level for at least one skill.")
        elif form.is_valid():
            try:
                saved = services.self_rating_submit(
                    employee=employee, ratings=form.ratings(), actor=request.user
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, f"Saved {len(saved)} rating{'s' if len(saved) != 1 else ''}."
                )
                return redirect("skills:self_rate")
        status = 422
    ai_ids = {s.pk for s in skills if s.family_id and s.family.slug == FAMILY_SLUG}
    ai_fields = [form[f"skill_{s.pk}"] for s in skills if s.pk in ai_ids]
    role_fields = [form[f"skill_{s.pk}"] for s in skills if s.pk not in ai_ids]
    context = {
        "nav_active": "profile",
        "form": form,
        "employee": employee,
        "role_fields": role_fields,
        "ai_fields": ai_fields,
    }
    return render(request, "skills/self_rate.html", context, status=status)
