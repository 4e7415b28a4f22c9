"""Reads of mentoring and feedback, scoped to who asks.

Who sees what:
- a mentorship: its mentor and mentee (with session notes); the managers above either of them see it
  without the notes; anyone else gets 404;
- a feedback request: the learner and the person asked; anyone else gets 404 (the learner's manager
  sees the resulting skill evidence on the skills profile, not the comment);
- counts for L&D: ``mentoring_summary``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from trellis.mentoring.models import (
    MIN_MENTOR_LEVEL,
    FeedbackRequest,
    MentoringSession,
    MentorProfile,
    Mentorship,
    MentorSkill,
)
from trellis.people.selectors import employee_for_user

#: Points of the suggestion score (see README: "How mentors are ranked").
POINTS_PER_LEVEL = 10
POINTS_REACHES_TARGET = 10
POINTS_SAME_LOCATION = 15
POINTS_SAME_TIMEZONE = 12
POINTS_NEAR_TIMEZONE = 8
NEAR_TIMEZONE_HOURS = 3
POINTS_LANGUAGE = 5
POINTS_PER_FREE_PLACE = 5
MAX_FREE_PLACE_POINTS = 15
POINTS_OTHER_DEPARTMENT = 5
SUGGESTIONS_PER_SKILL = 5


@dataclass
class Reason:
    text: str
    points: int


@dataclass
class Suggestion:
    """One mentor for one skill, with the score and every reason that makes it up."""

    mentor: Any
    profile: MentorProfile
    skill: Any
    level: int
    level_name: str
    free_places: int
    is_manager: bool
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.points for r in self.reasons)

    @property
    def can_request(self) -> bool:
        return self.free_places > 0


@dataclass
class GapSuggestions:
    skill: Any
    current_level: int | None
    target_level: int | None
    current_name: str
    target_name: str
    suggestions: list[Suggestion]


# --- helpers --------------------------------------------------------------------------------------


def latest_levels(*, employee_ids: list[int], skill_ids: list[int]) -> dict[tuple[int, int], int]:
    """The current level (latest evidence of any kind: latest ``observed_on``, then latest id: the rule
    of ``skills.selectors.latest_evidence_by_skill``) of many people in many skills, in one query."""
    from trellis.skills.models import SkillEvidence

    if not employee_ids or not skill_ids:
        return {}
    rows = (
        SkillEvidence.objects.filter(employee_id__in=employee_ids, skill_id__in=skill_ids)
        .order_by("employee_id", "skill_id", "-observed_on", "-id")
        .values_list("employee_id", "skill_id", "level")
    )
    latest: dict[tuple[int, int], int] = {}
    for employee_id, skill_id, level in rows:
        latest.setdefault((employee_id, skill_id), level)
    return latest


def _utc_offset_hours(name: str, when: dt.datetime) -> float | None:
    try:
        offset = when.astimezone(ZoneInfo(name or "UTC")).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return offset.total_seconds() / 3600 if offset is not None else None


def _hours(value: float) -> str:
    text = f"{value:g}"
    return f"{text} hour" + ("" if value == 1 else "s")


def _active_counts(mentor_ids: list[int]) -> dict[int, int]:
    return dict(
        Mentorship.objects.filter(mentor_id__in=mentor_ids, status=Mentorship.Status.ACTIVE)
        .values("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )


def _manager_ids(employee: Any) -> set[int]:
    return {int(p) for p in (employee.manager_path or "").strip("/").split("/") if p} - {
        employee.pk
    }


def mentor_candidates(
    *,
    learner: Any,
    skills: list[Any],
    learner_levels: dict[int, int | None] | None = None,
    targets: dict[int, int | None] | None = None,
    prefer_other_department: bool = False,
    include_full: bool = False,
    limit: int | None = SUGGESTIONS_PER_SKILL,
) -> dict[int, list[Suggestion]]:
    """Mentors for each of ``skills`` ranked by a transparent score (each reason with its points).

    A mentor qualifies for a skill when they are open to mentees, mentor that skill, and their
    current level is at least 3 and above the learner's. Full mentors are left out unless
    ``include_full``. The learner's manager (anyone above them) comes only when nobody else does.
    About six queries whatever the number of skills and mentors.
    """
    skill_ids = [s.pk for s in skills]
    if learner_levels is None:
        mine = latest_levels(employee_ids=[learner.pk], skill_ids=skill_ids)
        learner_levels = {sid: mine.get((learner.pk, sid)) for sid in skill_ids}
    targets = targets or {}
    links = list(
        MentorSkill.objects.filter(
            skill_id__in=skill_ids,
            profile__status=MentorProfile.Status.ACTIVE,
            profile__employee__is_active=True,
        )
        .exclude(profile__employee_id=learner.pk)
        .select_related(
            "profile__employee__location",
            "profile__employee__department",
            "profile__employee__job_role",
        )
        .order_by("profile__employee__full_name", "profile_id")
    )
    mentor_ids = sorted({link.profile.employee_id for link in links})
    levels = latest_levels(employee_ids=mentor_ids, skill_ids=skill_ids)
    active = _active_counts(mentor_ids)
    taken = set(
        Mentorship.objects.filter(
            mentee_id=learner.pk, skill_id__in=skill_ids, status__in=Mentorship.OPEN
        ).values_list("mentor_id", "skill_id")
    )
    managers = _manager_ids(learner)
    now = timezone.now()
    my_offset = _utc_offset_hours(learner.timezone, now)
    my_language = (learner.language or "").split("-")[0].lower()
    by_skill = {s.pk: s for s in skills}
    result: dict[int, list[Suggestion]] = {sid: [] for sid in skill_ids}
    for link in links:
        mentor = link.profile.employee
        skill = by_skill[link.skill_id]
        level = levels.get((mentor.pk, skill.pk))
        mine_level = learner_levels.get(skill.pk) or 0
        if level is None or level < MIN_MENTOR_LEVEL or level <= mine_level:
            continue
        if (mentor.pk, skill.pk) in taken:
            continue
        free = max(0, link.profile.capacity - active.get(mentor.pk, 0))
        if not free and not include_full:
            continue
        s = Suggestion(
            mentor=mentor,
            profile=link.profile,
            skill=skill,
            level=level,
            level_name=skill.level_name(level),
            free_places=free,
            is_manager=mentor.pk in managers,
        )
        above = level - mine_level
        yours = skill.level_name(mine_level) if mine_level else "no evidence yet"
        s.reasons.append(
            Reason(
                f"{s.level_name} (level {level}) in {skill.label}: {above} level"
                f"{'s' if above != 1 else ''} above yours ({yours})",
                POINTS_PER_LEVEL * above,
            )
        )
        target = targets.get(skill.pk)
        if target and level >= target:
            s.reasons.append(
                Reason(
                    f"Has reached the level your role asks for ({skill.level_name(target)})",
                    POINTS_REACHES_TARGET,
                )
            )
        if mentor.location is not None and mentor.location_id == learner.location_id:
            s.reasons.append(
                Reason(f"Works in {mentor.location.name}, like you", POINTS_SAME_LOCATION)
            )
        else:
            theirs = _utc_offset_hours(mentor.timezone, now)
            if theirs is not None and my_offset is not None:
                gap = abs(theirs - my_offset)
                if gap == 0:
                    s.reasons.append(
                        Reason(f"Same time zone as you ({mentor.timezone})", POINTS_SAME_TIMEZONE)
                    )
                elif gap <= NEAR_TIMEZONE_HOURS:
                    s.reasons.append(
                        Reason(
                            f"Time zone {_hours(gap)} from yours ({mentor.timezone})",
                            POINTS_NEAR_TIMEZONE,
                        )
                    )
                else:
                    s.reasons.append(
                        Reason(f"Time zone {_hours(gap)} from yours ({mentor.timezone})", 0)
                    )
        languages = [str(code).split("-")[0].lower() for code in link.profile.languages]
        if my_language and my_language in languages:
            s.reasons.append(Reason(f"Mentors in your language ({my_language})", POINTS_LANGUAGE))
        s.reasons.append(
            Reason(
                f"{free} of {link.profile.capacity} place{'s' if link.profile.capacity != 1 else ''}"
                " free",
                min(MAX_FREE_PLACE_POINTS, POINTS_PER_FREE_PLACE * free),
            )
        )
        if prefer_other_department and mentor.department_id != learner.department_id:
            name = mentor.department.name if mentor.department else "another department"
            s.reasons.append(Reason(f"From another department ({name})", POINTS_OTHER_DEPARTMENT))
        result[skill.pk].append(s)
    for sid, rows in result.items():
        others = [s for s in rows if not s.is_manager]
        if others:
            rows = others
        else:
            for s in rows:
                s.reasons.append(
                    Reason("Your manager: suggested because nobody else mentors this skill", 0)
                )
        rows.sort(key=lambda s: (-s.score, -s.free_places, s.mentor.full_name, s.mentor.pk))
        result[sid] = rows[:limit] if limit else rows
    return result


# --- learner --------------------------------------------------------------------------------------


def learner_gaps(*, employee: Any) -> list[Any]:
    """The learner's gaps (``skills.selectors.employee_skill_profile``: role profile against their
    latest evidence), essential first, biggest gap first."""
    from trellis.skills.selectors import employee_skill_profile

    profile = employee_skill_profile(employee=employee)
    lines = [line for line in profile.role_lines + profile.ai_literacy if line.gap]
    return sorted(lines, key=lambda line: (not line.is_essential, -line.gap, line.label))


def gap_suggestions(
    *, employee: Any, max_gaps: int = 6, prefer_other_department: bool = False
) -> list[GapSuggestions]:
    """Suggested mentors for each of the learner's biggest gaps (about ten queries)."""
    from trellis.skills.models import Skill

    gaps = learner_gaps(employee=employee)[:max_gaps]
    if not gaps:
        return []
    skills = {
        s.pk: s
        for s in Skill.objects.filter(pk__in=[g.skill_id for g in gaps]).select_related("family")
    }
    found = mentor_candidates(
        learner=employee,
        skills=[skills[g.skill_id] for g in gaps],
        learner_levels={g.skill_id: g.current_level for g in gaps},
        targets={g.skill_id: g.target_level for g in gaps},
        prefer_other_department=prefer_other_department,
    )
    out = []
    for g in gaps:
        skill = skills[g.skill_id]
        out.append(
            GapSuggestions(
                skill=skill,
                current_level=g.current_level,
                target_level=g.target_level,
                current_name=skill.level_name(g.current_level) if g.current_level else "none yet",
                target_name=skill.level_name(g.target_level) if g.target_level else "",
                suggestions=found[skill.pk],
            )
        )
    return out


