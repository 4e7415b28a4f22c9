"""State changes of mentoring and feedback. Every write to mentoring models goes through one of these.

Errors are ``ValidationError`` with a dict naming the field (nothing is written); acting on someone
else's mentorship or feedback raises ``PermissionDenied``. Notifications go through
``trellis.notify.services.notifications_send`` (category ``mentoring``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.mentoring.models import (
    MAX_CAPACITY,
    MAX_HOURS_PER_MONTH,
    MAX_SESSION_MINUTES,
    MIN_MENTOR_LEVEL,
    MIN_SESSION_MINUTES,
    FeedbackRequest,
    MentoringSession,
    MentorProfile,
    Mentorship,
    MentorSkill,
)
from trellis.notify.models import Category
from trellis.notify.services import NotificationRequest, notifications_send

#: xAPI verbs of a session: the mentee attended (ADL), the mentor mentored (TinCan registry).
VERB_ATTENDED = ("http://adlnet.gov/expapi/verbs/attended", "attended")
VERB_MENTORED = ("http://id.tincanapi.com/verb/mentored", "mentored")
ACTIVITY_TYPE = "http://id.tincanapi.com/activitytype/meeting"
SKILL_EXTENSION = "https://w3id.org/xapi/trellis/extensions/skill"
SESSION_EXTENSION = "https://w3id.org/xapi/trellis/extensions/mentoring-session"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
MAX_LANGUAGES = 8


# --- helpers ------------------------------------------------------------------------------------


def _int(value: Any, field: str, low: int, high: int, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"Enter {what} from {low} to {high}."}) from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ValidationError({field: f"Enter {what} from {low} to {high}."})
    return number


def _text(value: Any, field: str, limit: int, *, required: bool = False, what: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationError({field: f"Write {what or 'something'}."})
    if len(text) > limit:
        raise ValidationError({field: f"Keep it to {limit} characters (this is {len(text)})."})
    return text


def _notify(
    *, recipient: Any, key: str, subject: str, body: str, url: str, context: dict[str, Any]
) -> None:
    if recipient is None:
        return
    notifications_send(
        [
            NotificationRequest(
                recipient_id=recipient.pk,
                category=Category.MENTORING,
                key=key,
                subject=subject[:200],
                body=body,
                url=url,
                context=context,
            )
        ]
    )


def _mentorship_url(mentorship: Mentorship) -> str:
    return reverse("mentoring:mentorship", args=[mentorship.uid])


def _feedback_url(request: FeedbackRequest) -> str:
    return reverse("mentoring:feedback_detail", args=[request.uid])


def _level_name(skill: Any, level: int | None) -> str:
    return skill.level_name(level) if level else "no evidence yet"


def mentor_skill_options(*, employee: Any) -> list[tuple[Any, int]]:
    """The skills ``employee`` may mentor: latest evidence at ``MIN_MENTOR_LEVEL`` or above, A to Z."""
    from trellis.skills.models import Skill
    from trellis.skills.selectors import latest_evidence_by_skill

    latest = latest_evidence_by_skill(employee=employee)
    levels = {sid: ev.level for sid, ev in latest.items() if ev.level >= MIN_MENTOR_LEVEL}
    skills = Skill.objects.filter(pk__in=list(levels)).select_related("family")
    return sorted(
        ((skill, levels[skill.pk]) for skill in skills),
        key=lambda row: (row[0].label.lower(), row[0].pk),
    )


def _active_count(mentor: Any) -> int:
    return Mentorship.objects.filter(mentor=mentor, status=Mentorship.Status.ACTIVE).count()


# --- mentors ------------------------------------------------------------------------------------


@transaction.atomic
def mentor_profile_save(
    *,
    employee: Any,
    skill_ids: Iterable[Any],
    capacity: Any,
    hours_per_month: Any,
    availability: str = "",
    languages: Iterable[str] | str = (),
    bio: str = "",
    actor: Any,
) -> MentorProfile:
    """Opt in as a mentor, or change the mentor profile. Skills need evidence at level 3 or above.

    A new profile is open to mentees; saving a paused or stopped profile keeps its status.
    """
    if not employee.is_active:
        raise ValidationError({"employee": "People who have left cannot mentor."})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    checks = (
        ("capacity", lambda: _int(capacity, "capacity", 1, MAX_CAPACITY, "a number of mentees")),
        (
            "hours_per_month",
            lambda: _int(
                hours_per_month, "hours_per_month", 1, MAX_HOURS_PER_MONTH, "hours per month"
            ),
        ),
        ("availability", lambda: _text(availability, "availability", 300)),
        ("bio", lambda: _text(bio, "bio", 1000)),
    )
    for field, check in checks:
        try:
            values[field] = check()
        except ValidationError as exc:
            errors[field] = exc.message_dict[field][0]
    if isinstance(languages, str):
        languages = [part for part in re.split(r"[,\s]+", languages) if part]
    codes = [code.strip() for code in languages if code and code.strip()]
    bad = [code for code in codes if not _LANGUAGE.match(code)]
    if bad:
        errors["languages"] = (
            f"Use language codes such as en, de or pt-BR; not understood: {', '.join(bad)}."
        )
    elif len(codes) > MAX_LANGUAGES:
        errors["languages"] = f"Name at most {MAX_LANGUAGES} languages."
    values["languages"] = list(dict.fromkeys(codes))
    options = {skill.pk: (skill, level) for skill, level in mentor_skill_options(employee=employee)}
    try:
        wanted = sorted({int(s) for s in skill_ids})
    except (TypeError, ValueError):
        wanted = []
        errors["skills"] = "Choose skills from the list."
    if not wanted and "skills" not in errors:
        errors["skills"] = "Choose at least one skill to mentor."
    missing = [s for s in wanted if s not in options]
    if missing and "skills" not in errors:
        errors["skills"] = (
            "You can mentor only skills with evidence at Intermediate (level 3) or above; "
            f"not evidenced: {', '.join(str(s) for s in missing)}."
        )
    if errors:
        raise ValidationError(errors)
    profile, created = MentorProfile.objects.select_for_update(of=("self",)).get_or_create(
        employee=employee, defaults=values
    )
    if not created:
        for field, value in values.items():
            setattr(profile, field, value)
        profile.save(update_fields=[*values, "updated_at"])
    have = set(profile.skill_links.values_list("skill_id", flat=True))
    MentorSkill.objects.filter(profile=profile).exclude(skill_id__in=wanted).delete()
    MentorSkill.objects.bulk_create(
        [MentorSkill(profile=profile, skill_id=s) for s in wanted if s not in have]
    )
    audit_log(
        actor=actor,
        code="trellis.mentoring.mentor.saved",
        target=profile,
        data={
            "created": created,
            "skills": [options[s][0].uri for s in wanted],
            "capacity": values["capacity"],
        },
    )
    return profile


@transaction.atomic
def mentor_status_set(*, profile: MentorProfile, status: str, actor: Any) -> MentorProfile:
    """Pause, resume or stop mentoring. Stopping declines the requests still waiting (mentees are told);
    active mentorships go on until one of the pair ends them."""
    if status not in MentorProfile.Status.values:
        raise ValidationError({"status": "Choose active, paused or stopped."})
    profile = (
        MentorProfile.objects.select_for_update(of=("self",))
        .select_related("employee")
        .get(pk=profile.pk)
    )
    if profile.status == status:
        return profile
    before = profile.status
    profile.status = status
    profile.save(update_fields=["status", "updated_at"])
    declined = 0
    if status == MentorProfile.Status.STOPPED:
        now = timezone.now()
        for mentorship in (
            Mentorship.objects.select_for_update(of=("self",))
            .filter(mentor=profile.employee, status=Mentorship.Status.REQUESTED)
            .select_related("mentee", "skill")
            .order_by("pk")
        ):
            mentorship.status = Mentorship.Status.DECLINED
            mentorship.answer_note = "The mentor stopped taking mentees."
            mentorship.answered_at = now
            mentorship.save(update_fields=["status", "answer_note", "answered_at", "updated_at"])
            declined += 1
            _notify(
                recipient=mentorship.mentee,
                key=f"mentoring:request:{mentorship.uid}:declined",
                subject=f"Mentoring request declined: {mentorship.skill.label}",
                body=f"{profile.employee.full_name} stopped taking mentees. "
                "Find another mentor on your Mentoring page.",
                url=_mentorship_url(mentorship),
                context={"mentorship": str(mentorship.uid)},
            )
    audit_log(
        actor=actor,
        code="trellis.mentoring.mentor.status",
        target=profile,
        data={"before": before, "after": status, "declined": declined},
    )
    return profile


# --- requests and mentorships ---------------------------------------------------------------------


@transaction.atomic
def mentorship_request(
    *, mentee: Any, mentor: Any, skill: Any, message: str = "", actor: Any
) -> Mentorship:
    """A learner asks a mentor for help with one skill; the mentor is notified."""
    if not mentee.is_active:
        raise ValidationError({"mentee": "People who have left cannot ask for mentoring."})
    if mentor.pk == mentee.pk:
        raise ValidationError({"mentor": "You cannot be your own mentor."})
    text = _text(message, "message", 1000)
    profile = (
        MentorProfile.objects.filter(employee=mentor, employee__is_active=True)
        .prefetch_related("skill_links")
        .first()
    )
    if profile is None or profile.status != MentorProfile.Status.ACTIVE:
        raise ValidationError({"mentor": f"{mentor.full_name} is not taking mentees right now."})
    if skill.pk not in {link.skill_id for link in profile.skill_links.all()}:
        raise ValidationError({"skill": f"{mentor.full_name} does not mentor {skill.label}."})
    if Mentorship.objects.filter(
        mentor=mentor, mentee=mentee, skill=skill, status__in=Mentorship.OPEN
    ).exists():
        raise ValidationError(
            {
                "skill": f"You already have a request or a mentorship with {mentor.full_name} "
                f"for {skill.label}."
            }
        )
    if _active_count(mentor) >= profile.capacity:
        raise ValidationError({"mentor": f"{mentor.full_name} has no free place right now."})
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                mentor=mentor,
                mentee=mentee,
                skill=skill,
                message=text,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            {
                "skill": f"You already have a request or a mentorship with {mentor.full_name} "
                f"for {skill.label}."
            }
        ) from None
    _notify(
        recipient=mentor,
        key=f"mentoring:request:{mentorship.uid}",
        subject=f"Mentoring request from {mentee.full_name}: {skill.label}",
        body=(text or f"{mentee.full_name} would like you to mentor them in {skill.label}.")
        + "\nAccept or decline on your Mentoring page.",
        url=_mentorship_url(mentorship),
        context={"mentorship": str(mentorship.uid), "skill": skill.uri},
    )
    audit_log(
        actor=actor,
        code="trellis.mentoring.requested",
        target=mentorship,
        data={"mentor": mentor.pk, "mentee": mentee.pk, "skill": skill.uri},
    )
    return mentorship


@transaction.atomic
def mentorship_answer(
    *, mentorship: Mentorship, mentor: Any, accept: bool, note: str = "", actor: Any
) -> Mentorship:
    """The mentor accepts or declines a request. Accepting takes one of the mentor's places.

    The mentor's profile row is locked first (then the request), so two requests accepted at once
    for the last place cannot both win: the second sees the first's mentorship and is refused.
    """
    if mentorship.mentor_id is None or mentor.pk != mentorship.mentor_id:
        raise PermissionDenied("Only the mentor answers a request.")
    text = _text(note, "note", 500)
    profile = MentorProfile.objects.select_for_update(of=("self",)).filter(employee=mentor).first()
    locked = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("mentee", "skill", "mentor")
        .get(pk=mentorship.pk)
    )
    if locked.status != Mentorship.Status.REQUESTED:
        raise ValidationError(
            {"status": f"This request is already {locked.get_status_display().lower()}."}
        )
    now = timezone.now()
    if accept:
        if profile is None or profile.status == MentorProfile.Status.STOPPED:
            raise ValidationError({"status": "You stopped mentoring: resume it first."})
        active = _active_count(mentor)
        if active >= profile.capacity:
            raise ValidationError(
                {
                    "capacity": f"You have no free place ({active} of {profile.capacity} mentees). "
                    "End a mentorship or raise your capacity first."
                }
            )
        locked.status = Mentorship.Status.ACTIVE
    else:
        locked.status = Mentorship.Status.DECLINED
    locked.answer_note = text
    locked.answered_at = now
    locked.save(update_fields=["status", "answer_note", "answered_at", "updated_at"])
    word = "accepted" if accept else "declined"
    body = f"{mentor.full_name} {word} your request for mentoring in {locked.skill.label}." + (
        f"\n{text}" if text else ""
    )
    _notify(
        recipient=locked.mentee,
        key=f"mentoring:request:{locked.uid}:{word}",
        subject=f"Mentoring request {word}: {locked.skill.label}",
        body=body,
        url=_mentorship_url(locked),
        context={"mentorship": str(locked.uid)},
    )
    audit_log(actor=actor, code=f"trellis.mentoring.{word}", target=locked, data={})
    return locked


@transaction.atomic
def mentorship_withdraw(*, mentorship: Mentorship, mentee: Any, actor: Any) -> Mentorship:
    """The mentee withdraws a request that is still waiting."""
    if mentorship.mentee_id is None or mentee.pk != mentorship.mentee_id:
        raise PermissionDenied("Only the mentee withdraws a request.")
    locked = Mentorship.objects.select_for_update(of=("self",)).get(pk=mentorship.pk)
    if locked.status != Mentorship.Status.REQUESTED:
        raise ValidationError({"status": "Only a request still waiting can be withdrawn."})
    locked.status = Mentorship.Status.WITHDRAWN
    locked.ended_at = timezone.now()
    locked.save(update_fields=["status", "ended_at", "updated_at"])
    audit_log(actor=actor, code="trellis.mentoring.withdrawn", target=locked, data={})
    return locked


@transaction.atomic
def mentorship_end(
    *, mentorship: Mentorship, employee: Any, note: str = "", actor: Any
) -> Mentorship:
    """Either of the pair ends an active mentorship (the place is free again); the other is told."""
    if employee.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        raise PermissionDenied("Only the mentor or the mentee ends a mentorship.")
    text = _text(note, "note", 500)
    locked = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("mentor", "mentee", "skill")
        .get(pk=mentorship.pk)
    )
    if locked.status != Mentorship.Status.ACTIVE:
        raise ValidationError({"status": "Only an active mentorship can be ended."})
    locked.status = Mentorship.Status.ENDED
    locked.end_note = text
    locked.ended_at = timezone.now()
    locked.save(update_fields=["status", "end_note", "ended_at", "updated_at"])
    other = locked.mentee if employee.pk == locked.mentor_id else locked.mentor
    _notify(
        recipient=other,
        key=f"mentoring:mentorship:{locked.uid}:ended",
        subject=f"Mentorship ended: {locked.skill.label}",
        body=f"{employee.full_name} ended the mentorship in {locked.skill.label}."
        + (f"\n{text}" if text else ""),
        url=_mentorship_url(locked),
        context={"mentorship": str(locked.uid)},
    )
    audit_log(actor=actor, code="trellis.mentoring.ended", target=locked, data={})
    return locked


# --- sessions -------------------------------------------------------------------------------------


def mentorship_activity_id(mentorship: Mentorship) -> str:
    """The xAPI activity of a mentorship: stable for its whole life."""
    return f"{settings.SITE_URL}/mentoring/mentorship/{mentorship.uid}"


def _session_statements(
    *, mentorship: Mentorship, session_uid: str, skill: Any, held_on: dt.date, minutes: int
) -> list[dict[str, Any]]:
    from trellis.lrs.events import employee_agent

    when = timezone.make_aware(dt.datetime.combine(held_on, dt.time(12, 0)), dt.UTC)
    activity = {
        "objectType": "Activity",
        "id": mentorship_activity_id(mentorship),
        "definition": {
            "name": {"en": f"Mentoring: {skill.label}"[:500]},
            "type": ACTIVITY_TYPE,
        },
    }
    hours, rest = divmod(minutes, 60)
    duration = "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")
    extensions = {SKILL_EXTENSION: skill.uri, SESSION_EXTENSION: session_uid}

    def statement(actor: Any, verb: tuple[str, str], instructor: Any = None) -> dict[str, Any]:
        context: dict[str, Any] = {
            "platform": "Trellis",
            "language": "en",
            "extensions": extensions,
        }
        if instructor is not None:
            context["instructor"] = employee_agent(instructor)
        return {
            "actor": employee_agent(actor),
            "verb": {"id": verb[0], "display": {"en-US": verb[1]}},
            "object": activity,
            "result": {"duration": duration, "completion": False},
            "context": context,
            "timestamp": when.isoformat().replace("+00:00", "Z"),
        }

    return [
        statement(mentorship.mentee, VERB_ATTENDED, instructor=mentorship.mentor),
        statement(mentorship.mentor, VERB_MENTORED),
    ]


@transaction.atomic
def session_log(
    *,
    mentorship: Mentorship,
    employee: Any,
    held_on: Any,
    duration_minutes: Any,
    notes: str = "",
    skill: Any = None,
    actor: Any,
) -> MentoringSession:
    """The mentor or the mentee logs a session of an active mentorship.

    The session becomes two xAPI statements in the LRS (the mentee *attended*, the mentor *mentored*,
    on the mentorship's activity) and one piece of skill evidence for the mentee (kind "mentoring", at
    their current level in the skill, at least 1; dated the day of the session).
    """
    from trellis.lrs.events import XAPI_VERSION, trellis_authority
    from trellis.lrs.statements import statements_store
    from trellis.skills.models import SkillEvidence
    from trellis.skills.selectors import latest_evidence_by_skill
    from trellis.skills.services import skill_evidence_record

    if employee.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        raise PermissionDenied("Only the mentor or the mentee logs a session.")
    locked = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("mentor", "mentee", "skill")
        .get(pk=mentorship.pk)
    )
    errors: dict[str, str] = {}
    if locked.status != Mentorship.Status.ACTIVE:
        errors["mentorship"] = "Sessions can be logged only in an active mentorship."
    day: dt.date | None = None
    if isinstance(held_on, dt.datetime):
        day = held_on.date()
    elif isinstance(held_on, dt.date):
        day = held_on
    else:
        try:
            day = dt.date.fromisoformat(str(held_on or ""))
        except ValueError:
            errors["held_on"] = "Enter the date of the session (YYYY-MM-DD)."
    if day is not None:
        if day > timezone.localdate():
            errors["held_on"] = "The session date cannot be in the future."
        elif day < timezone.localdate(locked.requested_at):
            errors["held_on"] = "The session date cannot be before the mentorship was requested."
    minutes = 0
    try:
        minutes = _int(
            duration_minutes,
            "duration_minutes",
            MIN_SESSION_MINUTES,
            MAX_SESSION_MINUTES,
            "the length in minutes",
        )
    except ValidationError as exc:
        errors["duration_minutes"] = exc.message_dict["duration_minutes"][0]
    try:
        text = _text(notes, "notes", 4000)
    except ValidationError as exc:
        errors["notes"] = exc.message_dict["notes"][0]
    chosen = skill or locked.skill
    if (
        chosen.pk != locked.skill_id
        and not MentorSkill.objects.filter(profile__employee=locked.mentor, skill=chosen).exists()
    ):
        errors["skill"] = f"Choose {locked.skill.label} or another skill this mentor mentors."
    if errors:
        raise ValidationError(errors)
    assert day is not None
    session = MentoringSession(
        mentorship=locked,
        held_on=day,
        duration_minutes=minutes,
        skill=chosen,
        notes=text,
        logged_by=employee,
    )
    mentee_id, mentor_id = statements_store(
        _session_statements(
            mentorship=locked,
            session_uid=str(session.uid),
            skill=chosen,
            held_on=day,
            minutes=minutes,
        ),
        version=XAPI_VERSION,
        authority=trellis_authority(),
    )
    current = latest_evidence_by_skill(employee=locked.mentee).get(chosen.pk)
    evidence = skill_evidence_record(
        employee=locked.mentee,
        skill=chosen,
        level=max(1, current.level if current else 1),
        kind=SkillEvidence.Kind.MENTORING,
        observed_on=day,
        recorded_by=actor,
        note="Mentoring session",
        source_ref=str(mentee_id),
    )
    session.mentee_statement_id = mentee_id
    session.mentor_statement_id = mentor_id
    session.evidence = evidence
    session.save()
    audit_log(
        actor=actor,
        code="trellis.mentoring.session.logged",
        target=session,
        data={"mentorship": str(locked.uid), "minutes": minutes, "skill": chosen.uri},
    )
    return session


# --- feedback -------------------------------------------------------------------------------------


def _relation(learner: Any, giver: Any) -> str:
    chain = [p for p in (learner.manager_path or "").strip("/").split("/") if p][:-1]
    if str(giver.pk) in chain or learner.manager_id == giver.pk:
        return FeedbackRequest.Relation.MANAGER
    return FeedbackRequest.Relation.PEER


def _item_skill(item: Any) -> Any:
    from trellis.catalog.models import ItemSkill

    link = (
        ItemSkill.objects.filter(item=item)
        .select_related("skill__family")
        .order_by("-weight", "skill__label")
        .first()
    )
    return link.skill if link else None


def item_completed_by(*, employee: Any, item: Any) -> bool:
    """Whether the learner's progress (the LRS projection) shows ``item`` completed or passed."""
    from trellis.lrs.models import Progress

    return Progress.objects.filter(
        employee=employee,
        item=item,
        status__in=[Progress.Status.COMPLETED, Progress.Status.PASSED],
    ).exists()


