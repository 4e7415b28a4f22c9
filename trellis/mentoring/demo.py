"""The mentoring part of the demo organisation (a step of trellis.core.demo.DEMO_STEPS).

About 40 mentors across the organisation for AI literacy and technical skills (people whose evidence
is at level 4 or above, picked with a fixed seed, at least two for each of Sam's gaps); Sam has an
active mentorship with three logged sessions and a request waiting elsewhere; Sam's mentor has a
request from someone else to answer; Sam mentors one skill himself and has a request to answer;
Priya gave Sam feedback on a skill, Sam waits for a peer's; a report of Priya's waits for hers; and
about fifteen other mentorships with sessions over the last four months feed the L&D counts.
Everything goes through the services (notifications and xAPI statements included). Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from trellis.mentoring import selectors, services
from trellis.mentoring.models import MIN_MENTOR_LEVEL, MentorProfile, Mentorship

SEED = 6
MENTORS = 40
OTHER_MENTORSHIPS = 15
AVAILABILITY = [
    "Tuesday and Thursday mornings",
    "Friday afternoons",
    "Any weekday, 16:00-17:30",
    "Monday lunchtime",
    "Wednesdays, flexible",
    "Early mornings before stand-up",
]
MESSAGES = [
    "I would like to get more confident with this in my daily work.",
    "Could we meet a few times this quarter? I have a project where I need it.",
    "My role profile asks for this and I keep getting stuck.",
]
SESSION_NOTES = [
    "Went through a real example from my work; homework: try it on next week's report.",
    "Reviewed what I tried since last time; discussed common mistakes.",
    "Paired on a small task; agreed on two things to practise.",
]


def _say(stdout: TextIO | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def _backdate(mentorship: Mentorship, days: int, answered_days: int | None = None) -> None:
    now = timezone.now()
    Mentorship.objects.filter(pk=mentorship.pk).update(
        requested_at=now - dt.timedelta(days=days),
        answered_at=None if answered_days is None else now - dt.timedelta(days=answered_days),
    )
    mentorship.refresh_from_db()


def _summary() -> dict[str, Any]:
    data = selectors.mentoring_summary()
    return {
        "mentors": data["mentors"]["active"],
        "open_requests": data["open_requests"],
        "active_mentorships": data["mentorships"]["active"],
        "sessions": sum(row["sessions"] for row in data["sessions_per_month"]),
        "feedback": sum(data["feedback"].values()),
    }


@transaction.atomic
def build_demo(*, stdout: TextIO | None = None) -> dict[str, Any]:
    from trellis.people.models import Employee
    from trellis.skills.ai_literacy import FAMILY_SLUG
    from trellis.skills.models import Skill

    if MentorProfile.objects.exists():
        return {**_summary(), "created": 0}
    sam = Employee.objects.filter(user__username="sam").select_related("manager").first()
    priya = Employee.objects.filter(user__username="priya").first()
    if sam is None or priya is None:
        _say(stdout, "    no demo organisation: skipped")
        return {"created": 0}
    rng = random.Random(SEED)
    today = timezone.localdate()

    # --- mentors: AI literacy and the technical skills of Sam's role ------------------------------
    gaps = selectors.learner_gaps(employee=sam)
    ai_ids = list(Skill.objects.filter(family__slug=FAMILY_SLUG).values_list("pk", flat=True))
    tech_ids = [g.skill_id for g in gaps if g.skill_id not in ai_ids]
    skill_ids = sorted(set(ai_ids) | set(tech_ids))
    logins = set(
        Employee.objects.filter(
            user__username__in=["sam", "lena", "daniel", "alex", "priya"]
        ).values_list("pk", flat=True)
    )
    people = {
        e.pk: e
        for e in Employee.objects.filter(is_active=True, user__is_active=True)
        .exclude(pk__in=logins)
        .order_by("pk")
    }
    levels = selectors.latest_levels(employee_ids=sorted(people), skill_ids=skill_ids)
    strong: dict[int, list[int]] = {}
    ai = set(ai_ids)
    for (employee_id, skill_id), level in sorted(levels.items()):
        # AI literacy is widely evidenced: its mentors are at 4 or above; the technical skills of
        # the data roles are rarer: the minimum mentoring level (3) is enough
        if level >= (4 if skill_id in ai else MIN_MENTOR_LEVEL):
            strong.setdefault(employee_id, []).append(skill_id)
    chosen: list[int] = []
    sam_levels = {g.skill_id: g.current_level or 0 for g in gaps}
    for gap in gaps:  # at least two mentors above Sam for each of his gaps that anyone has
        able = [pk for pk in sorted(strong) if gap.skill_id in strong[pk] and pk not in chosen]
        rng.shuffle(able)
        chosen += able[:2]
    rest = [pk for pk in sorted(strong) if pk not in chosen]
    rng.shuffle(rest)
    chosen += rest[: max(0, MENTORS - len(chosen))]
    chosen = chosen[:MENTORS]
    for pk in chosen:
        person = people[pk]
        mine = strong[pk]
        skills = sorted(rng.sample(mine, min(len(mine), 4)))
        for gap in gaps:  # keep the gap skill that made them a mentor
            if gap.skill_id in mine and gap.skill_id not in skills:
                skills[-1] = gap.skill_id
                break
        languages = [person.language] + (["en"] if person.language != "en" else [])
        services.mentor_profile_save(
            employee=person,
            skill_ids=skills,
            capacity=rng.choice([1, 2, 2, 3]),
            hours_per_month=rng.choice([2, 3, 4, 6]),
            availability=rng.choice(AVAILABILITY),
            languages=languages,
            bio=f"{person.job_role.title if person.job_role else 'Colleague'} happy to share "
            "what works in practice.",
            actor=None,
        )
    _say(stdout, f"    {len(chosen)} mentors")

    # --- Sam: an active mentorship with three sessions, and a request waiting -----------------
    suggestions = [g for g in selectors.gap_suggestions(employee=sam) if g.suggestions]
    if not suggestions:
        _say(stdout, "    nobody can mentor Sam's gaps: the rest is skipped")
        return {**_summary(), "created": 1}
    first = suggestions[0]
    mentor = first.suggestions[0].mentor
    m = services.mentorship_request(
        mentee=sam,
        mentor=mentor,
        skill=first.skill,
        message="My role asks for this and I would like to use it properly in our reporting.",
        actor=sam.user,
    )
    _backdate(m, 40)
    services.mentorship_answer(
        mentorship=m,
        mentor=mentor,
        accept=True,
        note="Happy to! Let's start next week.",
        actor=None,
    )
    _backdate(m, 40, answered_days=38)
    for n, days in enumerate([35, 21, 7]):
        services.session_log(
            mentorship=m,
            employee=sam if n != 1 else mentor,
            held_on=today - dt.timedelta(days=days),
            duration_minutes=[45, 60, 30][n],
            notes=SESSION_NOTES[n],
            actor=None,
        )
    for g in suggestions[1:]:
        other = next((s.mentor for s in g.suggestions if s.mentor.pk != mentor.pk), None)
        if other is not None:
            waiting = services.mentorship_request(
                mentee=sam, mentor=other, skill=g.skill, message=MESSAGES[1], actor=sam.user
            )
            _backdate(waiting, 3)
            break
    # Sam's mentor has a request from someone else to answer
    learner = next(
        (
            e
            for pk, e in sorted(people.items())
            if pk not in chosen
            and (levels.get((pk, first.skill.pk)) or 0) < MIN_MENTOR_LEVEL
            and e.department_id != mentor.department_id
        ),
        None,
    )
    learner_pk = learner.pk if learner is not None else None
    if learner is not None and MentorProfile.objects.get(employee=mentor).capacity < 2:
        services.mentor_profile_save(
            employee=mentor,
            skill_ids=list(
                MentorProfile.objects.get(employee=mentor).skill_links.values_list(
                    "skill_id", flat=True
                )
            ),
            capacity=2,
            hours_per_month=4,
            availability="Tuesday and Thursday mornings",
            languages=["en"],
            actor=None,
        )
    if learner is not None:
        pending = services.mentorship_request(
            mentee=learner, mentor=mentor, skill=first.skill, message=MESSAGES[0], actor=None
        )
        _backdate(pending, 2)

    # Sam mentors a skill he is strong in, with one request to answer
    options = services.mentor_skill_options(employee=sam)
    if options:
        best = max(options, key=lambda row: (row[1], -row[0].pk))[0]
        services.mentor_profile_save(
            employee=sam,
            skill_ids=[best.pk],
            capacity=1,
            hours_per_month=2,
            availability="Friday afternoons",
            languages=["en"],
            bio="Data analyst; glad to help with the basics.",
            actor=sam.user,
        )
        junior = next(
            (
                e
                for pk, e in sorted(people.items())
                if pk not in chosen
                and pk != learner_pk
                and e.department_id == sam.department_id
                and (levels.get((pk, best.pk)) or 0) < MIN_MENTOR_LEVEL
            ),
            None,
        )
        if junior is not None:
            services.mentorship_request(
                mentee=junior, mentor=sam, skill=best, message=MESSAGES[2], actor=None
            )

    # --- feedback: Priya gave Sam feedback; Sam waits for a peer; a report waits for Priya -------
    skill = Skill.objects.get(pk=gaps[0].skill_id) if gaps else first.skill
    asked = services.feedback_ask(
        learner=sam,
        giver=priya,
        skill=skill,
        message="Could you tell me how I am doing on this after the quarterly report?",
        actor=sam.user,
    )
    services.feedback_answer(
        request=asked,
        giver=priya,
        rating=max(1, min(5, (sam_levels.get(skill.pk) or 1) + 1)),
        comment="Clear progress on the quarterly report: the method is sound. Next step: explain "
        "your choices to the business owners without the jargon.",
        actor=priya.user,
    )
    peer = (
        Employee.objects.filter(manager_id=sam.manager_id, is_active=True)
        .exclude(pk=sam.pk)
        .order_by("pk")
        .first()
    )
    if peer is not None:
        services.feedback_ask(
            learner=sam,
            giver=peer,
            skill=first.skill,
            message="You saw my last two dashboards: what should I improve?",
            actor=sam.user,
        )
    report = (
        Employee.objects.filter(manager=priya, is_active=True)
        .exclude(pk=sam.pk)
        .order_by("pk")
        .first()
    )
    if report is not None:
        services.feedback_ask(
            learner=report,
            giver=priya,
            skill=skill,
            message="How did the migration go, from your side?",
            actor=None,
        )

    # --- other mentorships across the organisation (for the L&D counts) --------------------------
    mentors = list(
        MentorProfile.objects.filter(status=MentorProfile.Status.ACTIVE)
        .exclude(employee_id__in=[sam.pk, mentor.pk])
        .select_related("employee")
        .prefetch_related("skill_links")
        .order_by("pk")
    )
    learners = [pk for pk in sorted(people) if pk not in chosen and pk != learner_pk]
    rng.shuffle(learners)
    made = 0
    for profile in mentors:
        if made >= OTHER_MENTORSHIPS or not learners:
            break
        skill_id = sorted(link.skill_id for link in profile.skill_links.all())[0]
        mentee = next(
            (people[pk] for pk in learners if (levels.get((pk, skill_id)) or 0) < 4), None
        )
        if mentee is None:
            continue
        learners.remove(mentee.pk)
        started = rng.randint(20, 120)
        request = services.mentorship_request(
            mentee=mentee,
            mentor=profile.employee,
            skill=Skill.objects.get(pk=skill_id),
            message=rng.choice(MESSAGES),
            actor=None,
        )
        _backdate(request, started)
        if made % 5 == 4:
            made += 1
            continue  # left waiting
        services.mentorship_answer(
            mentorship=request, mentor=profile.employee, accept=True, actor=None
        )
        _backdate(request, started, answered_days=started - 1)
        for k in range(rng.randint(1, 4)):
            days = started - 3 - k * rng.randint(7, 20)
            if days < 0:
                break
            services.session_log(
                mentorship=request,
                employee=mentee,
                held_on=today - dt.timedelta(days=days),
                duration_minutes=rng.choice([30, 45, 60]),
                notes=rng.choice(SESSION_NOTES),
                actor=None,
            )
        if started > 90:
            services.mentorship_end(
                mentorship=request, employee=mentee, note="Thank you!", actor=None
            )
        made += 1
    result = {**_summary(), "created": 1}
    _say(stdout, f"    {result}")
    return result