def mentors_for_skill(
    *, employee: Any, skill: Any, prefer_other_department: bool = False
) -> list[Suggestion]:
    """Search by skill: every mentor of ``skill`` for this learner, ranked; full ones included
    (they cannot be requested until a place frees up)."""
    from trellis.skills.models import RoleSkill

    target = (
        RoleSkill.objects.filter(job_role_id=employee.job_role_id, skill=skill)
        .values_list("target_level", flat=True)
        .first()
        if employee.job_role_id
        else None
    )
    return mentor_candidates(
        learner=employee,
        skills=[skill],
        targets={skill.pk: target},
        prefer_other_department=prefer_other_department,
        include_full=True,
        limit=None,
    )[skill.pk]


def mentored_skills() -> QuerySet[Any]:
    """Skills someone is open to mentor, with how many mentors (for the search page)."""
    from trellis.skills.models import Skill

    return (
        Skill.objects.filter(
            pk__in=MentorSkill.objects.filter(
                profile__status=MentorProfile.Status.ACTIVE, profile__employee__is_active=True
            ).values("skill_id")
        )
        .select_related("family")
        .order_by("label")
    )


def _mentorships() -> QuerySet[Mentorship]:
    return Mentorship.objects.select_related(
        "mentor__department", "mentee__department", "skill__family"
    ).annotate(
        session_count=Count("sessions"),
        session_minutes=Sum("sessions__duration_minutes"),
    )


