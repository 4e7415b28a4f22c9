"""Learning paths: services (every change) and selectors (every non-trivial read).

The plan comes from the pure engine (``engine/paths.py``, its rules in the module docstring and in
README.md); this module feeds it the learner's gap (role profile or chosen skills against their
latest skill evidence), the catalog items that teach those skills (one query), what they finished
(progress rows from the learning records) and what they skipped or chose, and stores the result.

- ``path_create`` (the learner) and ``path_suggest`` (a manager, for someone in their reporting
  line; the learner accepts or declines) make a path and plan it.
- ``path_replan`` plans the not-yet-done part again; ``path_step_skip`` and ``path_step_swap``
  change a step then re-plan; ``path_settings_set`` changes the budget, deadline or formats then
  re-plans; ``path_sync_progress`` marks steps done from the learning records and re-plans
  (called when a page shows the path and by the LRS progress listener ``paths_progress_changed``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.discovery.engine import paths as engine
from trellis.discovery.models import LearningPath, PathStep, hours_text
from trellis.people.models import Employee, JobRole

#: Minutes counted for an item whose duration the catalog does not give.
UNKNOWN_DURATION_MINUTES = 30
MIN_WEEKLY_MINUTES = 15
MAX_WEEKLY_MINUTES = 40 * 60


@dataclass
class GoalLine:
    skill_id: int
    label: str
    current: int
    target: int
    essential: bool = True

    @property
    def gap(self) -> int:
        return max(0, self.target - self.current)


@dataclass
class Target:
    """What a path aims at, resolved for one learner."""

    kind: str
    role: JobRole | None
    goals: list[GoalLine]
    gap_name: (
        str  # "your Data Analyst role", "the Senior Data Analyst role", "the skills you chose"
    )
    title: str

    @property
    def gap_goals(self) -> list[GoalLine]:
        return [g for g in self.goals if g.gap]


# --- reading the gap and the catalog ----------------------------------------------------------


def _current_levels(employee: Employee) -> dict[int, int]:
    from trellis.skills.selectors import latest_evidence_by_skill

    return {sid: ev.level for sid, ev in latest_evidence_by_skill(employee=employee).items()}


def target_resolve(
    *,
    employee: Employee,
    kind: str,
    role: JobRole | None = None,
    skills: Sequence[dict[str, int]] = (),
) -> Target:
    """The goals (skill, current level, target level) of a target for ``employee`` (3 queries)."""
    from trellis.skills.models import Skill
    from trellis.skills.selectors import role_profile_lines

    current = _current_levels(employee)
    if kind in (LearningPath.Target.ROLE, LearningPath.Target.NEXT_ROLE):
        if kind == LearningPath.Target.ROLE:
            role = employee.job_role
            if role is None:
                raise ValidationError({"target_kind": "You have no job role to aim at."})
        if role is None:
            raise ValidationError({"target_role": "Choose the role to aim at."})
        lines = list(role_profile_lines(job_role=role))
        if not lines:
            raise ValidationError(
                {"target_role": f"The {role.title} role has no skills profile yet."}
            )
        goals = [
            GoalLine(
                skill_id=line.skill_id,
                label=line.skill.label,
                current=current.get(line.skill_id, 0),
                target=line.target_level,
                essential=line.is_essential,
            )
            for line in lines
        ]
        mine = kind == LearningPath.Target.ROLE or (
            employee.job_role_id is not None and employee.job_role_id == role.pk
        )
        gap_name = f"your {role.title} role" if mine else f"the {role.title} role"
        return Target(
            kind=kind, role=role, goals=goals, gap_name=gap_name, title=f"Toward {role.title}"
        )
    if kind != LearningPath.Target.SKILLS:
        raise ValidationError({"target_kind": "Choose what the path aims at."})
    wanted: dict[int, int] = {}
    for row in skills:
        level = int(row["level"])
        if not 1 <= level <= 5:
            raise ValidationError({"target_skills": "Levels go from 1 to 5."})
        wanted[int(row["skill"])] = level
    if not wanted:
        raise ValidationError({"target_skills": "Choose at least one skill and its level."})
    found = {s.pk: s for s in Skill.objects.filter(pk__in=list(wanted)).only("id", "label")}
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise ValidationError({"target_skills": f"Unknown skill id(s): {missing}."})
    goals = [
        GoalLine(skill_id=sid, label=found[sid].label, current=current.get(sid, 0), target=level)
        for sid, level in sorted(wanted.items(), key=lambda kv: found[kv[0]].label)
    ]
    labels = [g.label for g in goals]
    title = ", ".join(labels[:2]) + (f" and {len(labels) - 2} more" if len(labels) > 2 else "")
    return Target(
        kind=kind, role=None, goals=goals, gap_name="the skills you chose", title=title[:300]
    )


def _catalog_for(skill_ids: Iterable[int]) -> dict[int, engine.PathItem]:
    """The published items that teach any of these skills, as the engine sees them (one query)."""
    from trellis.catalog.models import ItemSkill

    wanted = set(skill_ids)
    rows = (
        ItemSkill.objects.filter(skill_id__in=wanted, item__is_published=True)
        .values_list(
            "item_id", "skill_id", "weight", "item__level", "item__duration_minutes", "item__format"
        )
        .order_by("item_id", "skill_id")
    )
    teaches: dict[int, list[tuple[int, int]]] = defaultdict(list)
    facts: dict[int, tuple[int, int, str]] = {}
    for item_id, skill_id, weight, level, minutes, fmt in rows:
        teaches[item_id].append((skill_id, engine.rung_for(item_level=level, weight=weight)))
        facts[item_id] = (level, minutes or UNKNOWN_DURATION_MINUTES, fmt)
    return {
        item_id: engine.PathItem(
            id=item_id,
            minutes=facts[item_id][1],
            format=facts[item_id][2],
            level=facts[item_id][0],
            teaches=tuple(pairs),
        )
        for item_id, pairs in teaches.items()
    }


def _completed_items(employee: Employee) -> dict[int, dt.datetime]:
    """Items the learner completed or passed (from the learning records), with when."""
    from trellis.lrs.models import Progress

    done: dict[int, dt.datetime] = {}
    rows = Progress.objects.filter(
        employee=employee,
        item_id__isnull=False,
        status__in=[Progress.Status.COMPLETED, Progress.Status.PASSED],
    ).values_list("item_id", "completed_at", "passed_at", "last_activity_at")
    for item_id, completed_at, passed_at, last in rows:
        when = completed_at or passed_at or last
        if item_id not in done or when < done[item_id]:
            done[item_id] = when
    return done


# --- planning -------------------------------------------------------------------------------------


def _week_of(path: LearningPath, day: dt.date) -> int:
    return max(1, (day - path.starts_on).days // 7 + 1)


def _deadline_weeks(path: LearningPath, today: dt.date) -> int | None:
    if path.deadline is None:
        return None
    return max(0, math.ceil((path.deadline - today).days / 7))


def _locked(path: LearningPath) -> LearningPath:
    return LearningPath.objects.select_for_update().get(pk=path.pk)


def _replan(path: LearningPath, *, today: dt.date | None = None) -> engine.Plan:
    """Plan the not-yet-done part of ``path`` again and store it. Caller holds the row lock."""
    from trellis.catalog.models import Item

    today = today or timezone.localdate()
    now = timezone.now()
    target = target_resolve(
        employee=path.owner,
        kind=path.target_kind,
        role=path.target_role,
        skills=path.target_skills,
    )
    steps = list(path.steps.all())
    done_items = _completed_items(path.owner)
    for step in steps:
        if step.status == PathStep.Status.PLANNED and step.item_id in done_items:
            step.status = PathStep.Status.DONE
            step.completed_at = done_items[step.item_id]
            step.save(update_fields=["status", "completed_at"])
    excluded = frozenset(
        s.item_id for s in steps if s.status in (PathStep.Status.SKIPPED, PathStep.Status.REPLACED)
    )
    pinned = tuple(s.item_id for s in steps if s.status == PathStep.Status.PLANNED and s.pinned)
    catalog = _catalog_for(g.skill_id for g in target.goals)
    offset = _week_of(path, today) - 1 if path.status == LearningPath.Status.ACTIVE else 0
    goals = [
        engine.SkillGoal(g.skill_id, g.current, g.target, essential=g.essential)
        for g in target.goals
    ]
    plan = engine.plan_path(
        goals,
        catalog.values(),
        engine.PathConstraints(
            weekly_minutes=path.weekly_minutes,
            deadline_weeks=_deadline_weeks(path, today),
            preferred_formats=frozenset(path.preferred_formats),
            excluded=excluded,
            pinned=pinned,
            completed=frozenset(done_items),
        ),
    )
    labels = {g.skill_id: g.label for g in target.goals}
    formats = dict(Item.Format.choices)
    path.steps.filter(status=PathStep.Status.PLANNED).delete()
    kept = [s for s in steps if s.status != PathStep.Status.PLANNED]
    first = max((s.position for s in kept), default=0) + 1
    PathStep.objects.bulk_create(
        [
            PathStep(
                path=path,
                item_id=step.item_id,
                position=first + n,
                status=PathStep.Status.PLANNED,
                week_start=offset + step.week_start,
                week_end=offset + step.week_end,
                minutes=step.minutes,
                reason=engine.explain_step(
                    step, labels=labels, gap_name=target.gap_name, format_names=formats
                ),
                covers=[[s, r] for s, r in step.covers],
                pinned=step.pinned,
                fallback_format=step.fallback_format,
                by_deadline=step.by_deadline,
            )
            for n, step in enumerate(plan.steps)
        ]
    )
    path.planned_at = now
    path.remaining_minutes = plan.total_minutes
    path.finishes_week = offset + plan.weeks_needed if plan.steps else 0
    path.fits_deadline = plan.fits_deadline
    path.weekly_minutes_needed = plan.weekly_minutes_needed
    path.gap = [
        {
            "skill": g.skill_id,
            "label": g.label,
            "current": g.current,
            "target": g.target,
            "essential": g.essential,
            "reached": plan.reached.get(g.skill_id, g.current),
        }
        for g in target.goals
        if g.gap
    ]
    path.uncovered = [
        {"skill": s, "label": labels.get(s, ""), "level": r} for s, r in plan.uncovered
    ]
    path.reached_by_deadline = (
        {str(k): v for k, v in plan.reached_by_deadline.items()}
        if plan.fits_deadline is False
        else {}
    )
    fields = [
        "planned_at",
        "remaining_minutes",
        "finishes_week",
        "fits_deadline",
        "weekly_minutes_needed",
        "gap",
        "uncovered",
        "reached_by_deadline",
        "updated_at",
    ]
    if path.status == LearningPath.Status.ACTIVE and not plan.steps:
        path.status = LearningPath.Status.COMPLETED
        fields.append("status")
    path.save(update_fields=fields)
    return plan


def _check_settings(
    *,
    weekly_minutes: int,
    deadline: dt.date | None,
    preferred_formats: Sequence[str],
    today: dt.date,
) -> list[str]:
    from trellis.catalog.models import Item

    errors: dict[str, str] = {}
    if not MIN_WEEKLY_MINUTES <= int(weekly_minutes) <= MAX_WEEKLY_MINUTES:
        errors["weekly_minutes"] = (
            f"Give between {MIN_WEEKLY_MINUTES} minutes and {MAX_WEEKLY_MINUTES // 60} hours a week."
        )
    if deadline is not None and deadline <= today:
        errors["deadline"] = "The deadline must be after today."
    unknown = sorted(set(preferred_formats) - set(Item.Format.values))
    if unknown:
        errors["preferred_formats"] = f"Unknown format(s): {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    return sorted(set(preferred_formats))


@transaction.atomic
def path_create(
    *,
    owner: Employee,
    actor: Any,
    target_kind: str,
    target_role: JobRole | None = None,
    target_skills: Sequence[dict[str, int]] = (),
    weekly_minutes: int = 180,
    deadline: dt.date | None = None,
    preferred_formats: Sequence[str] = (),
    suggested_by: Employee | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> LearningPath:
    """A new path for ``owner`` toward a target, planned at once. With ``suggested_by`` it waits
    for the learner to accept it (use ``path_suggest``, which checks the reporting line)."""
    today = today or timezone.localdate()
    formats = _check_settings(
        weekly_minutes=weekly_minutes,
        deadline=deadline,
        preferred_formats=preferred_formats,
        today=today,
    )
    target = target_resolve(
        employee=owner, kind=target_kind, role=target_role, skills=target_skills
    )
    if not target.gap_goals:
        whose = "You already meet" if suggested_by is None else f"{owner.full_name} already meets"
        raise ValidationError(
            {"target_kind": f"{whose} every level of {target.gap_name}: there is nothing to plan."}
        )
    path = LearningPath.objects.create(
        owner=owner,
        title=target.title,
        status=LearningPath.Status.SUGGESTED if suggested_by else LearningPath.Status.ACTIVE,
        target_kind=target_kind,
        target_role=target.role if target_kind != LearningPath.Target.SKILLS else None,
        target_skills=[{"skill": g.skill_id, "level": g.target} for g in target.goals]
        if target_kind == LearningPath.Target.SKILLS
        else [],
        weekly_minutes=int(weekly_minutes),
        deadline=deadline,
        preferred_formats=formats,
        starts_on=today,
        suggested_by=suggested_by,
        suggestion_note=note[:500],
    )
    _replan(path, today=today)
    audit_log(
        actor=actor,
        code="trellis.discovery.path_suggested"
        if suggested_by
        else "trellis.discovery.path_created",
        target=path,
        data={"owner": owner.pk, "target": target_kind, "title": path.title},
    )
    return path


@transaction.atomic
def path_suggest(
    *,
    manager: Employee,
    employee: Employee,
    actor: Any,
    note: str = "",
    today: dt.date | None = None,
    **target: Any,
) -> LearningPath:
    """A manager suggests a path to someone in their reporting line (any level below them)."""
    from trellis.people.selectors import reporting_line

    if not reporting_line(manager=manager).filter(pk=employee.pk).exists():
        raise Http404("No such person in your reporting line.")
    path = path_create(
        owner=employee, actor=actor, suggested_by=manager, note=note, today=today, **target
    )
    url = reverse("discovery:path", args=[path.pk])

    def notify() -> None:
        from trellis.notify.models import Category
        from trellis.notify.services import notification_send

        notification_send(
            recipient=employee,
            category=Category.NUDGE,
            key=f"discovery:path:{path.pk}:suggested",
            subject=f"{manager.full_name} suggests a learning path: {path.title}",
            body=(note or "Open it to see the steps, then accept or decline it."),
            url=url,
        )

    transaction.on_commit(notify)
    return path


def _owner_only(path: LearningPath, employee: Employee | None) -> None:
    if employee is None or path.owner_id != employee.pk:
        raise Http404("No such path.")


@transaction.atomic
def path_accept(*, path: LearningPath, employee: Employee, actor: Any) -> LearningPath:
    _owner_only(path, employee)
    path = _locked(path)
    if path.status != LearningPath.Status.SUGGESTED:
        raise ValidationError({"status": "Only a suggested path can be accepted."})
    path.status = LearningPath.Status.ACTIVE
    path.responded_at = timezone.now()
    path.starts_on = timezone.localdate()
    path.save(update_fields=["status", "responded_at", "starts_on", "updated_at"])
    _replan(path)
    audit_log(actor=actor, code="trellis.discovery.path_accepted", target=path)
    return path


@transaction.atomic
def path_decline(
    *, path: LearningPath, employee: Employee, actor: Any, reason: str = ""
) -> LearningPath:
    _owner_only(path, employee)
    path = _locked(path)
    if path.status != LearningPath.Status.SUGGESTED:
        raise ValidationError({"status": "Only a suggested path can be declined."})
    path.status = LearningPath.Status.DECLINED
    path.responded_at = timezone.now()
    path.decline_reason = reason[:500]
    path.save(update_fields=["status", "responded_at", "decline_reason", "updated_at"])
    audit_log(actor=actor, code="trellis.discovery.path_declined", target=path)
    return path


def _editable(path: LearningPath, employee: Employee | None) -> LearningPath:
    _owner_only(path, employee)
    path = _locked(path)
    if path.status != LearningPath.Status.ACTIVE:
        raise ValidationError({"status": "Only an active path can be changed."})
    return path


@transaction.atomic
def path_replan(*, path: LearningPath, employee: Employee, actor: Any) -> engine.Plan:
    """Plan again now (e.g. after the learner rated their skills)."""
    path = _editable(path, employee)
    return _replan(path)


@transaction.atomic
def path_step_skip(
    *, path: LearningPath, step: PathStep, employee: Employee, actor: Any
) -> LearningPath:
    """The learner does not want this step: it is never planned again; the rest re-plans (another
    item may cover what it taught)."""
    path = _editable(path, employee)
    step = PathStep.objects.select_for_update().get(pk=step.pk, path=path)
    if step.status != PathStep.Status.PLANNED:
        raise ValidationError({"step": "Only a planned step can be skipped."})
    step.status = PathStep.Status.SKIPPED
    step.changed_at = timezone.now()
    step.save(update_fields=["status", "changed_at"])
    _replan(path)
    audit_log(
        actor=actor,
        code="trellis.discovery.path_step_skipped",
        target=path,
        data={"item": step.item_id},
    )
    return path


@transaction.atomic
def path_step_swap(
    *,
    path: LearningPath,
    step: PathStep,
    employee: Employee,
    actor: Any,
    replacement_id: int | None = None,
) -> LearningPath:
    """Replace a step: by the item the learner chose (kept in every later plan), or, without one,
    by whatever the re-plan finds best. The swapped-out item is never planned again."""
    path = _editable(path, employee)
    step = PathStep.objects.select_for_update().get(pk=step.pk, path=path)
    if step.status != PathStep.Status.PLANNED:
        raise ValidationError({"step": "Only a planned step can be swapped."})
    if replacement_id is not None:
        allowed = {alt.item.pk for alt in step_alternatives(path=path, step=step, limit=50)}
        if replacement_id not in allowed:
            raise ValidationError({"item": "Choose one of the alternatives offered."})
    step.status = PathStep.Status.REPLACED
    step.changed_at = timezone.now()
    step.save(update_fields=["status", "changed_at"])
    if replacement_id is not None:
        existing = PathStep.objects.filter(path=path, item_id=replacement_id).first()
        if existing is not None:
            existing.pinned = True
            existing.save(update_fields=["pinned"])
        else:
            PathStep.objects.create(
                path=path,
                item_id=replacement_id,
                position=step.position,
                pinned=True,
                status=PathStep.Status.PLANNED,
            )
    _replan(path)
    audit_log(
        actor=actor,
        code="trellis.discovery.path_step_swapped",
        target=path,
        data={"item": step.item_id, "replacement": replacement_id},
    )
    return path


@transaction.atomic
def path_settings_set(
    *,
    path: LearningPath,
    employee: Employee,
    actor: Any,
    weekly_minutes: int,
    deadline: dt.date | None,
    preferred_formats: Sequence[str],
) -> LearningPath:
    path = _editable(path, employee)
    path.preferred_formats = _check_settings(
        weekly_minutes=weekly_minutes,
        deadline=deadline,
        preferred_formats=preferred_formats,
        today=timezone.localdate(),
    )
    path.weekly_minutes = int(weekly_minutes)
    path.deadline = deadline
    path.save(update_fields=["weekly_minutes", "deadline", "preferred_formats", "updated_at"])
    _replan(path)
    audit_log(
        actor=actor,
        code="trellis.discovery.path_settings_changed",
        target=path,
        data={
            "weekly_minutes": path.weekly_minutes,
            "deadline": str(deadline or ""),
            "formats": path.preferred_formats,
        },
    )
    return path


@transaction.atomic
def path_archive(*, path: LearningPath, employee: Employee, actor: Any) -> LearningPath:
    _owner_only(path, employee)
    path = _locked(path)
    if path.status not in (LearningPath.Status.ACTIVE, LearningPath.Status.COMPLETED):
        raise ValidationError({"status": "Only an active or completed path can be stopped."})
    path.status = LearningPath.Status.ARCHIVED
    path.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, code="trellis.discovery.path_archived", target=path)
    return path


def path_sync_progress(*, path: LearningPath) -> bool:
    """If the learning records show a planned step done, mark it and re-plan. True if it did."""
    if path.status != LearningPath.Status.ACTIVE:
        return False
    from trellis.lrs.models import Progress

    planned = PathStep.objects.filter(path=path, status=PathStep.Status.PLANNED).values("item_id")
    if not Progress.objects.filter(
        employee_id=path.owner_id,
        item_id__in=planned,
        status__in=[Progress.Status.COMPLETED, Progress.Status.PASSED],
    ).exists():
        return False
    with transaction.atomic():
        locked = _locked(path)
        if locked.status != LearningPath.Status.ACTIVE:
            return False
        _replan(locked)
    path.refresh_from_db()
    return True


def paths_progress_changed(pairs: list[tuple[int, int | None]]) -> None:
    """LRS progress listener: re-plan the active paths whose planned steps were just done."""
    wanted = {(e, i) for e, i in pairs if i is not None}
    if not wanted:
        return
    employees = {e for e, _ in wanted}
    items = {i for _, i in wanted}
    path_ids = (
        PathStep.objects.filter(
            status=PathStep.Status.PLANNED,
            item_id__in=items,
            path__owner_id__in=employees,
            path__status=LearningPath.Status.ACTIVE,
        )
        .values_list("path_id", flat=True)
        .distinct()
    )
    for path in LearningPath.objects.filter(pk__in=list(path_ids)).select_related("owner"):
        path_sync_progress(path=path)


# --- selectors --------------------------------------------------------------------------------


def with_step_counts(qs: QuerySet[LearningPath]) -> QuerySet[LearningPath]:
    """``done_steps``, ``planned_steps`` and ``done_minutes`` on each path (in the same query)."""
    return qs.annotate(
        done_steps=Count("steps", filter=Q(steps__status=PathStep.Status.DONE)),
        planned_steps=Count("steps", filter=Q(steps__status=PathStep.Status.PLANNED)),
        done_minutes=Sum("steps__minutes", filter=Q(steps__status=PathStep.Status.DONE)),
    )


def paths_of(*, employee: Employee) -> QuerySet[LearningPath]:
    """The learner's paths with their step counts and minutes (one query)."""
    return with_step_counts(
        LearningPath.objects.filter(owner=employee).select_related(
            "owner", "suggested_by", "target_role"
        )
    ).order_by("-created_at", "-id")


