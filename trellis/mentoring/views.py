"""Mentoring and feedback pages. Each view: parse input, fetch with a permission check, call one
service, render. Forms are plain POSTs that redirect (they work without JavaScript); a form with bad
input is shown again with an error next to each named field (status 400) and nothing is written.

Learner: home (my mentors, suggestions for my gaps, requests, sessions), find, request, feedback.
Mentor: mentor (profile, requests to answer, mentees). The pair: a mentorship's page (sessions with
their notes). Manager: team (their reporting line's mentorships, no notes). L&D, executives,
auditors: overview (counts only).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trellis.core.permissions import ORG_READERS, Role, role_required
from trellis.mentoring import selectors, services
from trellis.mentoring.models import (
    MAX_CAPACITY,
    MAX_HOURS_PER_MONTH,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    FeedbackRequest,
    MentorProfile,
    Mentorship,
)
from trellis.people.selectors import employee_for_user

NAV = "mentoring"


def _me(request: HttpRequest) -> Any:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Only employees use mentoring.")
    return me


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _skill(skill_id: Any) -> Any:
    from trellis.skills.models import Skill
    from trellis.skills.selectors import skill_detail

    try:
        return skill_detail(skill_id=int(skill_id))
    except (Skill.DoesNotExist, TypeError, ValueError):
        return None


# --- learner --------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """/mentoring/: the signed-in person's mentoring (nobody else's)."""
    me = _me(request)
    other_department = request.GET.get("other_department") == "1"
    as_mentee = list(selectors.mentorships_as_mentee(employee=me))
    profile = selectors.mentor_profile_of(employee=me)
    as_mentor = list(selectors.mentorships_as_mentor(employee=me)) if profile else []
    return render(
        request,
        "mentoring/home.html",
        {
            "nav_active": NAV,
            "me": me,
            "mentors": [m for m in as_mentee if m.status == Mentorship.Status.ACTIVE],
            "requests": [m for m in as_mentee if m.status != Mentorship.Status.ACTIVE][:10],
            "gaps": selectors.gap_suggestions(
                employee=me, prefer_other_department=other_department
            ),
            "other_department": other_department,
            "sessions": list(selectors.sessions_of(employee=me, limit=10)),
            "profile": profile,
            "to_answer": sum(1 for m in as_mentor if m.status == Mentorship.Status.REQUESTED),
            "mentees": sum(1 for m in as_mentor if m.status == Mentorship.Status.ACTIVE),
            "feedback_waiting": selectors.feedback_asked_of(employee=me)
            .filter(status=FeedbackRequest.Status.PENDING)
            .count(),
        },
    )


def find(request: HttpRequest) -> HttpResponse:
    """/mentoring/find/?q=&skill=: mentors by skill, ranked for the signed-in learner."""
    me = _me(request)
    q = request.GET.get("q", "").strip()
    skills = selectors.mentored_skills()
    if q:
        skills = skills.filter(label__icontains=q)
    skill = _skill(request.GET.get("skill")) if request.GET.get("skill") else None
    other_department = request.GET.get("other_department") == "1"
    results = (
        selectors.mentors_for_skill(
            employee=me, skill=skill, prefer_other_department=other_department
        )
        if skill
        else []
    )
    return render(
        request,
        "mentoring/find.html",
        {
            "nav_active": NAV,
            "q": q,
            "skills": list(skills[:50]),
            "skill": skill,
            "results": results,
            "other_department": other_department,
        },
    )


def _mentor_for_request(employee_id: str, skill_id: int) -> tuple[Any, Any, MentorProfile]:
    profile = (
        MentorProfile.objects.select_related("employee__department", "employee__location")
        .filter(
            employee__employee_id=employee_id,
            employee__is_active=True,
            status=MentorProfile.Status.ACTIVE,
            skill_links__skill_id=skill_id,
        )
        .first()
    )
    skill = _skill(skill_id)
    if profile is None or skill is None:
        raise Http404("No such mentor.")
    return profile.employee, skill, profile


def request_mentor(request: HttpRequest, employee_id: str, skill_id: int) -> HttpResponse:
    """/mentoring/request/<employee_id>/<skill_id>/: ask a mentor (GET: the form, POST: send)."""
    me = _me(request)
    mentor, skill, profile = _mentor_for_request(employee_id, skill_id)
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        message = request.POST.get("message", "")
        try:
            m = services.mentorship_request(
                mentee=me, mentor=mentor, skill=skill, message=message, actor=request.user
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request, f"Your request went to {mentor.full_name}. You will hear back here."
            )
            return redirect("mentoring:mentorship", uid=m.uid)
    return render(
        request,
        "mentoring/request.html",
        {
            "nav_active": NAV,
            "mentor": mentor,
            "skill": skill,
            "profile": profile,
            "message": message,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- a mentorship ---------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    mentorship: Mentorship,
    role: str,
    *,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    sessions = list(selectors.mentorship_sessions(mentorship=mentorship))
    skills = [mentorship.skill]
    if role in ("mentor", "mentee") and mentorship.mentor is not None:
        profile = selectors.mentor_profile_of(employee=mentorship.mentor)
        if profile:
            skills += [
                link.skill
                for link in profile.skill_links.all()
                if link.skill_id != mentorship.skill_id
            ]
    return render(
        request,
        "mentoring/mentorship.html",
        {
            "nav_active": NAV,
            "m": mentorship,
            "role": role,
            "sessions": sessions,
            "total_minutes": sum(s.duration_minutes for s in sessions),
            "show_notes": role in ("mentor", "mentee"),
            "skills": skills,
            "errors": errors or {},
            "posted": posted or {},
            "today": timezone.localdate(),
            "min_minutes": MIN_SESSION_MINUTES,
            "max_minutes": MAX_SESSION_MINUTES,
        },
        status=status,
    )


def mentorship_detail(request: HttpRequest, uid: str) -> HttpResponse:
    mentorship, role = selectors.get_mentorship_for_user(user=request.user, uid=uid)
    return _detail(request, mentorship, role)


def _pair_action(request: HttpRequest, uid: str) -> tuple[Mentorship, str, Any]:
    mentorship, role = selectors.get_mentorship_for_user(user=request.user, uid=uid)
    if role not in ("mentor", "mentee"):
        raise PermissionDenied("Only the mentor or the mentee can do this.")
    return mentorship, role, _me(request)


@require_POST
def mentorship_answer(request: HttpRequest, uid: str) -> HttpResponse:
    mentorship, role, me = _pair_action(request, uid)
    accept = request.POST.get("decision") == "accept"
    try:
        services.mentorship_answer(
            mentorship=mentorship,
            mentor=me,
            accept=accept,
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        return _detail(request, mentorship, role, errors=_errors(exc), status=400)
    messages.success(request, "You accepted the request." if accept else "You declined it.")
    return redirect("mentoring:mentorship", uid=mentorship.uid)


@require_POST
def mentorship_withdraw(request: HttpRequest, uid: str) -> HttpResponse:
    mentorship, role, me = _pair_action(request, uid)
    try:
        services.mentorship_withdraw(mentorship=mentorship, mentee=me, actor=request.user)
    except ValidationError as exc:
        return _detail(request, mentorship, role, errors=_errors(exc), status=400)
    messages.success(request, "You withdrew your request.")
    return redirect("mentoring:home")


@require_POST
def mentorship_end(request: HttpRequest, uid: str) -> HttpResponse:
    mentorship, role, me = _pair_action(request, uid)
    try:
        services.mentorship_end(
            mentorship=mentorship,
            employee=me,
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        return _detail(request, mentorship, role, errors=_errors(exc), status=400)
    messages.success(request, "The mentorship has ended. Thank you both.")
    return redirect("mentoring:mentorship", uid=mentorship.uid)


@require_POST
def session_log(request: HttpRequest, uid: str) -> HttpResponse:
    mentorship, role, me = _pair_action(request, uid)
    posted = {k: request.POST.get(k, "") for k in ("held_on", "duration_minutes", "notes", "skill")}
    skill = _skill(posted["skill"]) if posted["skill"] else None
    try:
        if posted["skill"] and skill is None:
            raise ValidationError({"skill": "Choose a skill from the list."})
        services.session_log(
            mentorship=mentorship,
            employee=me,
            held_on=posted["held_on"],
            duration_minutes=posted["duration_minutes"],
            notes=posted["notes"],
            skill=skill,
            actor=request.user,
        )
    except ValidationError as exc:
        return _detail(request, mentorship, role, errors=_errors(exc), posted=posted, status=400)
    messages.success(request, "Session logged: it is in your learning record.")
    return redirect("mentoring:mentorship", uid=mentorship.uid)


# --- mentor ---------------------------------------------------------------------------------------


def mentor(request: HttpRequest) -> HttpResponse:
    """/mentoring/mentor/: my mentor profile (opt in, change), requests to answer, my mentees."""
    me = _me(request)
    profile = selectors.mentor_profile_of(employee=me)
    options = [
        (skill, level, skill.level_name(level))
        for skill, level in services.mentor_skill_options(employee=me)
    ]
    errors: dict[str, str] = {}
    chosen = {link.skill_id for link in profile.skill_links.all()} if profile else set()
    values: dict[str, Any] = {
        "capacity": profile.capacity if profile else 2,
        "hours_per_month": profile.hours_per_month if profile else 2,
        "availability": profile.availability if profile else "",
        "languages": ", ".join(profile.languages) if profile else me.language,
        "bio": profile.bio if profile else "",
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        chosen = set()
        for raw in request.POST.getlist("skills"):
            try:
                chosen.add(int(raw))
            except ValueError:
                errors["skills"] = "Choose skills from the list."
        if not errors:
            try:
                services.mentor_profile_save(
                    employee=me, skill_ids=sorted(chosen), actor=request.user, **values
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, "Your mentor profile is saved.")
                return redirect("mentoring:mentor")
    mentorships = list(selectors.mentorships_as_mentor(employee=me)) if profile else []
    return render(
        request,
        "mentoring/mentor.html",
        {
            "nav_active": NAV,
            "me": me,
            "profile": profile,
            "options": options,
            "chosen": chosen,
            "values": values,
            "errors": errors,
            "to_answer": [m for m in mentorships if m.status == Mentorship.Status.REQUESTED],
            "mentees": [m for m in mentorships if m.status == Mentorship.Status.ACTIVE],
            "past": [m for m in mentorships if m.status == Mentorship.Status.ENDED],
            "max_capacity": MAX_CAPACITY,
            "max_hours": MAX_HOURS_PER_MONTH,
        },
        status=400 if errors else 200,
    )


@require_POST
def mentor_status(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    profile = selectors.mentor_profile_of(employee=me)
    if profile is None:
        raise Http404("You are not a mentor.")
    try:
        profile = services.mentor_status_set(
            profile=profile, status=request.POST.get("status", ""), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc).values()))
        return redirect("mentoring:mentor")
    messages.success(request, f"Your mentor profile is now: {profile.get_status_display()}.")
    return redirect("mentoring:mentor")


# --- feedback -------------------------------------------------------------------------------------


def _find_giver(value: str) -> Any:
    from trellis.people.models import Employee

    value = value.strip()
    if not value:
        return None
    return (
        Employee.objects.filter(is_active=True).filter(employee_id=value).first()
        or Employee.objects.filter(is_active=True, email__iexact=value).first()
    )


def feedback(request: HttpRequest) -> HttpResponse:
    """/mentoring/feedback/: feedback I asked for and feedback asked of me; ask someone (POST)."""
    from trellis.catalog.models import Item
    from trellis.skills.services import self_rating_skills

    me = _me(request)
    errors: dict[str, str] = {}
    posted = {k: request.POST.get(k, "") for k in ("giver", "other", "topic", "message")}
    if request.method == "POST":
        who = posted["other"] if posted["giver"] in ("", "other") else posted["giver"]
        giver = _find_giver(who)
        skill = item = None
        kind, _, ref = posted["topic"].partition(":")
        if kind == "skill":
            skill = _skill(ref)
        elif kind == "item":
            item = Item.objects.filter(pk=int(ref) if ref.isdigit() else 0).first()
        try:
            if who and giver is None:
                raise ValidationError({"giver": f"Nobody active has the email or id “{who}”."})
            if kind not in ("skill", "item") or (skill is None and item is None):
                raise ValidationError({"topic": "Choose a skill or an item you completed."})
            f = services.feedback_ask(
                learner=me,
                giver=giver,
                skill=skill,
                item=item,
                message=posted["message"],
                actor=request.user,
            )
        except ValidationError as exc:
            errors = _errors(exc)
            if "skill" in errors:
                errors["topic"] = errors.pop("skill")
            if "item" in errors:
                errors["topic"] = errors.pop("item")
        else:
            messages.success(request, f"Your request went to {giver.full_name}.")
            return redirect("mentoring:feedback_detail", uid=f.uid)
    return render(
        request,
        "mentoring/feedback.html",
        {
            "nav_active": NAV,
            "asked": list(selectors.feedback_asked_by(employee=me)),
            "received": list(selectors.feedback_asked_of(employee=me)),
            "givers": selectors.feedback_givers(employee=me),
            "skills": [(f"skill:{s.pk}", s.label) for s in self_rating_skills(employee=me)],
            "items": [(f"item:{i.pk}", i.title) for i in selectors.completed_items(employee=me)],
            "me": me,
            "posted": posted,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _feedback_page(
    request: HttpRequest,
    f: FeedbackRequest,
    side: str,
    *,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    levels = []
    if f.skill is not None:
        levels = [(n, f.skill.level_name(n)) for n in range(1, 6)]
    else:
        from trellis.skills.models import LEVELS

        levels = list(LEVELS)
    return render(
        request,
        "mentoring/feedback_detail.html",
        {
            "nav_active": NAV,
            "f": f,
            "side": side,
            "levels": levels,
            "rating_name": f.skill.level_name(f.rating) if f.skill and f.rating else "",
            "errors": errors or {},
            "posted": posted or {},
        },
        status=status,
    )


def feedback_detail(request: HttpRequest, uid: str) -> HttpResponse:
    f, side = selectors.get_feedback_for_user(user=request.user, uid=uid)
    return _feedback_page(request, f, side)


def _giver_action(request: HttpRequest, uid: str) -> tuple[FeedbackRequest, str, Any]:
    f, side = selectors.get_feedback_for_user(user=request.user, uid=uid)
    return f, side, _me(request)


@require_POST
def feedback_answer(request: HttpRequest, uid: str) -> HttpResponse:
    f, side, me = _giver_action(request, uid)
    posted = {k: request.POST.get(k, "") for k in ("rating", "comment")}
    try:
        services.feedback_answer(
            request=f,
            giver=me,
            rating=posted["rating"],
            comment=posted["comment"],
            actor=request.user,
        )
    except ValidationError as exc:
        return _feedback_page(request, f, side, errors=_errors(exc), posted=posted, status=400)
    messages.success(request, "Thank you: your feedback went to the learner.")
    return redirect("mentoring:feedback_detail", uid=f.uid)


@require_POST
def feedback_decline(request: HttpRequest, uid: str) -> HttpResponse:
    f, side, me = _giver_action(request, uid)
    try:
        services.feedback_decline(
            request=f, giver=me, note=request.POST.get("note", ""), actor=request.user
        )
    except ValidationError as exc:
        return _feedback_page(request, f, side, errors=_errors(exc), status=400)
    messages.success(request, "You declined the request.")
    return redirect("mentoring:feedback")


@require_POST
def feedback_cancel(request: HttpRequest, uid: str) -> HttpResponse:
    f, side, me = _giver_action(request, uid)
    try:
        services.feedback_cancel(request=f, learner=me, actor=request.user)
    except ValidationError as exc:
        return _feedback_page(request, f, side, errors=_errors(exc), status=400)
    messages.success(request, "You cancelled the request.")
    return redirect("mentoring:feedback")


# --- manager and L&D ------------------------------------------------------------------------------


@role_required(Role.MANAGER)
def team(request: HttpRequest) -> HttpResponse:
    """/mentoring/team/: mentorships of my reporting line (as mentee or mentor), no session notes."""
    me = _me(request)
    return render(
        request,
        "mentoring/team.html",
        {"nav_active": NAV, "rows": list(selectors.team_mentorships(manager=me))},
    )


@role_required(*ORG_READERS)
def overview(request: HttpRequest) -> HttpResponse:
    """/mentoring/overview/: counts for L&D (mentors per skill, open requests, sessions per month)."""
    return render(
        request,
        "mentoring/overview.html",
        {"nav_active": NAV, "summary": selectors.mentoring_summary()},
    )
