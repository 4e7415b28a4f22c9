"""Learning-path pages. Each view: parse input, fetch with a permission check, call one service,
render. Learners: their paths, a new path, a path's weekly plan (skip, swap, re-plan, settings).
Managers: suggest a path to someone in their reporting line (404 outside it) and follow what
became of their suggestions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trellis.catalog.models import Item
from trellis.core.web import form_errors
from trellis.discovery import paths as service
from trellis.discovery.models import LearningPath, PathStep
from trellis.people.models import Employee, JobRole
from trellis.people.selectors import employee_for_user

LEVEL_CHOICES = [
    (1, "1 Awareness"),
    (2, "2 Beginner"),
    (3, "3 Intermediate"),
    (4, "4 Advanced"),
    (5, "5 Expert"),
]


class PathSettingsForm(forms.Form):
    weekly_hours = forms.DecimalField(
        label="Time you can give each week (hours)",
        min_value=Decimal("0.25"),
        max_value=Decimal(40),
        decimal_places=2,
        initial=3,
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )
    deadline = forms.DateField(
        required=False,
        label="Deadline (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    preferred_formats = forms.MultipleChoiceField(
        choices=Item.Format.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Formats you prefer (none: any)",
        help_text="Other formats are used only for a level no preferred format teaches.",
    )

    def weekly_minutes(self) -> int:
        return round(self.cleaned_data["weekly_hours"] * 60)


class PathForm(PathSettingsForm):
    target_kind = forms.ChoiceField(
        choices=LearningPath.Target.choices,
        widget=forms.RadioSelect,
        initial=LearningPath.Target.ROLE,
        label="Aim at",
    )
    target_role = forms.ModelChoiceField(
        queryset=JobRole.objects.order_by("title"), required=False, label="Role"
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="A note for them (optional)",
    )
    field_order = ["target_kind", "target_role", "weekly_hours", "deadline", "preferred_formats"]


def _me(request: HttpRequest) -> Employee:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Learning paths belong to employees.")
    return me


def _skill_rows(
    request: HttpRequest, *, employee: Employee, defaults: dict[str, Any]
) -> tuple[list[dict[str, Any]], str]:
    """The skill checklist of the form: what was ticked, the learner's target skills, the gaps of
    their role, and the results of a skill search ``q`` (each with a level)."""
    from trellis.skills.models import Skill
    from trellis.skills.selectors import skill_search

    rows: dict[int, dict[str, Any]] = {}
    data = request.POST if request.method == "POST" else request.GET
    chosen = [int(v) for v in data.getlist("skill") if v.isdigit()]
    levels = {
        int(k[6:]): int(v)
        for k, v in data.items()
        if k.startswith("level_") and k[6:].isdigit() and v.isdigit()
    }
    if request.method != "POST":
        for t in defaults.get("target_skills", []):
            chosen.append(t["skill"])
            levels.setdefault(t["skill"], t["level"])
    current = service._current_levels(employee)
    for skill in Skill.objects.filter(pk__in=chosen).only("id", "label"):
        rows[skill.pk] = {"skill": skill, "checked": True}
    if employee.job_role_id:
        from trellis.skills.selectors import role_profile_lines

        for line in role_profile_lines(job_role=employee.job_role):
            if line.target_level > current.get(line.skill_id, 0) and line.skill_id not in rows:
                rows[line.skill_id] = {"skill": line.skill, "checked": False}
                levels.setdefault(line.skill_id, line.target_level)
    q = data.get("q", "").strip()
    if q:
        for skill in skill_search(q=q)[:10]:
            rows.setdefault(skill.pk, {"skill": skill, "checked": False, "found": True})
    out = []
    for sid, row in rows.items():
        row["current"] = current.get(sid, 0)
        row["level"] = levels.get(sid, min(5, row["current"] + 1))
        out.append(row)
    out.sort(key=lambda r: (not r["checked"], not r.get("found"), r["skill"].label))
    return out, q


def _target_skills(request: HttpRequest) -> list[dict[str, int]]:
    out = []
    for value in request.POST.getlist("skill"):
        if value.isdigit():
            level = request.POST.get(f"level_{value}", "3")
            out.append({"skill": int(value), "level": int(level) if level.isdigit() else 3})
    return out


def _new_or_suggest(
    request: HttpRequest, *, owner: Employee, manager: Employee | None
) -> HttpResponse:
    defaults = service.learner_defaults(employee=owner) if manager is None else {}
    initial: dict[str, Any] = {"weekly_hours": 3}
    if defaults.get("target_role"):
        initial["target_kind"] = LearningPath.Target.NEXT_ROLE
        initial["target_role"] = defaults["target_role"]
    elif defaults.get("target_skills"):
        initial["target_kind"] = LearningPath.Target.SKILLS
    if defaults.get("preferred_formats"):
        initial["preferred_formats"] = defaults["preferred_formats"]
    form = PathForm(request.POST) if request.method == "POST" else PathForm(initial=initial)
    if manager is None:
        del form.fields["note"]
    creating = request.method == "POST" and request.POST.get("action") != "find"
    if creating and form.is_valid():
        d = form.cleaned_data
        target = {
            "target_kind": d["target_kind"],
            "target_role": d["target_role"],
            "target_skills": _target_skills(request),
            "weekly_minutes": form.weekly_minutes(),
            "deadline": d["deadline"],
            "preferred_formats": d["preferred_formats"],
        }
        try:
            if manager is None:
                path = service.path_create(owner=owner, actor=request.user, **target)
                messages.success(request, f"Your path “{path.title}” is ready.")
                return redirect("discovery:path", path_id=path.pk)
            path = service.path_suggest(
                manager=manager,
                employee=owner,
                actor=request.user,
                note=d.get("note", ""),
                **target,
            )
            messages.success(
                request,
                f"You suggested “{path.title}” to {owner.full_name}. They can accept or decline it.",
            )
            return redirect("discovery:path", path_id=path.pk)
        except ValidationError as exc:
            form_errors(form, exc)
    skill_rows, q = _skill_rows(request, employee=owner, defaults=defaults)
    suggested_roles, other_roles = service.next_roles(employee=owner)
    chosen_role = form["target_role"].value()
    return render(
        request,
        "discovery/path_form.html",
        {
            "form": form,
            "owner": owner,
            "manager": manager,
            "skill_rows": skill_rows,
            "q": q,
            "levels": LEVEL_CHOICES,
            "suggested_roles": suggested_roles,
            "other_roles": other_roles,
            "chosen_role": str(chosen_role or ""),
            "nav_active": "discover",
        },
    )


def path_list(request: HttpRequest) -> HttpResponse:
    me = employee_for_user(request.user)
    paths = list(service.paths_of(employee=me)) if me else []
    suggested = list(service.paths_suggested_by(manager=me)) if me else []
    return render(
        request,
        "discovery/paths.html",
        {
            "suggestions": [p for p in paths if p.status == LearningPath.Status.SUGGESTED],
            "active": [p for p in paths if p.status == LearningPath.Status.ACTIVE],
            "finished": [
                p
                for p in paths
                if p.status
                in (
                    LearningPath.Status.COMPLETED,
                    LearningPath.Status.ARCHIVED,
                    LearningPath.Status.DECLINED,
                )
            ],
            "suggested_by_me": suggested,
            "team": service.reports_for_suggestions(manager=me, q=request.GET.get("q", ""))
            if me
            else [],
            "team_q": request.GET.get("q", ""),
            "nav_active": "discover",
        },
    )


def path_new(request: HttpRequest) -> HttpResponse:
    return _new_or_suggest(request, owner=_me(request), manager=None)


def path_suggest(request: HttpRequest, employee_id: str) -> HttpResponse:
    manager, report = service.get_report_for_manager(user=request.user, employee_id=employee_id)
    return _new_or_suggest(request, owner=report, manager=manager)


def path_detail(request: HttpRequest, path_id: int) -> HttpResponse:
    path, can_edit = service.get_path_for_user(user=request.user, path_id=path_id)
    if can_edit and service.path_sync_progress(path=path):
        messages.info(request, "Your learning record shows a step done: the path moved on.")
    page = service.path_page(path=path)
    settings_form = PathSettingsForm(
        initial={
            "weekly_hours": Decimal(path.weekly_minutes) / 60,
            "deadline": path.deadline,
            "preferred_formats": path.preferred_formats,
        }
    )
    return render(
        request,
        "discovery/path_detail.html",
        {
            "path": path,
            "page": page,
            "can_edit": can_edit,
            "settings_form": settings_form,
            "nav_active": "discover",
        },
    )


def _owned_step(request: HttpRequest, path_id: int, step_id: int) -> tuple[LearningPath, PathStep]:
    path, can_edit = service.get_path_for_user(user=request.user, path_id=path_id)
    if not can_edit:
        raise Http404("No such path.")
    step = path.steps.select_related("item").filter(pk=step_id).first()
    if step is None:
        raise Http404("No such step.")
    return path, step


def _done(
    request: HttpRequest, path: LearningPath, exc: ValidationError | None = None
) -> HttpResponse:
    if exc is not None:
        messages.error(request, " ".join(exc.messages))
    return redirect("discovery:path", path_id=path.pk)


@require_POST
def path_step_skip(request: HttpRequest, path_id: int, step_id: int) -> HttpResponse:
    path, step = _owned_step(request, path_id, step_id)
    try:
        service.path_step_skip(path=path, step=step, employee=_me(request), actor=request.user)
    except ValidationError as exc:
        return _done(request, path, exc)
    messages.success(
        request, f"Skipped “{step.item.title}”. The path was planned again without it."
    )
    return _done(request, path)


def path_step_swap(request: HttpRequest, path_id: int, step_id: int) -> HttpResponse:
    path, step = _owned_step(request, path_id, step_id)
    if request.method == "POST":
        choice = request.POST.get("item", "")
        try:
            service.path_step_swap(
                path=path,
                step=step,
                employee=_me(request),
                actor=request.user,
                replacement_id=int(choice) if choice.isdigit() else None,
            )
        except ValidationError as exc:
            return _done(request, path, exc)
        messages.success(request, f"Swapped out “{step.item.title}”. The path was planned again.")
        return _done(request, path)
    if step.status != PathStep.Status.PLANNED:
        return _done(request, path)
    return render(
        request,
        "discovery/path_swap.html",
        {
            "path": path,
            "step": step,
            "alternatives": service.step_alternatives(path=path, step=step),
            "nav_active": "discover",
        },
    )


@require_POST
def path_respond(request: HttpRequest, path_id: int, answer: str) -> HttpResponse:
    path, can_edit = service.get_path_for_user(user=request.user, path_id=path_id)
    if not can_edit:
        raise Http404("No such path.")
    me = _me(request)
    try:
        if answer == "accept":
            service.path_accept(path=path, employee=me, actor=request.user)
            messages.success(request, f"You accepted “{path.title}”. Week 1 starts today.")
        else:
            service.path_decline(
                path=path, employee=me, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"You declined “{path.title}”.")
            return redirect("discovery:paths")
    except ValidationError as exc:
        return _done(request, path, exc)
    return _done(request, path)


@require_POST
def path_replan(request: HttpRequest, path_id: int) -> HttpResponse:
    path, can_edit = service.get_path_for_user(user=request.user, path_id=path_id)
    if not can_edit:
        raise Http404("No such path.")
    try:
        service.path_replan(path=path, employee=_me(request), actor=request.user)
    except ValidationError as exc:
        return _done(request, path, exc)
    messages.success(request, "Planned again from your skills and learning record today.")
    return _done(request, path)


@require_POST
def path_settings(request: HttpRequest, path_id: int) -> HttpResponse:
    path, can_edit = service.get_path_for_user(user=request.user, path_id=path_id)
    if not can_edit:
        raise Http404("No such path.")
    form = PathSettingsForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, errors)
        return _done(request, path)
    try:
        service.path_settings_set(
            path=path,
            employee=_me(request),
            actor=request.user,
            weekly_minutes=form.weekly_minutes(),
            deadline=form.cleaned_data["deadline"],
            preferred_formats=form.cleaned_data["preferred_formats"],
        )
    except ValidationError as exc:
        return _done(request, path, exc)
    messages.success(request, "Saved. The path was planned again.")
    return _done(request, path)


@require_POST
def path_archive(request: HttpRequest, path_id: int) -> HttpResponse:
    path, can_edit = service.get_path_for_user(user=request.user, path_id=path_id)
    if not can_edit:
        raise Http404("No such path.")
    try:
        service.path_archive(path=path, employee=_me(request), actor=request.user)
    except ValidationError as exc:
        return _done(request, path, exc)
    messages.success(request, f"You stopped “{path.title}”.")
    return redirect("discovery:paths")