def paths_suggested_by(*, manager: Employee) -> QuerySet[LearningPath]:
    return (
        LearningPath.objects.filter(suggested_by=manager)
        .select_related("owner", "suggested_by", "target_role")
        .order_by("-created_at", "-id")
    )


def get_path_for_user(*, user: Any, path_id: int) -> tuple[LearningPath, bool]:
    """The path and whether ``user`` may change it (the owner). The manager who suggested it reads
    it while the learner is in their reporting line; anyone else gets 404."""
    from trellis.people.selectors import employee_for_user

    me = employee_for_user(user)
    path = (
        LearningPath.objects.select_related(
            "owner", "owner__job_role", "suggested_by", "target_role"
        )
        .filter(pk=path_id)
        .first()
    )
    if path is None or me is None:
        raise Http404("No such path.")
    if path.owner_id == me.pk:
        return path, True
    if (
        path.suggested_by_id == me.pk
        and path.owner.manager_path.startswith(me.manager_path)
        and path.owner.is_active
    ):
        return path, False
    raise Http404("No such path.")


def reports_for_suggestions(*, manager: Employee, q: str = "", limit: int = 25) -> list[Employee]:
    """People a manager may suggest a path to: their direct reports, or anyone in their reporting
    line whose name or id matches ``q``."""
    from trellis.people.selectors import direct_reports, reporting_line

    q = q.strip()
    if q:
        qs = reporting_line(manager=manager).filter(
            Q(full_name__icontains=q) | Q(employee_id__iexact=q)
        )
    else:
        qs = direct_reports(employee=manager)
    return list(qs.order_by("full_name", "id")[:limit])


