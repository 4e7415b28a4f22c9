"""The mentoring router of the JSON API (mounted at /api/v1/mentoring/ by config/api.py).

Scoped like the pages: a person sees their own mentorships and feedback; a mentorship's sessions
(with notes) only its pair; a manager reads their reporting line's mentorships through the pages;
L&D, executives and auditors read the counts (``/summary``). Tokens need ``mentoring:read`` or
``mentoring:write``. Bad input answers 422 naming each field (``body.<field>``) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status

from trellis.core.api_auth import require_scope
from trellis.core.permissions import ORG_READERS, Role, check_role
from trellis.core.schemas import InvalidOut
from trellis.mentoring import selectors, services
from trellis.mentoring.models import FeedbackRequest, MentoringSession, Mentorship
from trellis.mentoring.schemas import (
    AnswerIn,
    EndIn,
    FeedbackAnswerIn,
    FeedbackAskIn,
    FeedbackDeclineIn,
    FeedbackOut,
    GapOut,
    MentorshipOut,
    MentorshipRequestIn,
    SessionIn,
    SessionOut,
    SuggestionOut,
    SummaryOut,
    person,
)
from trellis.people.selectors import employee_for_user

router = Router(tags=["mentoring"])


def _me(request: HttpRequest, scope: str) -> Any:
    require_scope(request, scope)
    check_role(request.user, Role.LEARNER)
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Only employees use mentoring.")
    return me


def _invalid(exc: ValidationError, names: dict[str, str] | None = None) -> Any:
    names = names or {}
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors = [
        {"field": f"body.{names.get(field, field)}", "message": message}
        for field, messages in fields.items()
        for message in messages
    ]
    return Status(422, {"detail": "Invalid input", "errors": errors})


def _skill_ref(skill: Any) -> dict[str, Any] | None:
    if skill is None:
        return None
    return {"id": skill.pk, "uri": skill.uri, "label": skill.label}


def _mentorship(m: Mentorship, me: Any) -> dict[str, Any]:
    return {
        "id": str(m.uid),
        "role": "mentor" if m.mentor_id == me.pk else "mentee",
        "mentor": person(m.mentor, m.mentor_pseudonym),
        "mentee": person(m.mentee, m.mentee_pseudonym),
        "skill": _skill_ref(m.skill),
        "status": m.status,
        "message": m.message,
        "answer_note": m.answer_note,
        "requested_at": m.requested_at,
        "answered_at": m.answered_at,
        "ended_at": m.ended_at,
        "sessions": m.session_count if hasattr(m, "session_count") else m.sessions.count(),
        "session_minutes": getattr(m, "session_minutes", None) or 0,
    }


def _annotated(m: Mentorship) -> Mentorship:
    return selectors.mentorships_as_mentee(employee=m.mentee).filter(pk=m.pk).first() or m


def _session(s: MentoringSession, *, notes: bool) -> dict[str, Any]:
    return {
        "id": str(s.uid),
        "held_on": s.held_on,
        "duration_minutes": s.duration_minutes,
        "skill": _skill_ref(s.skill),
        "notes": s.notes if notes else None,
        "xapi_statements": [str(x) for x in (s.mentee_statement_id, s.mentor_statement_id) if x],
        "evidence_id": s.evidence_id,
    }


def _suggestion(s: selectors.Suggestion) -> dict[str, Any]:
    mentor = s.mentor
    return {
        "mentor": person(mentor),
        "department": mentor.department.name if mentor.department else None,
        "location": mentor.location.name if mentor.location else None,
        "timezone": mentor.timezone,
        "skill": _skill_ref(s.skill),
        "level": s.level,
        "level_name": s.level_name,
        "score": s.score,
        "reasons": [{"text": r.text, "points": r.points} for r in s.reasons],
        "free_places": s.free_places,
        "can_request": s.can_request,
        "hours_per_month": s.profile.hours_per_month,
        "availability": s.profile.availability,
        "languages": list(s.profile.languages),
    }


def _feedback(f: FeedbackRequest, side: str) -> dict[str, Any]:
    return {
        "id": str(f.uid),
        "side": side,
        "learner": person(f.learner, f.learner_pseudonym),
        "giver": person(f.giver, f.giver_pseudonym),
        "relation": f.relation,
        "skill": _skill_ref(f.skill),
        "item_uid": str(f.item.uid) if f.item else None,
        "item_title": f.item.title if f.item else None,
        "message": f.message,
        "status": f.status,
        "rating": f.rating,
        "comment": f.comment,
        "decline_note": f.decline_note,
        "asked_at": f.asked_at,
        "answered_at": f.answered_at,
        "evidence_id": f.evidence_id,
    }


# --- mentors --------------------------------------------------------------------------------------


@router.get("/suggestions", response=list[GapOut], summary="Mentors for my skill gaps")
def suggestions(request: HttpRequest, other_department: bool = False) -> Any:
    me = _me(request, "mentoring:read")
    return [
        {
            "skill": _skill_ref(g.skill),
            "current_level": g.current_level,
            "target_level": g.target_level,
            "mentors": [_suggestion(s) for s in g.suggestions],
        }
        for g in selectors.gap_suggestions(employee=me, prefer_other_department=other_department)
    ]


@router.get("/mentors", response=list[SuggestionOut], summary="Mentors for a skill, ranked for me")
def mentors(request: HttpRequest, skill_id: int, other_department: bool = False) -> Any:
    from trellis.skills.models import Skill
    from trellis.skills.selectors import skill_detail

    me = _me(request, "mentoring:read")
    try:
        skill = skill_detail(skill_id=skill_id)
    except Skill.DoesNotExist:
        raise Http404("No such skill.") from None
    found = selectors.mentors_for_skill(
        employee=me, skill=skill, prefer_other_department=other_department
    )
    return [_suggestion(s) for s in found]


# --- mentorships ----------------------------------------------------------------------------------


@router.get("/mentorships", response=list[MentorshipOut], summary="My mentorships (both sides)")
def my_mentorships(request: HttpRequest) -> Any:
    me = _me(request, "mentoring:read")
    rows = list(selectors.mentorships_as_mentee(employee=me)) + list(
        selectors.mentorships_as_mentor(employee=me)
    )
    rows.sort(key=lambda m: (m.requested_at, m.pk), reverse=True)
    return [_mentorship(m, me) for m in rows]


@router.post(
    "/mentorships",
    response={201: MentorshipOut, 422: InvalidOut},
    summary="Ask a mentor to mentor me in a skill",
)
def request_mentorship(request: HttpRequest, payload: MentorshipRequestIn) -> Any:
    from trellis.people.models import Employee
    from trellis.skills.models import Skill

    me = _me(request, "mentoring:write")
    mentor = Employee.objects.filter(employee_id=payload.mentor_employee_id, is_active=True).first()
    skill = Skill.objects.filter(pk=payload.skill_id).select_related("family").first()
    try:
        if mentor is None:
            raise ValidationError({"mentor": "No active mentor has this employee id."})
        if skill is None:
            raise ValidationError({"skill": "No such skill."})
        m = services.mentorship_request(
            mentee=me, mentor=mentor, skill=skill, message=payload.message, actor=request.user
        )
    except ValidationError as exc:
        return _invalid(exc, {"mentor": "mentor_employee_id", "skill": "skill_id"})
    return Status(201, _mentorship(_annotated(m), me))


def _pair(request: HttpRequest, uid: str, scope: str) -> tuple[Mentorship, str, Any]:
    me = _me(request, scope)
    mentorship, role = selectors.get_mentorship_for_user(user=request.user, uid=uid)
    return mentorship, role, me


@router.post(
    "/mentorships/{uid}/answer",
    response={200: MentorshipOut, 422: InvalidOut},
    summary="Accept or decline a request (the mentor)",
)
def answer(request: HttpRequest, uid: str, payload: AnswerIn) -> Any:
    mentorship, _role, me = _pair(request, uid, "mentoring:write")
    try:
        m = services.mentorship_answer(
            mentorship=mentorship,
            mentor=me,
            accept=payload.accept,
            note=payload.note,
            actor=request.user,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _mentorship(_annotated(m), me))


@router.post(
    "/mentorships/{uid}/end",
    response={200: MentorshipOut, 422: InvalidOut},
    summary="End an active mentorship (either of the pair)",
)
def end(request: HttpRequest, uid: str, payload: EndIn) -> Any:
    mentorship, _role, me = _pair(request, uid, "mentoring:write")
    try:
        m = services.mentorship_end(
            mentorship=mentorship, employee=me, note=payload.note, actor=request.user
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _mentorship(_annotated(m), me))


@router.get(
    "/mentorships/{uid}/sessions",
    response=list[SessionOut],
    summary="Sessions of a mentorship (notes only for the pair)",
)
def sessions(request: HttpRequest, uid: str) -> Any:
    mentorship, role, _ = _pair(request, uid, "mentoring:read")
    notes = role in ("mentor", "mentee")
    return [_session(s, notes=notes) for s in selectors.mentorship_sessions(mentorship=mentorship)]


@router.post(
    "/mentorships/{uid}/sessions",
    response={201: SessionOut, 422: InvalidOut},
    summary="Log a session (the mentor or the mentee)",
)
def log_session(request: HttpRequest, uid: str, payload: SessionIn) -> Any:
    from trellis.skills.models import Skill

    mentorship, _role, me = _pair(request, uid, "mentoring:write")
    skill = None
    try:
        if payload.skill_id is not None:
            skill = Skill.objects.filter(pk=payload.skill_id).first()
            if skill is None:
                raise ValidationError({"skill": "No such skill."})
        s = services.session_log(
            mentorship=mentorship,
            employee=me,
            held_on=payload.held_on,
            duration_minutes=payload.duration_minutes,
            notes=payload.notes,
            skill=skill,
            actor=request.user,
        )
    except ValidationError as exc:
        return _invalid(exc, {"skill": "skill_id"})
    return Status(201, _session(s, notes=True))


# --- feedback -------------------------------------------------------------------------------------


@router.get("/feedback", response=list[FeedbackOut], summary="Feedback I asked for and was asked")
def my_feedback(request: HttpRequest) -> Any:
    me = _me(request, "mentoring:read")
    return [_feedback(f, "learner") for f in selectors.feedback_asked_by(employee=me)] + [
        _feedback(f, "giver") for f in selectors.feedback_asked_of(employee=me)
    ]


@router.post(
    "/feedback",
    response={201: FeedbackOut, 422: InvalidOut},
    summary="Ask a colleague for feedback on a skill or a completed item",
)
def ask_feedback(request: HttpRequest, payload: FeedbackAskIn) -> Any:
    from trellis.catalog.models import Item
    from trellis.people.models import Employee
    from trellis.skills.models import Skill

    me = _me(request, "mentoring:write")
    giver = Employee.objects.filter(employee_id=payload.giver_employee_id, is_active=True).first()
    try:
        skill = item = None
        if payload.skill_id is not None:
            skill = Skill.objects.filter(pk=payload.skill_id).first()
            if skill is None:
                raise ValidationError({"skill": "No such skill."})
        if payload.item_uid:
            try:
                item = Item.objects.filter(uid=payload.item_uid).first()
            except (ValueError, ValidationError):
                item = None
            if item is None:
                raise ValidationError({"item": "No such item."})
        if giver is None:
            raise ValidationError({"giver": "No active colleague has this employee id."})
        f = services.feedback_ask(
            learner=me,
            giver=giver,
            skill=skill,
            item=item,
            message=payload.message,
            actor=request.user,
        )
    except ValidationError as exc:
        return _invalid(
            exc, {"giver": "giver_employee_id", "skill": "skill_id", "item": "item_uid"}
        )
    return Status(201, _feedback(f, "learner"))


@router.post(
    "/feedback/{uid}/answer",
    response={200: FeedbackOut, 422: InvalidOut},
    summary="Answer a feedback request (the person asked)",
)
def answer_feedback(request: HttpRequest, uid: str, payload: FeedbackAnswerIn) -> Any:
    me = _me(request, "mentoring:write")
    f, side = selectors.get_feedback_for_user(user=request.user, uid=uid)
    try:
        f = services.feedback_answer(
            request=f, giver=me, rating=payload.rating, comment=payload.comment, actor=request.user
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _feedback(f, side))


@router.post(
    "/feedback/{uid}/decline",
    response={200: FeedbackOut, 422: InvalidOut},
    summary="Decline a feedback request (the person asked)",
)
def decline_feedback(request: HttpRequest, uid: str, payload: FeedbackDeclineIn) -> Any:
    me = _me(request, "mentoring:write")
    f, side = selectors.get_feedback_for_user(user=request.user, uid=uid)
    try:
        f = services.feedback_decline(request=f, giver=me, note=payload.note, actor=request.user)
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200, _feedback(f, side))


# --- L&D ------------------------------------------------------------------------------------------


@router.get("/summary", response=SummaryOut, summary="Counts for L&D (no names, no notes)")
def summary(request: HttpRequest) -> Any:
    require_scope(request, "mentoring:read")
    check_role(request.user, *ORG_READERS)
    return selectors.mentoring_summary()
