"""The privacy contract of mentoring, used by governance for data export and erasure.

- ``export_data(*, employee) -> dict``: everything mentoring holds about a person, JSON-serialisable.
- ``erase_data(*, employee, pseudonym) -> dict[str, int]``: removes the person's free text (and the
  notes of every session of their mentorships, which were private to the pair), deletes their mentor
  profile, and detaches their identity (the link becomes the pseudonym); rows stay, so counts stay.

The skill evidence and xAPI statements that sessions and feedback produced belong to the skills app
and the LRS; governance erases those through their own contracts.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from trellis.mentoring.models import FeedbackRequest, MentoringSession, MentorProfile, Mentorship


def _dt(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _name(person: Any, pseudonym: str) -> str:
    return person.full_name if person is not None else pseudonym


def export_data(*, employee: Any) -> dict[str, Any]:
    profile = (
        MentorProfile.objects.filter(employee=employee)
        .prefetch_related("skill_links__skill")
        .first()
    )
    mentorships = list(
        Mentorship.objects.filter(Q(mentor=employee) | Q(mentee=employee))
        .select_related("mentor", "mentee", "skill")
        .order_by("requested_at", "id")
    )
    sessions = (
        MentoringSession.objects.filter(mentorship__in=mentorships)
        .select_related("skill")
        .order_by("held_on", "id")
    )
    by_mentorship: dict[int, list[dict[str, Any]]] = {}
    for s in sessions:
        by_mentorship.setdefault(s.mentorship_id, []).append(
            {
                "id": str(s.uid),
                "held_on": s.held_on.isoformat(),
                "duration_minutes": s.duration_minutes,
                "skill": s.skill.uri,
                "notes": s.notes,
                "logged_by_me": s.logged_by_id == employee.pk,
                "xapi_statements": [
                    str(x) for x in (s.mentee_statement_id, s.mentor_statement_id) if x
                ],
            }
        )
    feedback = (
        FeedbackRequest.objects.filter(Q(learner=employee) | Q(giver=employee))
        .select_related("learner", "giver", "skill", "item")
        .order_by("asked_at", "id")
    )

    def feedback_row(f: FeedbackRequest) -> dict[str, Any]:
        return {
            "id": str(f.uid),
            "learner": _name(f.learner, f.learner_pseudonym),
            "giver": _name(f.giver, f.giver_pseudonym),
            "relation": f.relation,
            "skill": f.skill.uri if f.skill else None,
            "item": str(f.item.uid) if f.item else None,
            "message": f.message,
            "status": f.status,
            "rating": f.rating,
            "comment": f.comment,
            "decline_note": f.decline_note,
            "asked_at": _dt(f.asked_at),
            "answered_at": _dt(f.answered_at),
        }

    return {
        "mentor_profile": None
        if profile is None
        else {
            "status": profile.status,
            "capacity": profile.capacity,
            "hours_per_month": profile.hours_per_month,
            "availability": profile.availability,
            "languages": list(profile.languages),
            "bio": profile.bio,
            "skills": sorted(link.skill.uri for link in profile.skill_links.all()),
            "created_at": _dt(profile.created_at),
        },
        "mentorships": [
            {
                "id": str(m.uid),
                "role": "mentor" if m.mentor_id == employee.pk else "mentee",
                "mentor": _name(m.mentor, m.mentor_pseudonym),
                "mentee": _name(m.mentee, m.mentee_pseudonym),
                "skill": m.skill.uri,
                "status": m.status,
                "message": m.message,
                "answer_note": m.answer_note,
                "end_note": m.end_note,
                "requested_at": _dt(m.requested_at),
                "answered_at": _dt(m.answered_at),
                "ended_at": _dt(m.ended_at),
                "sessions": by_mentorship.get(m.pk, []),
            }
            for m in mentorships
        ],
        "feedback_asked": [feedback_row(f) for f in feedback if f.learner_id == employee.pk],
        "feedback_given": [feedback_row(f) for f in feedback if f.giver_id == employee.pk],
    }


@transaction.atomic
def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    pseudonym = pseudonym[:64]
    counts: dict[str, int] = {}
    counts["mentor_profiles"], _ = MentorProfile.objects.filter(employee=employee).delete()
    counts["mentor_profiles"] = min(counts["mentor_profiles"], 1)
    theirs = Mentorship.objects.filter(Q(mentor=employee) | Q(mentee=employee))
    counts["session_notes"] = (
        MentoringSession.objects.filter(mentorship__in=theirs).exclude(notes="").update(notes="")
    )
    counts["sessions_detached"] = MentoringSession.objects.filter(logged_by=employee).update(
        logged_by=None
    )
    counts["mentorships_as_mentee"] = Mentorship.objects.filter(mentee=employee).update(
        mentee=None, mentee_pseudonym=pseudonym, message=""
    )
    counts["mentorships_as_mentor"] = Mentorship.objects.filter(mentor=employee).update(
        mentor=None, mentor_pseudonym=pseudonym, answer_note=""
    )
    # end notes may have been written by either of the pair: they go with either's erasure
    counts["end_notes"] = (
        Mentorship.objects.filter(
            Q(mentee_pseudonym=pseudonym, mentee__isnull=True)
            | Q(mentor_pseudonym=pseudonym, mentor__isnull=True)
        )
        .exclude(end_note="")
        .update(end_note="")
    )
    counts["feedback_asked"] = FeedbackRequest.objects.filter(learner=employee).update(
        learner=None, learner_pseudonym=pseudonym, message="", comment=""
    )
    counts["feedback_given"] = FeedbackRequest.objects.filter(giver=employee).update(
        giver=None, giver_pseudonym=pseudonym, comment="", decline_note=""
    )
    return counts