def get_report_for_manager(*, user: Any, employee_id: str) -> tuple[Employee, Employee]:
    """(manager, report) when ``employee_id`` is in the signed-in manager's reporting line; 404
    otherwise (whether the person exists is not revealed)."""
    from trellis.people.selectors import employee_for_user, reporting_line

    me = employee_for_user(user)
    if me is None:
        raise Http404("No such person.")
    report = reporting_line(manager=me).filter(employee_id=employee_id).first()
    if report is None:
        raise Http404("No such person.")
    return me, report


@dataclass
class Week:
    number: int
    starts_on: dt.date
    steps: list[PathStep] = field(default_factory=list)
    minutes: int = 0
    after_deadline: bool = False

    @property
    def minutes_text(self) -> str:
        return hours_text(self.minutes)


@dataclass
class PathPage:
    path: LearningPath
    weeks: list[Week]
    done: list[PathStep]
    dropped: list[PathStep]
    done_minutes: int
    total_minutes: int
    percent: int
    current_week: int
    finishes_on: dt.date | None
    done_text: str
    total_text: str
    uncovered: list[str]  # "analyse big data, levels 1 to 3"
    reached_by_deadline: list[dict[str, Any]]


def _uncovered_lines(rows: list[dict[str, Any]]) -> list[str]:
    levels: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        levels[row["label"]].append(int(row["level"]))
    return [f"{label}, {engine.level_phrase(found)}" for label, found in levels.items()]


