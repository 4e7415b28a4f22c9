"""Figures computed from other apps' tables, read-only: skills, content, personalization.

Each takes ``employee_ids``: None for the whole organisation (then the refresh stores the result as a
``Summary`` and pages read that), or a manager's reporting line (small: computed when asked).
Results are plain JSON-able dicts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from statistics import median
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

DROP_OFF_DAYS = 14
NUDGE_DAYS = 7
PERSONALIZATION_DAYS = 90
TOP_ITEMS = 25
HEATMAP_SKILLS = 12
DONE = ("completed", "passed")


def _people(employee_ids: Iterable[int] | None) -> list[tuple[int, int | None, int | None]]:
    from trellis.people.models import Employee

    qs = Employee.objects.filter(is_active=True)
    if employee_ids is not None:
        qs = qs.filter(pk__in=list(employee_ids))
    return list(qs.values_list("pk", "department_id", "job_role_id"))


def _in(qs: Any, field: str, ids: set[int] | None) -> Any:
    return qs if ids is None else qs.filter(**{f"{field}__in": list(ids)})


# --- skills -------------------------------------------------------------------------------------


def skills_figures(*, employee_ids: Iterable[int] | None) -> dict[str, Any]:
    """Departments by skills: people whose role profile requires the skill, and how many of them have
    evidence (latest piece, any kind) at or above the target level."""
    from trellis.catalog.models import ItemSkill
    from trellis.lrs.models import Progress
    from trellis.lrs.projection import evidence_level
    from trellis.people.models import Department
    from trellis.skills.models import RoleSkill, Skill, SkillEvidence

    people = _people(employee_ids)
    ids = {p for p, _, _ in people} if employee_ids is not None else None
    required: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for role_id, skill_id, target in RoleSkill.objects.values_list(
        "job_role_id", "skill_id", "target_level"
    ):
        required[role_id].append((skill_id, target))
    latest: dict[tuple[int, int], int] = {}
    evidence = _in(SkillEvidence.objects.all(), "employee_id", ids)
    for employee_id, skill_id, level in evidence.order_by(
        "employee_id", "skill_id", "-observed_on", "-id"
    ).values_list("employee_id", "skill_id", "level"):
        latest.setdefault((employee_id, skill_id), level)
    cells: dict[tuple[int | None, int], list[int]] = defaultdict(lambda: [0, 0])
    targets: dict[int, list[int]] = defaultdict(list)
    for pk, dept, role in people:
        for skill_id, target in required.get(role or 0, []):
            cell = cells[(dept, skill_id)]
            cell[0] += 1
            targets[skill_id].append(target)
            if latest.get((pk, skill_id), 0) >= target:
                cell[1] += 1
    per_skill: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (_, skill_id), (req, met) in cells.items():
        per_skill[skill_id][0] += req
        per_skill[skill_id][1] += met
    skill_ids = sorted(per_skill, key=lambda s: (-per_skill[s][0], s))[:HEATMAP_SKILLS]
    labels = dict(Skill.objects.filter(pk__in=list(per_skill)).values_list("pk", "label"))
    dept_names = dict(Department.objects.values_list("pk", "name"))
    gaps: list[dict[str, Any]] = sorted(
        (
            {
                "skill_id": s,
                "skill": labels.get(s, "?"),
                "required": req,
                "meeting": met,
                "missing": req - met,
                "share": round(met / req, 4) if req else 0.0,
                "target": int(median(targets[s])) if targets[s] else 0,
            }
            for s, (req, met) in per_skill.items()
        ),
        key=lambda g: (-int(g["missing"]), str(g["skill"])),  # type: ignore[call-overload]
    )[:10]
    gap_skills: list[int] = [int(g["skill_id"]) for g in gaps]
    tagged = set(
        ItemSkill.objects.filter(skill_id__in=gap_skills, item__is_published=True).values_list(
            "item_id", flat=True
        )
    )
    done_counts: dict[int, int] = dict(
        Progress.objects.filter(status__in=DONE, item_id__in=tagged)  # the (item, status) index
        .values_list("item_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    closers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for skill_id, item_id, title, uid, item_level, weight in (
        ItemSkill.objects.filter(skill_id__in=gap_skills, item__is_published=True)
        .values_list("skill_id", "item_id", "item__title", "item__uid", "item__level", "weight")
        .order_by("item_id")
    ):
        level = evidence_level(item_level=item_level or 1, weight=weight or 0.0)
        closers[skill_id].append(
            {
                "item_id": item_id,
                "title": title,
                "uid": str(uid),
                "level": level,
                "completions": done_counts.get(item_id, 0),
            }
        )
    for g in gaps:
        options = closers.get(int(g["skill_id"]), [])
        right = [o for o in options if o["level"] >= g["target"]] or options
        right.sort(key=lambda o: (-o["completions"], -o["level"], o["title"]))
        g["items"] = right[:3]
    departments = sorted({d for d, _ in cells}, key=lambda d: dept_names.get(d, "—") if d else "—")
    return {
        "departments": [
            {"id": d, "name": dept_names.get(d, "—") if d else "—"} for d in departments
        ],
        "skills": [{"id": s, "label": labels.get(s, "?")} for s in skill_ids],
        "cells": [
            [d, s, cells[(d, s)][0], cells[(d, s)][1]]
            for d in departments
            for s in skill_ids
            if (d, s) in cells
        ],
        "gaps": gaps,
        "people": len(people),
    }


# --- content ------------------------------------------------------------------------------------


def _ratings(ids: set[int] | None) -> dict[int, list[float]]:
    from trellis.lrs.events import RATED
    from trellis.lrs.models import Statement
    from trellis.lrs.projection import EmployeeResolver, ItemResolver

    people = EmployeeResolver()
    items = ItemResolver()
    out: dict[int, list[float]] = defaultdict(list)
    rows = list(
        Statement.objects.filter(verb_id=RATED[0], is_voided=False).values_list(
            "actor_ifi", "object_activity_id", "data"
        )
    )
    items.prefetch({a for _, a, _ in rows})
    if ids is not None:
        people.prefetch({a for a, _, _ in rows})
    for actor, activity, data in rows:
        if ids is not None and people.resolve(actor) not in ids:
            continue
        item_id = items.resolve(activity)
        raw = ((data or {}).get("result") or {}).get("score", {}).get("raw")
        if item_id is not None and isinstance(raw, int | float):
            out[item_id].append(float(raw))
    return out


def ai_enrichment() -> dict[str, Any]:
    """Share of the published catalog with an AI skill tag (accepted) or an AI suggestion pending;
    the discovery app's own coverage figures beside it."""
    from trellis.catalog.models import Item, ItemSkill
    from trellis.discovery.models import TagSuggestion
    from trellis.discovery.tagging import tagging_coverage

    items = Item.objects.filter(is_published=True)
    row = items.annotate(
        auto=Exists(
            ItemSkill.objects.filter(item=OuterRef("pk"), origin=ItemSkill.Origin.AUTOMATIC)
        ),
        pending=Exists(
            TagSuggestion.objects.filter(item=OuterRef("pk"), status=TagSuggestion.Status.PENDING)
        ),
    ).aggregate(
        total=Count("id"),
        ai=Count("id", filter=Q(auto=True) | Q(pending=True)),
        accepted=Count("id", filter=Q(auto=True)),
    )
    total = row["total"] or 0
    coverage = tagging_coverage()
    return {
        "items": total,
        "ai_enriched": row["ai"],
        "ai_enriched_share": round(row["ai"] / total, 4) if total else 0.0,
        "ai_accepted": row["accepted"],
        "ai_accepted_share": round(row["accepted"] / total, 4) if total else 0.0,
        "tagged_share": coverage.get("tagged_share", 0.0),
        "manual_share": coverage.get("manual_share", 0.0),
        "with_suggestions_share": coverage.get("with_suggestions_share", 0.0),
        "suggestions": coverage.get("suggestions", {}),
        "summaries": 0,
    }