@transaction.atomic
def feedback_ask(
    *,
    learner: Any,
    giver: Any,
    skill: Any = None,
    item: Any = None,
    message: str = "",
    actor: Any,
) -> FeedbackRequest:
    """A learner asks their manager or a peer (any active employee) for feedback on a skill or on an
    item they completed. For an item, the rating is about the item's main skill (its heaviest tag)."""
    errors: dict[str, str] = {}
    if giver is None or not giver.is_active:
        errors["giver"] = "Choose an active colleague to ask."
    elif giver.pk == learner.pk:
        errors["giver"] = "Ask someone else than yourself."
    if (skill is None) == (item is None):
        errors["skill"] = "Choose a skill or a completed item (one of them)."
    elif item is not None and not item_completed_by(employee=learner, item=item):
        errors["item"] = f"You have not completed “{item.title}” yet."
    try:
        text = _text(message, "message", 1000)
    except ValidationError as exc:
        errors["message"] = exc.message_dict["message"][0]
    if errors:
        raise ValidationError(errors)
    if item is not None:
        skill = _item_skill(item)
    duplicate = FeedbackRequest.objects.filter(
        learner=learner, giver=giver, status=FeedbackRequest.Status.PENDING
    )
    duplicate = duplicate.filter(item=item) if item is not None else duplicate.filter(skill=skill)
    if duplicate.exists():
        raise ValidationError({"giver": f"You already asked {giver.full_name} about this."})
    request = FeedbackRequest.objects.create(
        learner=learner,
        giver=giver,
        relation=_relation(learner, giver),
        skill=skill,
        item=item,
        message=text,
        asked_at=timezone.now(),
    )
    topic = item.title if item is not None else skill.label
    _notify(
        recipient=giver,
        key=f"mentoring:feedback:{request.uid}",
        subject=f"{learner.full_name} asks for your feedback: {topic}",
        body=(text or f"{learner.full_name} would value your feedback on {topic}.")
        + "\nAnswer with a rating and a comment, or decline.",
        url=_feedback_url(request),
        context={"feedback": str(request.uid)},
    )
    audit_log(
        actor=actor,
        code="trellis.mentoring.feedback.asked",
        target=request,
        data={"giver": giver.pk, "relation": request.relation},
    )
    return request