def mentorships_as_mentee(*, employee: Any) -> QuerySet[Mentorship]:
    return _mentorships().filter(mentee=employee).order_by("-requested_at", "-id")


def mentorships_as_mentor(*, employee: Any) -> QuerySet[Mentorship]:
    return _mentorships().filter(mentor=employee).order_by("-requested_at", "-id")


def sessions_of(*, employee: Any, limit: int = 20) -> QuerySet[MentoringSession]:
    """Sessions in the person's mentorships (as mentor or mentee), newest first."""
    return (
        MentoringSession.objects.filter(
            Q(mentorship__mentee=employee) | Q(mentorship__mentor=employee)
        )
        .select_related("mentorship__mentor", "mentorship__mentee", "skill")
        .order_by("-held_on", "-id")[:limit]
    )


def mentor_profile_of(*, employee: Any) -> MentorProfile | None:
    return (
        MentorProfile.objects.filter(employee=employee)
        .prefetch_related("skill_links__skill__family")
        .first()
    )


def get_mentorship_for_user(*, user: Any, uid: Any) -> tuple[Mentorship, str]:
    """A mentorship and how ``user`` relates to it: "mentor", "mentee" or "manager" (sees no session
    notes). 404 for anyone else, whether it exists or not."""
    me = employee_for_user(user)
    try:
        mentorship = Mentorship.objects.select_related(
            "mentor__department", "mentee__department", "skill__family"
        ).get(uid=uid)
    except (Mentorship.DoesNotExist, ValueError, TypeError):
        raise Http404("No such mentorship.") from None
    if me is None:
        raise Http404("No such mentorship.")
    if mentorship.mentor_id == me.pk:
        return mentorship, "mentor"
    if mentorship.mentee_id == me.pk:
        return mentorship, "mentee"
    for person in (mentorship.mentee, mentorship.mentor):
        if person is not None and person.is_active and me.pk in _manager_ids(person):
            return mentorship, "manager"
    raise Http404("No such mentorship.")