def content_figures(*, employee_ids: Iterable[int] | None, today: dt.date) -> dict[str, Any]:
    """Per item: learners (progress rows = starts), completions, completion rate, drop-off (started,
    not done, no activity for ``DROP_OFF_DAYS`` days), ratings, time spent. The most used first."""
    from trellis.catalog.models import Item
    from trellis.lrs.models import Progress

    ids = set(employee_ids) if employee_ids is not None else None
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=DROP_OFF_DAYS), dt.time())
    )
    qs = _in(Progress.objects.filter(item__isnull=False), "employee_id", ids)
    done = Q(status__in=DONE)
    stats: dict[int, list[int]] = {
        item_id: [learners, completed, dropped, seconds or 0]
        for item_id, learners, completed, dropped, seconds in qs.values("item_id")
        .annotate(
            learners=Count("id"),
            completed=Count("id", filter=done),
            dropped=Count("id", filter=~done & Q(last_activity_at__lt=cutoff)),
            seconds=Sum("time_spent_seconds"),
        )
        .values_list("item_id", "learners", "completed", "dropped", "seconds")
        .order_by()
    }
    ratings = _ratings(ids)
    top = sorted(stats, key=lambda i: (-stats[i][0], i))[:TOP_ITEMS]
    titles = dict(Item.objects.filter(pk__in=top).values_list("pk", "title"))
    rows = []
    for item_id in top:
        learners, done, dropped, seconds = stats[item_id]
        r = ratings.get(item_id, [])
        rows.append(
            {
                "item_id": item_id,
                "title": titles.get(item_id, "?"),
                "learners": learners,
                "completed": done,
                "completion_rate": round(done / learners, 4) if learners else 0.0,
                "dropped": dropped,
                "drop_off_rate": round(dropped / learners, 4) if learners else 0.0,
                "rating": round(sum(r) / len(r), 2) if r else None,
                "ratings": len(r),
                "hours": round(seconds / 3600, 1),
            }
        )
    total_learners = sum(s[0] for s in stats.values())
    total_done = sum(s[1] for s in stats.values())
    return {
        "items": rows,
        "items_used": len(stats),
        "starts": total_learners,
        "completion_rate": round(total_done / total_learners, 4) if total_learners else 0.0,
        "hours": round(sum(s[3] for s in stats.values()) / 3600, 1),
        "enrichment": ai_enrichment(),
    }