@transaction.atomic
def feedback_answer(
    *, request: FeedbackRequest, giver: Any, rating: Any, comment: str, actor: Any
) -> FeedbackRequest:
    """The asked person answers with a rating (1 to 5 on the skill's level scale) and a comment.

    With a skill, the answer becomes skill evidence for the learner: kind "manager" when the giver is
    in the learner's management chain, "peer" otherwise; source_ref
    ``mentoring:feedback:<uid>``.
    """
    from trellis.skills.models import SkillEvidence
    from trellis.skills.services import skill_evidence_record

    if request.giver_id is None or giver.pk != request.giver_id:
        raise PermissionDenied("Only the person asked answers.")
    locked = (
        FeedbackRequest.objects.select_for_update(of=("self",))
        .select_related("learner", "skill__family", "item")
        .get(pk=request.pk)
    )
    errors: dict[str, str] = {}
    if locked.status != FeedbackRequest.Status.PENDING:
        errors["status"] = f"This request is already {locked.get_status_display().lower()}."
    level = 0
    try:
        level = _int(rating, "rating", 1, 5, "a rating")
    except ValidationError as exc:
        errors["rating"] = exc.message_dict["rating"][0]
    try:
        text = _text(comment, "comment", 2000, required=True, what="a comment")
    except ValidationError as exc:
        errors["comment"] = exc.message_dict["comment"][0]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    locked.status = FeedbackRequest.Status.ANSWERED
    locked.rating = level
    locked.comment = text
    locked.answered_at = now
    if locked.skill is not None and locked.learner is not None:
        manager = locked.relation == FeedbackRequest.Relation.MANAGER
        locked.evidence = skill_evidence_record(
            employee=locked.learner,
            skill=locked.skill,
            level=level,
            kind=SkillEvidence.Kind.MANAGER if manager else SkillEvidence.Kind.PEER,
            observed_on=timezone.localdate(),
            recorded_by=actor,
            note="Manager feedback" if manager else "Peer feedback",
            source_ref=f"mentoring:feedback:{locked.uid}",
        )
    locked.save(
        update_fields=["status", "rating", "comment", "answered_at", "evidence", "updated_at"]
    )
    _notify(
        recipient=locked.learner,
        key=f"mentoring:feedback:{locked.uid}:answered",
        subject=f"{giver.full_name} gave you feedback: {locked.subject}",
        body=f"{giver.full_name} answered your request for feedback on {locked.subject}.",
        url=_feedback_url(locked),
        context={"feedback": str(locked.uid)},
    )
    audit_log(
        actor=actor,
        code="trellis.mentoring.feedback.answered",
        target=locked,
        data={"rating": level, "evidence": locked.evidence_id},
    )
    return locked