def mentorship_sessions(*, mentorship: Mentorship) -> QuerySet[MentoringSession]:
    return mentorship.sessions.select_related("skill", "logged_by").order_by("-held_on", "-id")


def team_mentorships(*, manager: Any) -> QuerySet[Mentorship]:
    """Mentorships (requested, active, ended) of the people below ``manager``, as mentee or mentor."""
    below = Q(manager_path__startswith=manager.manager_path) & ~Q(pk=manager.pk)
    from trellis.people.models import Employee

    ids = Employee.objects.filter(below, is_active=True).values("pk")
    return (
        _mentorships()
        .filter(Q(mentee_id__in=ids) | Q(mentor_id__in=ids))
        .exclude(status__in=[Mentorship.Status.WITHDRAWN])
        .order_by("mentee__full_name", "-requested_at", "-id")
    )


# --- feedback -------------------------------------------------------------------------------------


def _feedback() -> QuerySet[FeedbackRequest]:
    return FeedbackRequest.objects.select_related("learner", "giver", "skill__family", "item")


def feedback_asked_by(*, employee: Any) -> QuerySet[FeedbackRequest]:
    return _feedback().filter(learner=employee).order_by("-asked_at", "-id")


def feedback_asked_of(*, employee: Any) -> QuerySet[FeedbackRequest]:
    return (
        _feedback()
        .filter(giver=employee)
        .order_by(
            # waiting first
            "-status",
            "-asked_at",
            "-id",
        )
    )