def path_page(*, path: LearningPath, today: dt.date | None = None) -> PathPage:
    """What the path page shows: weekly milestones of the planned steps, what is done, what was
    skipped or swapped, progress, and the deadline's verdict (one query for the steps)."""
    today = today or timezone.localdate()
    steps = list(path.steps.select_related("item", "item__provider").order_by("position", "id"))
    planned = [s for s in steps if s.status == PathStep.Status.PLANNED]
    done = sorted(
        (s for s in steps if s.status == PathStep.Status.DONE),
        key=lambda s: (s.completed_at or timezone.now(), s.position),
    )
    dropped = [s for s in steps if s.status in (PathStep.Status.SKIPPED, PathStep.Status.REPLACED)]
    weeks: dict[int, Week] = {}
    for number, step in enumerate(planned, start=1):
        step.number = number  # type: ignore[attr-defined]
        week = weeks.get(step.week_start)
        if week is None:
            week = weeks[step.week_start] = Week(
                number=step.week_start,
                starts_on=path.starts_on + dt.timedelta(weeks=step.week_start - 1),
            )
        week.steps.append(step)
        week.minutes += step.minutes
        week.after_deadline = week.after_deadline or not step.by_deadline
    done_minutes = sum(s.minutes for s in done)
    total = done_minutes + sum(s.minutes for s in planned)
    finishes_on = (
        path.starts_on + dt.timedelta(weeks=path.finishes_week) - dt.timedelta(days=1)
        if path.finishes_week
        else None
    )
    labels = {g["skill"]: g for g in path.gap}
    reached = [
        {
            "label": labels[int(k)]["label"],
            "level": v,
            "target": labels[int(k)]["target"],
        }
        for k, v in path.reached_by_deadline.items()
        if int(k) in labels
    ]
    return PathPage(
        path=path,
        weeks=[weeks[k] for k in sorted(weeks)],
        done=done,
        dropped=dropped,
        done_minutes=done_minutes,
        total_minutes=total,
        percent=round(100 * done_minutes / total) if total else 100,
        current_week=_week_of(path, today),
        finishes_on=finishes_on,
        done_text=hours_text(done_minutes),
        total_text=hours_text(total),
        uncovered=_uncovered_lines(path.uncovered),
        reached_by_deadline=sorted(reached, key=lambda r: r["label"]),
    )