@transaction.atomic
def feedback_decline(
    *, request: FeedbackRequest, giver: Any, note: str = "", actor: Any
) -> FeedbackRequest:
    if request.giver_id is None or giver.pk != request.giver_id:
        raise PermissionDenied("Only the person asked declines.")
    text = _text(note, "note", 500)
    locked = (
        FeedbackRequest.objects.select_for_update(of=("self",))
        .select_related("learner", "skill", "item")
        .get(pk=request.pk)
    )
    if locked.status != FeedbackRequest.Status.PENDING:
        raise ValidationError(
            {"status": f"This request is already {locked.get_status_display().lower()}."}
        )
    locked.status = FeedbackRequest.Status.DECLINED
    locked.decline_note = text
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "decline_note", "answered_at", "updated_at"])
    _notify(
        recipient=locked.learner,
        key=f"mentoring:feedback:{locked.uid}:declined",
        subject=f"{giver.full_name} declined to give feedback: {locked.subject}",
        body=text or f"{giver.full_name} cannot give feedback on {locked.subject} right now.",
        url=_feedback_url(locked),
        context={"feedback": str(locked.uid)},
    )
    audit_log(actor=actor, code="trellis.mentoring.feedback.declined", target=locked, data={})
    return locked


@transaction.atomic
def feedback_cancel(*, request: FeedbackRequest, learner: Any, actor: Any) -> FeedbackRequest:
    if request.learner_id is None or learner.pk != request.learner_id:
        raise PermissionDenied("Only the learner cancels their request.")
    locked = FeedbackRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if locked.status != FeedbackRequest.Status.PENDING:
        raise ValidationError({"status": "Only a request still waiting can be cancelled."})
    locked.status = FeedbackRequest.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, code="trellis.mentoring.feedback.cancelled", target=locked, data={})
    return locked