# --- personalization ----------------------------------------------------------------------------

_REMINDER = re.compile(r"^program:(\d+):enrollment:(\d+):(nudge|due_soon|overdue)(?::|$)")


def nudge_effect(
    *, employee_ids: Iterable[int] | None, today: dt.date, days: int = NUDGE_DAYS
) -> dict[str, Any]:
    """Completion within ``days`` after a reminder (nudge, due soon, overdue) vs comparable learners.

    For each reminder sent at ``t`` about an enrollment that was not complete at ``t``: the
    comparison group is the other active enrollments of the same program in the same progress state
    at ``t`` (started or not, not complete) that got no reminder from ``t - days`` to ``t + days``.
    Outcome: completed in ``(t, t + days]``. Reminders of one program on one day in one state
    share one comparison group (counted once, at the day's first reminder). Reminders of the last ``days`` days are left out (their
    outcome is not known yet)."""
    from trellis.notify.models import Notification
    from trellis.programs.models import Enrollment

    ids = set(employee_ids) if employee_ids is not None else None
    horizon = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time()))
    reminders: list[tuple[int, int, str, dt.datetime]] = []
    for key, created_at in Notification.objects.filter(key__startswith="program:").values_list(
        "key", "created_at"
    ):
        m = _REMINDER.match(key)
        if m:
            reminders.append((int(m[1]), int(m[2]), m[3], created_at))
    by_enrollment: dict[int, list[dt.datetime]] = defaultdict(list)
    for _p, e, _k, at in reminders:
        by_enrollment[e].append(at)
    programs = {p for p, *_ in reminders}
    enrollments = {
        pk: (program_id, employee_id, started_at, completed_at)
        for pk, program_id, employee_id, started_at, completed_at in _in(
            Enrollment.objects.filter(program_id__in=programs, state=Enrollment.State.ACTIVE),
            "employee_id",
            ids,
        ).values_list("pk", "program_id", "employee_id", "started_at", "completed_at")
    }
    per_program: dict[int, list[list[int]]] = defaultdict(lambda: [[0, 0], [0, 0]])
    window = dt.timedelta(days=days)
    by_program: dict[int, list[int]] = defaultdict(list)
    for pk, (program_id, *_rest) in enrollments.items():
        by_program[program_id].append(pk)
    buckets: dict[tuple[int, dt.date, bool], list[tuple[int, dt.datetime]]] = defaultdict(list)
    for program_id, enrollment_id, _kind, at in reminders:
        if at > horizon or enrollment_id not in enrollments:
            continue
        _, _, started, completed = enrollments[enrollment_id]
        if completed is not None and completed <= at:
            continue
        state = started is not None and started <= at
        buckets[(program_id, timezone.localdate(at), state)].append((enrollment_id, at))
    for (program_id, _day, state), nudged in sorted(buckets.items()):
        tally = per_program[program_id]
        for enrollment_id, at in nudged:
            completed = enrollments[enrollment_id][3]
            tally[0][0] += 1
            tally[0][1] += int(completed is not None and completed <= at + window)
        at = min(a for _, a in nudged)
        for other in by_program[program_id]:
            _, _, o_started, o_completed = enrollments[other]
            if o_completed is not None and o_completed <= at:
                continue
            if (o_started is not None and o_started <= at) != state:
                continue
            if any(abs(x - at) <= window for x in by_enrollment.get(other, [])):
                continue
            tally[1][0] += 1
            tally[1][1] += int(o_completed is not None and o_completed <= at + window)
    from trellis.programs.models import Program

    names = dict(Program.objects.filter(pk__in=list(per_program)).values_list("pk", "name"))

    def rate(t: list[int]) -> float | None:
        return round(t[1] / t[0], 4) if t[0] else None

    rows = []
    for program_id, (nudged_tally, others) in sorted(per_program.items()):
        a, b = rate(nudged_tally), rate(others)
        rows.append(
            {
                "program": names.get(program_id, "?"),
                "nudged": nudged_tally[0],
                "nudged_rate": a,
                "comparison": others[0],
                "comparison_rate": b,
                "difference": round((a - b) * 100, 1) if a is not None and b is not None else None,
            }
        )
    return {"days": days, "rows": rows}