@dataclass
class Alternative:
    item: Any
    covers: list[tuple[str, int]]  # (skill label, level)


def step_alternatives(*, path: LearningPath, step: PathStep, limit: int = 5) -> list[Alternative]:
    """Items that could take the step's place: teaching most of the levels it covers, then the
    shortest; never one skipped, swapped out, done, or already planned."""
    from trellis.catalog.models import Item

    target = target_resolve(
        employee=path.owner, kind=path.target_kind, role=path.target_role, skills=path.target_skills
    )
    goals = [engine.SkillGoal(g.skill_id, g.current, g.target) for g in target.goals]
    catalog = _catalog_for(g.skill_id for g in target.goals)
    taken = set(path.steps.exclude(pk=step.pk).values_list("item_id", flat=True))
    this = catalog.get(step.item_id)
    if this is None:
        return []
    found = engine.alternatives(
        goals,
        catalog.values(),
        this,
        engine.PathConstraints(
            preferred_formats=frozenset(path.preferred_formats),
            excluded=frozenset(taken),
            completed=frozenset(_completed_items(path.owner)),
        ),
        limit=limit,
    )
    items = Item.objects.in_bulk([alt.id for alt, _ in found])
    labels = {g.skill_id: g.label for g in target.goals}
    return [
        Alternative(item=items[alt.id], covers=[(labels[s], r) for s, r in shared])
        for alt, shared in found
        if alt.id in items
    ]