# --- leavers --------------------------------------------------------------------------------------


@transaction.atomic
def leavers_close(*, employee_ids: Iterable[int]) -> dict[str, int]:
    """Close what people who have left leave open (called by the people hook after a change):
    their mentor profile stops, their active mentorships end, requests to or from them are declined
    or withdrawn, feedback asked of them is declined and feedback they asked is cancelled. The other
    person of each mentorship or request is told. Idempotent."""
    from trellis.people.models import Employee

    gone = list(Employee.objects.filter(pk__in=list(employee_ids), is_active=False).order_by("pk"))
    counts = {"profiles": 0, "mentorships": 0, "requests": 0, "feedback": 0}
    if not gone:
        return counts
    ids = [e.pk for e in gone]
    now = timezone.now()
    counts["profiles"] = (
        MentorProfile.objects.filter(employee_id__in=ids)
        .exclude(status=MentorProfile.Status.STOPPED)
        .update(status=MentorProfile.Status.STOPPED, updated_at=now)
    )
    rows = (
        Mentorship.objects.select_for_update(of=("self",))
        .filter(Q(mentor_id__in=ids) | Q(mentee_id__in=ids), status__in=Mentorship.OPEN)
        .select_related("mentor", "mentee", "skill")
        .order_by("pk")
    )
    for m in rows:
        left = m.mentor if m.mentor_id in ids else m.mentee
        other = m.mentee if left is m.mentor else m.mentor
        if m.status == Mentorship.Status.ACTIVE:
            m.status, m.ended_at = Mentorship.Status.ENDED, now
            m.end_note = m.end_note or "Ended because one of the pair left the organisation."
            counts["mentorships"] += 1
            word = "ended"
        elif left is m.mentor:
            m.status, m.answered_at = Mentorship.Status.DECLINED, now
            m.answer_note = "The mentor has left the organisation."
            counts["requests"] += 1
            word = "declined"
        else:
            m.status, m.ended_at = Mentorship.Status.WITHDRAWN, now
            counts["requests"] += 1
            word = "withdrawn"
        m.save(
            update_fields=[
                "status",
                "ended_at",
                "answered_at",
                "answer_note",
                "end_note",
                "updated_at",
            ]
        )
        if other is not None and other.is_active and word != "withdrawn":
            _notify(
                recipient=other,
                key=f"mentoring:mentorship:{m.uid}:left",
                subject=f"Mentoring {word}: {m.skill.label}",
                body=f"{left.full_name if left else 'Your colleague'} has left the organisation.",
                url=_mentorship_url(m),
                context={"mentorship": str(m.uid)},
            )
    counts["feedback"] = FeedbackRequest.objects.filter(
        giver_id__in=ids, status=FeedbackRequest.Status.PENDING
    ).update(status=FeedbackRequest.Status.DECLINED, answered_at=now, updated_at=now)
    counts["feedback"] += FeedbackRequest.objects.filter(
        learner_id__in=ids, status=FeedbackRequest.Status.PENDING
    ).update(status=FeedbackRequest.Status.CANCELLED, updated_at=now)
    if any(counts.values()):
        audit_log(actor=None, code="trellis.mentoring.leavers_closed", data=counts)
    return counts
