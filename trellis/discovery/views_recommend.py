"""For you (/discover/), Why am I seeing this, Control, and the L&D fairness report.

Every page is about the signed-in person only: no URL names another learner, so nobody can open
someone else's feed or controls. Forms post and redirect without JavaScript; with htmx the feed and
the "why" panel are swapped in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from trellis.catalog.models import Item
from trellis.core.permissions import Role, role_required
from trellis.core.web import is_partial, render_partial
from trellis.discovery import fairness, personalization
from trellis.discovery.models import RecommendationFeedback, Signal
from trellis.discovery.recommendations import feed_item_explain, recommendations_for
from trellis.people.models import Employee, JobRole
from trellis.people.selectors import employee_for_user
from trellis.skills.models import Skill

FEED_SIZE = 10


def _employee(request: HttpRequest) -> Employee:
    employee = employee_for_user(request.user)
    if employee is None:
        raise Http404("Recommendations are for people with an employee record.")
    return employee


def _feed_context(employee: Employee) -> dict[str, Any]:
    feed = recommendations_for(employee=employee, limit=FEED_SIZE)
    return {
        "nav_active": "discover",
        "feed": feed,
        "feedback_kinds": RecommendationFeedback.Kind,
    }


def foryou(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    context = _feed_context(employee)
    if is_partial(request):
        response = render_partial(request, "discovery/foryou.html#feed", context)
    else:
        response = render(request, "discovery/foryou.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def why(request: HttpRequest, item_id: int) -> HttpResponse:
    employee = _employee(request)
    entry, feed = feed_item_explain(employee=employee, item_id=item_id)
    item = entry.item if entry else get_object_or_404(Item, pk=item_id, is_published=True)
    context = {
        "nav_active": "discover",
        "entry": entry,
        "feed": feed,
        "item": item,
        "settings": personalization.settings_get(employee=employee),
    }
    if is_partial(request):
        response = render_partial(request, "discovery/why.html#panel", context)
    else:
        response = render(request, "discovery/why.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def feedback(request: HttpRequest, item_id: int) -> HttpResponse:
    employee = _employee(request)
    item = get_object_or_404(Item, pk=item_id, is_published=True)
    kind = request.POST.get("kind", "")
    try:
        personalization.feedback_record(employee=employee, item=item, kind=kind, actor=request.user)
    except ValidationError:
        return HttpResponse("Unknown feedback.", status=400)
    if is_partial(request):
        response = render_partial(request, "discovery/foryou.html#feed", _feed_context(employee))
        patch_vary_headers(response, ["HX-Request"])
        return response
    messages.success(
        request, f"Noted for “{item.title}”: {RecommendationFeedback.Kind(kind).label}."
    )
    return redirect("discovery:foryou")


def _control_context(employee: Employee) -> dict[str, Any]:
    settings = personalization.settings_get(employee=employee)
    catalog_skills = (
        Skill.objects.filter(item_links__item__is_published=True)
        .distinct()
        .order_by("label")
        .values_list("id", "label")
    )
    return {
        "nav_active": "discover",
        "settings": settings,
        "consent": list(personalization.consent_current(employee=employee).values()),
        "consent_version": personalization.CONSENT_VERSION,
        "interests": personalization.interests_list(employee=employee),
        "targets": personalization.target_skills_list(employee=employee),
        "feedback": personalization.feedback_list(employee=employee),
        "history": personalization.consent_history(employee=employee),
        "job_roles": JobRole.objects.order_by("title").values_list("id", "title"),
        "skills": list(catalog_skills[:2000]),
        "formats": Item.Format.choices,
        "levels": [
            (1, "Awareness"),
            (2, "Beginner"),
            (3, "Intermediate"),
            (4, "Advanced"),
            (5, "Expert"),
        ],
    }


def _skill_from(request: HttpRequest) -> Skill | None:
    raw = request.POST.get("skill", "").strip()
    if raw.isdigit():
        return Skill.objects.filter(pk=int(raw)).first()
    return Skill.objects.filter(label__iexact=raw).order_by("id").first() if raw else None


@require_http_methods(["GET", "POST"])
def control(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        actor = request.user
        done = _control_apply(request, employee, action, actor)
        if done:
            messages.success(request, done)
        return redirect("discovery:control")
    return render(request, "discovery/control.html", _control_context(employee))


def _control_apply(request: HttpRequest, employee: Employee, action: str, actor: Any) -> str:
    post = request.POST
    if action == "consent":
        current = personalization.consent_current(employee=employee)
        changed = []
        for signal in Signal:
            wanted = post.get(f"consent_{signal.value}") == "on"
            if current[signal.value].granted != wanted or not current[signal.value].decided:
                personalization.consent_set(
                    employee=employee, signal=signal.value, granted=wanted, actor=actor
                )
                changed.append(signal.value)
        return "Your choices are saved." if changed else "Nothing changed."
    if action == "personalization":
        enabled = post.get("enabled") == "on"
        personalization.personalization_set_enabled(employee=employee, enabled=enabled, actor=actor)
        return "Personalization is on." if enabled else "Personalization is off."
    if action == "interest_add":
        skill = _skill_from(request)
        if skill is None:
            messages.error(request, "Choose a skill from the list.")
            return ""
        personalization.interest_add(employee=employee, skill=skill, actor=actor)
        return f"Added {skill.label} to your interests."
    if action == "interest_remove":
        personalization.interest_remove(
            employee=employee, skill_id=int(post.get("skill_id", "0") or 0), actor=actor
        )
        return "Interest removed."
    if action == "target_role":
        raw = post.get("job_role", "")
        role = JobRole.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        personalization.target_role_set(employee=employee, job_role=role, actor=actor)
        return f"Your target role is {role.title}." if role else "Target role cleared."
    if action == "target_skill_add":
        skill = _skill_from(request)
        level = post.get("level", "3")
        if skill is None or not level.isdigit():
            messages.error(request, "Choose a skill from the list and a level.")
            return ""
        try:
            personalization.target_skill_set(
                employee=employee, skill=skill, level=int(level), actor=actor
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return ""
        return f"Added {skill.label} to your goal."
    if action == "target_skill_remove":
        personalization.target_skill_remove(
            employee=employee, skill_id=int(post.get("skill_id", "0") or 0), actor=actor
        )
        return "Removed from your goal."
    if action == "formats":
        personalization.preferred_formats_set(
            employee=employee, formats=post.getlist("formats"), actor=actor
        )
        return "Your preferred formats are saved."
    if action == "feedback_undo":
        personalization.feedback_undo(
            employee=employee, item_id=int(post.get("item_id", "0") or 0), actor=actor
        )
        return "Undone."
    if action == "reset":
        personalization.history_reset(employee=employee, actor=actor)
        return "Your history is reset: the feed starts afresh from now."
    messages.error(request, "Unknown action.")
    return ""


@role_required(Role.LD_ADMIN)
def fairness_report(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 730 else fairness.DEFAULT_DAYS
    report = fairness.fairness_report_build(days=days)
    return render(
        request,
        "discovery/fairness.html",
        {"nav_active": "discover", "report": report, "days": days},
    )