def next_roles(*, employee: Employee) -> tuple[list[JobRole], list[JobRole]]:
    """Roles to aim at: (suggested next roles: same job family, more senior; every other role)."""
    roles = list(JobRole.objects.order_by("title"))
    mine = employee.job_role
    suggested = [
        r
        for r in roles
        if mine is not None
        and r.pk != mine.pk
        and r.family
        and r.family == mine.family
        and r.seniority > mine.seniority
    ]
    suggested.sort(key=lambda r: (r.seniority, r.title))
    others = [r for r in roles if r not in suggested and (mine is None or r.pk != mine.pk)]
    return suggested, others


def learner_defaults(*, employee: Employee) -> dict[str, Any]:
    """What the learner told "Control your feed" (target role, formats, target skills), to start
    the path form from; empty where that part of discovery is not there."""
    try:
        from trellis.discovery import personalization
    except ImportError:  # pragma: no cover - the personalization area is optional here
        return {}
    out: dict[str, Any] = {}
    settings = personalization.settings_get(employee=employee)
    if settings.target_role_id:
        out["target_role"] = settings.target_role_id
    if settings.preferred_formats:
        out["preferred_formats"] = list(settings.preferred_formats)
    targets = personalization.target_skills_list(employee=employee)
    if targets:
        out["target_skills"] = [{"skill": t.skill_id, "level": t.level} for t in targets]
    return out