def get_feedback_for_user(*, user: Any, uid: Any) -> tuple[FeedbackRequest, str]:
    """A feedback request and ``user``'s side of it ("learner" or "giver"); 404 for anyone else."""
    me = employee_for_user(user)
    try:
        request = _feedback().get(uid=uid)
    except (FeedbackRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such feedback request.") from None
    if me is not None and request.learner_id == me.pk:
        return request, "learner"
    if me is not None and request.giver_id == me.pk:
        return request, "giver"
    raise Http404("No such feedback request.")


def completed_items(*, employee: Any, limit: int = 50) -> list[Any]:
    """Items the learner completed or passed (the LRS projection), newest first: what they may ask
    feedback on."""
    from trellis.lrs.models import Progress

    rows = (
        Progress.objects.filter(
            employee=employee,
            item__isnull=False,
            status__in=[Progress.Status.COMPLETED, Progress.Status.PASSED],
        )
        .select_related("item")
        .order_by("-completed_at", "-id")[:limit]
    )
    return [row.item for row in rows]


def feedback_givers(*, employee: Any) -> list[Any]:
    """Who the ask form offers first: the manager, then the peers (same manager)."""
    from trellis.people.models import Employee

    people = []
    if employee.manager_id:
        people = list(
            Employee.objects.filter(
                Q(pk=employee.manager_id) | Q(manager_id=employee.manager_id), is_active=True
            )
            .exclude(pk=employee.pk)
            .order_by("full_name")
        )
        people.sort(key=lambda e: (e.pk != employee.manager_id, e.full_name))
    return people


# --- L&D ------------------------------------------------------------------------------------------


def mentoring_summary(*, employee_ids: list[int] | None = None) -> dict[str, Any]:
    """Counts for insights and L&D: mentors per skill, requests, mentorships, sessions per month,
    feedback. With ``employee_ids``: mentors among them, and mentorships, sessions and feedback whose
    mentee (learner) is among them. JSON-serialisable."""
    profiles = MentorProfile.objects.filter(employee__is_active=True)
    mentorships = Mentorship.objects.all()
    sessions = MentoringSession.objects.all()
    feedback = FeedbackRequest.objects.all()
    if employee_ids is not None:
        ids = list(employee_ids)
        profiles = profiles.filter(employee_id__in=ids)
        mentorships = mentorships.filter(mentee_id__in=ids)
        sessions = sessions.filter(mentorship__mentee_id__in=ids)
        feedback = feedback.filter(learner_id__in=ids)
    status_counts = dict(
        profiles.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    per_skill = (
        MentorSkill.objects.filter(profile__in=profiles.filter(status=MentorProfile.Status.ACTIVE))
        .values("skill_id", "skill__label", "skill__uri")
        .annotate(mentors=Count("profile", distinct=True))
        .order_by("-mentors", "skill__label")
    )
    m_counts = dict(mentorships.values("status").annotate(n=Count("id")).values_list("status", "n"))
    months = (
        sessions.annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(sessions=Count("id"), minutes=Sum("duration_minutes"))
        .order_by("month")
    )
    f_counts = dict(feedback.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "mentors": {
            "active": status_counts.get(MentorProfile.Status.ACTIVE, 0),
            "paused": status_counts.get(MentorProfile.Status.PAUSED, 0),
            "stopped": status_counts.get(MentorProfile.Status.STOPPED, 0),
        },
        "mentors_per_skill": [
            {
                "skill_id": row["skill_id"],
                "skill": row["skill__label"],
                "uri": row["skill__uri"],
                "mentors": row["mentors"],
            }
            for row in per_skill
        ],
        "open_requests": m_counts.get(Mentorship.Status.REQUESTED, 0),
        "mentorships": {status: m_counts.get(status, 0) for status in Mentorship.Status.values},
        "sessions_per_month": [
            {
                "month": (
                    row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
                ).strftime("%Y-%m"),
                "sessions": row["sessions"],
                "minutes": row["minutes"] or 0,
            }
            for row in months
        ],
        "feedback": {status: f_counts.get(status, 0) for status in FeedbackRequest.Status.values},
    }