def personalization_figures(
    *, employee_ids: Iterable[int] | None, today: dt.date, days: int = PERSONALIZATION_DAYS
) -> dict[str, Any]:
    """Acceptance of recommendations (same rule as the fairness report: first activity on the item
    on the day it was first shown or within ``ACCEPT_DAYS`` after), coverage, fairness (org only),
    and the effect of reminders."""
    from trellis.catalog.models import Item
    from trellis.discovery.fairness import ACCEPT_DAYS, fairness_report_build, flag_rule_text
    from trellis.discovery.models import RecommendationImpression
    from trellis.lrs.models import Progress

    ids = set(employee_ids) if employee_ids is not None else None
    since = today - dt.timedelta(days=days - 1)
    first: dict[tuple[int, int], dt.date] = {}
    impressions = 0
    for employee_id, item_id, shown_on in (
        _in(
            RecommendationImpression.objects.filter(shown_on__gte=since, shown_on__lte=today),
            "employee_id",
            ids,
        )
        .order_by("shown_on")
        .values_list("employee_id", "item_id", "shown_on")
        .iterator(chunk_size=20_000)
    ):
        impressions += 1
        first.setdefault((employee_id, item_id), shown_on)
    accepted: dict[tuple[int, int], dt.date] = {}
    if first:
        prog = Progress.objects.filter(
            item_id__in={i for _, i in first}, first_activity_at__date__gte=since
        )
        for employee_id, item_id, first_at in _in(prog, "employee_id", ids).values_list(
            "employee_id", "item_id", "first_activity_at"
        ):
            shown = first.get((employee_id, item_id))
            day = timezone.localdate(first_at)
            if shown is not None and shown <= day <= shown + dt.timedelta(days=ACCEPT_DAYS):
                accepted[(employee_id, item_id)] = shown
    weekly: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for key, shown in first.items():
        w = shown - dt.timedelta(days=shown.weekday())
        weekly[w][0] += 1
        weekly[w][1] += int(key in accepted)
    people = _people(ids)
    shown_people = {e for e, _ in first}
    published = Item.objects.filter(is_published=True).count()
    out: dict[str, Any] = {
        "days": days,
        "accept_days": ACCEPT_DAYS,
        "impressions": impressions,
        "recommendations": len(first),
        "accepted": len(accepted),
        "acceptance": round(len(accepted) / len(first), 4) if first else None,
        "learners": len(people),
        "learners_shown": len(shown_people & {p for p, _, _ in people}),
        "coverage_learners": round(len(shown_people) / len(people), 4) if people else None,
        "items_recommended": len({i for _, i in first}),
        "coverage_catalog": round(len({i for _, i in first}) / published, 4) if published else None,
        "weekly": [
            [w.isoformat(), n, a, round(a / n, 4) if n else None]
            for w, (n, a) in sorted(weekly.items())
        ],
        "nudges": nudge_effect(employee_ids=ids, today=today),
        "fairness": None,
    }
    if ids is None:
        report = fairness_report_build(days=days, today=today)
        out["fairness"] = {
            "rule": flag_rule_text(),
            "dimensions": [
                {
                    "dimension": d.dimension,
                    "overall": d.overall,
                    "rows": [
                        {
                            "group": r.group,
                            "learners": r.learners,
                            "impressions": r.impressions,
                            "rates": r.rates,
                            "flags": r.flags,
                            "too_small": r.too_small,
                        }
                        for r in d.rows
                    ],
                }
                for d in report.dimensions
            ],
        }
    return out