# --- demo -----------------------------------------------------------------------------------


def demo_paths_and_playlists(*, stdout: Any = None) -> dict[str, Any]:
    """Demo step: curated playlists published by Lena (AI literacy for everyone; data foundations
    for Technology & Data), Sam's own playlist shared by link, Sam's path toward his role, and a
    path Priya suggests to Sam toward a next role. Idempotent (does nothing the second time)."""
    from django.contrib.auth import get_user_model

    from trellis.catalog.models import Item
    from trellis.discovery import playlists
    from trellis.discovery.models import Playlist
    from trellis.people.models import Department

    if Playlist.objects.filter(title="AI literacy essentials", kind="curated").exists():
        return {"created": 0}
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["lena", "sam", "priya"])
    }
    if set(users) != {"lena", "sam", "priya"}:
        return {"created": 0, "skipped": "the demo logins are missing"}
    lena, sam_user = users["lena"], users["sam"]
    sam, priya = sam_user.employee, users["priya"].employee
    published = Item.objects.filter(is_published=True)
    summary: dict[str, Any] = {"playlists": 0, "paths": 0}

    def curated(
        title: str, description: str, items: Iterable[Any], rules: list[dict[str, Any]]
    ) -> None:
        playlist = playlists.playlist_create(
            user=lena, kind="curated", title=title, description=description
        )
        for item in items:
            playlists.playlist_item_add(user=lena, playlist=playlist, item=item)
        playlists.playlist_audience_set(user=lena, playlist=playlist, rules=rules)
        playlists.playlist_publish(user=lena, playlist=playlist)
        summary["playlists"] += 1

    curated(
        "AI literacy essentials",
        "Start here: what generative AI is, how to prompt it and how to check what it says.",
        published.filter(collection="AI literacy essentials").order_by("sequence", "id")[:8],
        [{}],
    )
    tech = Department.objects.filter(name__icontains="technology").order_by("path").first()
    if tech is not None:
        curated(
            "Data foundations",
            "Python and statistics for everyone who works with data.",
            list(
                published.filter(collection="Introduction to Python Programming").order_by(
                    "sequence", "id"
                )[:4]
            )
            + list(
                published.filter(collection="Introductory Statistics 2e").order_by(
                    "sequence", "id"
                )[:4]
            ),
            [{"departments": [tech]}],
        )
    mine = playlists.playlist_create(
        user=sam_user,
        kind="personal",
        title="Prompting practice",
        description="What I want to try this month.",
        sharing="link",
    )
    for item in published.filter(collection="Prompting well").order_by("sequence", "id")[:4]:
        playlists.playlist_item_add(user=sam_user, playlist=mine, item=item)
    summary["playlists"] += 1
    today = timezone.localdate()
    try:
        path_create(
            owner=sam,
            actor=sam_user,
            target_kind=LearningPath.Target.ROLE,
            weekly_minutes=180,
            deadline=today + dt.timedelta(weeks=8),
        )
        summary["paths"] += 1
    except ValidationError as exc:
        summary["sam_path"] = " ".join(exc.messages)
    suggested, _ = next_roles(employee=sam)
    if suggested:
        try:
            path_suggest(
                manager=priya,
                employee=sam,
                actor=priya.user,
                note="A step toward the senior role we talked about.",
                target_kind=LearningPath.Target.NEXT_ROLE,
                target_role=suggested[0],
                weekly_minutes=120,
            )
            summary["paths"] += 1
        except (ValidationError, Http404) as exc:
            summary["priya_suggestion"] = str(exc)
    if stdout:
        stdout.write(f"    {summary['playlists']} playlists, {summary['paths']} learning paths\n")
    return summary
