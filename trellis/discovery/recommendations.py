"""The "For you" feed: ``recommendations_for(employee=..., limit=10)``.

The catalog and the organisation's activity are turned into an engine ``CatalogIndex`` once and kept
in this process for ``INDEX_TTL_SECONDS`` (or until the catalog changes). Everything about the
learner is read at call time, and only what they consented to: a withdrawn signal's data is not
queried at all (see ``learner_profile_build``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from trellis.catalog.models import Item, ItemSkill
from trellis.discovery import personalization
from trellis.discovery.engine.recommend import (
    CatalogIndex,
    HybridRecommender,
    ItemInfo,
    LearnerProfile,
    Reason,
    Recommendation,
)
from trellis.discovery.models import (
    ConsentRecord,
    PersonalizationSettings,
    RecommendationFeedback,
    RecommendationImpression,
    Signal,
)
from trellis.lrs.models import Progress
from trellis.people.models import Employee
from trellis.skills.ai_literacy import FAMILY_SLUG, LEVEL_NAMES
from trellis.skills.models import RoleSkill, Skill, SkillEvidence
from trellis.skills.selectors import rounded_mean

INDEX_TTL_SECONDS = 300
#: Activity in this many days counts twice in popularity ("popular lately").
RECENT_DAYS = 90
#: An item is "high quality" when at least this many people started it and this share finished it.
HIGH_QUALITY_MIN_STARTS = 5
HIGH_QUALITY_MIN_DONE_SHARE = 0.6

DONE = (Progress.Status.COMPLETED, Progress.Status.PASSED)


@dataclass
class IndexBundle:
    index: CatalogIndex
    high_quality: frozenset[int]
    key: tuple[Any, ...]
    built_at: float


_lock = threading.Lock()
_bundle: IndexBundle | None = None


def recommendation_index_clear() -> None:
    """Forget the cached index (tests; after bulk imports)."""
    global _bundle
    with _lock:
        _bundle = None


def _catalog_key() -> tuple[Any, ...]:
    agg = Item.objects.filter(is_published=True).aggregate(n=Count("id"), at=Max("updated_at"))
    return (agg["n"], agg["at"])


def _withdrawn(signal: str) -> set[int]:
    """Employees whose latest decision on ``signal`` is a withdrawal (or who never granted a signal
    that is off by default)."""
    latest: dict[int, bool] = {}
    for employee_id, granted in (
        ConsentRecord.objects.filter(signal=signal)
        .order_by("employee_id", "-recorded_at", "-id")
        .values_list("employee_id", "granted")
    ):
        latest.setdefault(employee_id, granted)
    return {pk for pk, granted in latest.items() if not granted}


_refreshing = threading.Event()


def recommendation_index() -> IndexBundle:
    """The cached engine index. When the catalog changed it is rebuilt before answering; when it is
    only older than the TTL (new activity), the old one keeps answering while a background thread
    rebuilds it."""
    global _bundle
    key = _catalog_key()
    bundle = _bundle
    if bundle and bundle.key == key:
        stale = time.monotonic() - bundle.built_at >= INDEX_TTL_SECONDS
        if stale and not key[0]:
            _bundle = _build_index(key)  # an empty catalog: nothing to wait for
            return _bundle
        if stale and not _refreshing.is_set():
            _refreshing.set()
            threading.Thread(target=_refresh, args=(key,), daemon=True).start()
        return bundle
    with _lock:
        bundle = _bundle
        if bundle and bundle.key == key:
            return bundle
        _bundle = _build_index(key)
        return _bundle


def _refresh(key: tuple[Any, ...]) -> None:
    global _bundle
    try:
        fresh = _build_index(key)
        with _lock:
            _bundle = fresh
    finally:
        _refreshing.clear()
        connection.close()


def _build_index(key: tuple[Any, ...]) -> IndexBundle:
    now = timezone.now()
    items_rows = list(
        Item.objects.filter(is_published=True)
        .order_by("id")
        .values_list(
            "id", "title", "format", "level", "created_at", "collection", "duration_minutes"
        )
    )
    skills: dict[int, list[tuple[int, float]]] = {}
    for item_id, skill_id, weight in ItemSkill.objects.filter(item__is_published=True).values_list(
        "item_id", "skill_id", "weight"
    ):
        skills.setdefault(item_id, []).append((skill_id, weight))
    items = [
        ItemInfo(
            id=pk,
            title=title,
            format=fmt,
            level=level,
            skills=tuple(skills.get(pk, ())),
            age_days=(now - created).total_seconds() / 86400,
            collection=collection,
            duration_minutes=minutes,
        )
        for pk, title, fmt, level, created, collection, minutes in items_rows
    ]
    skill_ids = {s for links in skills.values() for s, _ in links}
    labels = dict(Skill.objects.filter(pk__in=skill_ids).values_list("id", "label"))
    ai_skills = list(Skill.objects.filter(family__slug=FAMILY_SLUG).values_list("id", flat=True))

    # Other people's activity feeds popularity, peers and the sequence model, except for people who
    # withdrew consent to their activity (or their HR data, for the per-role/department tables).
    no_activity = _withdrawn(Signal.ACTIVITY)
    no_hr = _withdrawn(Signal.HR_DATA)
    resets = dict(
        PersonalizationSettings.objects.filter(history_reset_at__isnull=False).values_list(
            "employee_id", "history_reset_at"
        )
    )
    recent_since = now - timedelta(days=RECENT_DAYS)
    activity: list[tuple[int, int]] = []
    recent: list[tuple[int, int]] = []
    starts: dict[int, int] = {}
    done: dict[int, int] = {}
    for employee_id, item_id, status, first_at in (
        Progress.objects.filter(item__isnull=False, item__is_published=True)
        .order_by("first_activity_at", "id")
        .values_list("employee_id", "item_id", "status", "first_activity_at")
    ):
        if employee_id in no_activity:
            continue
        starts[item_id] = starts.get(item_id, 0) + 1
        if status in DONE:
            done[item_id] = done.get(item_id, 0) + 1
        reset = resets.get(employee_id)
        if reset is not None and first_at < reset:
            continue
        activity.append((employee_id, item_id))
        if first_at >= recent_since:
            recent.append((employee_id, item_id))
    active = {e for e, _ in activity}
    groups = {
        pk: (role_id, family or "", department_id)
        for pk, role_id, family, department_id in Employee.objects.filter(pk__in=active)
        .exclude(pk__in=no_hr)
        .values_list("pk", "job_role_id", "job_role__family", "department_id")
    }
    index = CatalogIndex(
        items,
        skill_labels=labels,
        ai_skills=ai_skills,
        activity=activity,
        recent_activity=recent,
        learner_groups=groups,
    )
    high_quality = frozenset(
        item_id
        for item_id, n in starts.items()
        if n >= HIGH_QUALITY_MIN_STARTS and done.get(item_id, 0) / n >= HIGH_QUALITY_MIN_DONE_SHARE
    )
    return IndexBundle(index=index, high_quality=high_quality, key=key, built_at=time.monotonic())


# --------------------------------------------------------------------------------------------


@dataclass
class ProfileSources:
    """What the profile was built from, in words for the "Why am I seeing this" panel."""

    used: list[str] = field(default_factory=list)
    not_used: list[str] = field(default_factory=list)


def learner_profile_build(
    *, employee: Employee, index: CatalogIndex | None = None
) -> tuple[LearnerProfile, ProfileSources]:
    """The engine's view of ``employee``: only what is switched on and consented to is queried."""
    settings = personalization.settings_get(employee=employee)
    sources = ProfileSources()
    if not settings.enabled:
        sources.not_used.append("Personalization is off: nothing about you is used.")
        return LearnerProfile(key=employee.pk, personalised=False), sources
    consent = {s: c.granted for s, c in personalization.consent_current(employee=employee).items()}
    profile = LearnerProfile(key=employee.pk)

    if consent[Signal.HR_DATA]:
        emp = (
            Employee.objects.filter(pk=employee.pk)
            .select_related("job_role", "department")
            .only("id", "job_role__title", "job_role__family", "department__name")
            .get()
        )
        if emp.job_role is not None:
            profile.role_id = emp.job_role.pk
            profile.role_title = emp.job_role.title
            profile.role_family = emp.job_role.family
            profile.role_profile = {
                skill_id: (target, essential)
                for skill_id, target, essential in RoleSkill.objects.filter(
                    job_role_id=emp.job_role.pk
                ).values_list("skill_id", "target_level", "is_essential")
            }
            sources.used.append(f"Your role, {emp.job_role.title}, and its skill profile (HR data)")
        if emp.department is not None:
            profile.department_id = emp.department.pk
            profile.department_name = emp.department.name
            sources.used.append(f"Your department, {emp.department.name} (HR data)")
    else:
        sources.not_used.append("HR data (role, department): you withdrew consent")

    if settings.target_role_id:
        role = settings.target_role
        profile.target_title = role.title if role else ""
        profile.target_profile = {
            skill_id: (target, essential)
            for skill_id, target, essential in RoleSkill.objects.filter(
                job_role_id=settings.target_role_id
            ).values_list("skill_id", "target_level", "is_essential")
        }
    targets = personalization.target_skills_list(employee=employee)
    if targets:
        for t in targets:
            profile.target_profile[t.skill_id] = (t.level, True)
        if not profile.target_title:
            profile.target_title = ", ".join(t.skill.label for t in targets[:3])
    if profile.target_profile:
        sources.used.append(f"Your goal: {profile.target_title}")
    interests = personalization.interests_list(employee=employee)
    if interests:
        profile.interests = {i.skill_id for i in interests}
        sources.used.append("Your interests: " + ", ".join(i.skill.label for i in interests))
    if settings.preferred_formats:
        profile.preferred_formats = set(settings.preferred_formats)
        sources.used.append("Your preferred formats")

    if consent[Signal.SKILLS]:
        evidence = SkillEvidence.objects.filter(employee_id=employee.pk)
        if not consent[Signal.ACTIVITY]:
            evidence = evidence.exclude(
                kind__in=[SkillEvidence.Kind.LEARNING, SkillEvidence.Kind.MENTORING]
            )
        latest: dict[int, int] = {}
        for skill_id, level in evidence.order_by("skill_id", "-observed_on", "-id").values_list(
            "skill_id", "level"
        ):
            latest.setdefault(skill_id, level)
        profile.skill_levels = latest
        ai_ids = index_ai_skills(index)
        ai_levels = [lvl for s, lvl in latest.items() if s in ai_ids]
        profile.ai_literacy_level = rounded_mean(ai_levels) or 0
        profile.ai_level_names = tuple(LEVEL_NAMES)
        if latest:
            sources.used.append("Your skill levels and AI-literacy level (skills profile)")
    else:
        sources.not_used.append("Skills profile: you withdrew consent")

    if consent[Signal.ACTIVITY]:
        rows = Progress.objects.filter(employee_id=employee.pk, item__isnull=False)
        if settings.history_reset_at:
            rows = rows.filter(last_activity_at__gte=settings.history_reset_at)
        for item_id, status in rows.order_by("first_activity_at", "id").values_list(
            "item_id", "status"
        ):
            profile.history.append(item_id)
            if status in DONE:
                profile.done.add(item_id)
        if profile.history:
            sources.used.append("What you opened and finished (learning activity)")
    else:
        sources.not_used.append("Learning activity: you withdrew consent")
    if consent[Signal.SURVEYS]:
        _apply_survey_signals(employee, profile, sources)
    else:
        sources.not_used.append("Survey answers: not used without your consent")

    for item_id, kind in RecommendationFeedback.objects.filter(employee_id=employee.pk).values_list(
        "item_id", "kind"
    ):
        if kind == RecommendationFeedback.Kind.MORE_LIKE_THIS:
            profile.more_like.append(item_id)
        elif kind == RecommendationFeedback.Kind.NOT_FOR_ME:
            profile.not_for_me.append(item_id)
        else:
            profile.dismissed.add(item_id)
    if profile.more_like or profile.not_for_me:
        sources.used.append("Your “more like this” and “not for me” choices")
    return profile, sources


#: The AI-literacy rung (1 Aware … 5 Advanced) a self-rated level in the AI-readiness pulse stands
#: for, when no skill evidence gives one.
SURVEY_AI_LEVEL = {"beginner": 2, "intermediate": 3, "advanced": 4}


def _apply_survey_signals(employee: Any, profile: Any, sources: Any) -> None:
    """With the "surveys" consent: the latest AI-readiness pulse's self-rated AI level fills the
    learner's AI-literacy level when their skills profile has none (or is not used)."""
    from trellis.surveys.selectors import survey_signals_for

    signals = survey_signals_for(employee)
    level = SURVEY_AI_LEVEL.get(signals.get("ai_self_level") or "")
    if not level:
        return
    if not profile.ai_literacy_level:
        profile.ai_literacy_level = level
        profile.ai_level_names = tuple(LEVEL_NAMES)
        sources.used.append(
            f"Your AI-readiness survey answer: {signals['ai_self_level']} with AI"
            f" (AI-literacy level {LEVEL_NAMES[level - 1]})"
        )
    else:
        sources.not_used.append(
            "Your AI-readiness survey answer: your skills profile already gives your AI level"
        )


def index_ai_skills(index: CatalogIndex | None) -> set[int]:
    if index is not None:
        return set(index.ai_skill_ids)
    return set(Skill.objects.filter(family__slug=FAMILY_SLUG).values_list("id", flat=True))


# --------------------------------------------------------------------------------------------


@dataclass
class FeedEntry:
    item: Item
    position: int
    reasons: tuple[Reason, ...]
    signals: dict[str, float]
    high_quality: bool

    @property
    def signal_shares(self) -> list[tuple[str, int]]:
        """(label, percent) of each signal that raised the score, largest first."""
        positive = {k: v for k, v in self.signals.items() if v > 0}
        total = sum(positive.values()) or 1.0
        return [
            (SIGNAL_LABELS.get(k, k), round(100 * v / total))
            for k, v in sorted(positive.items(), key=lambda kv: -kv[1])
        ]


@dataclass
class Feed:
    entries: list[FeedEntry]
    personalised: bool
    sources: ProfileSources


SIGNAL_LABELS = {
    "gap": "Skill gap for your role",
    "target": "Your goal",
    "interest": "Your interests",
    "more_like": "“More like this”",
    "history": "Your learning history",
    "peers_role": "People in your role",
    "peers_department": "People in your department",
    "popular": "Popularity",
    "fresh": "New in the catalog",
    "level_fit": "Level fit",
    "format": "Format",
    "ai_ladder": "AI-literacy ladder",
}


def recommendations_for(
    *, employee: Employee, limit: int = 10, record_impressions: bool = True
) -> Feed:
    """The learner's feed: items with reasons and the signals that contributed."""
    bundle = recommendation_index()
    profile, sources = learner_profile_build(employee=employee, index=bundle.index)
    recs = recommendations_rank(index=bundle.index, profile=profile, limit=limit)
    items = Item.objects.in_bulk([r.item_id for r in recs])
    entries = [
        FeedEntry(
            item=items[r.item_id],
            position=n,
            reasons=r.reasons,
            signals=r.signals,
            high_quality=r.item_id in bundle.high_quality,
        )
        for n, r in enumerate(recs, 1)
        if r.item_id in items
    ]
    if record_impressions and entries:
        impressions_record(employee=employee, entries=entries, personalised=profile.personalised)
    return Feed(entries=entries, personalised=profile.personalised, sources=sources)


def recommendations_rank(
    *, index: CatalogIndex, profile: LearnerProfile, limit: int
) -> list[Recommendation]:
    """The engine call (one place, so tests can see exactly what the engine was given)."""
    return HybridRecommender(index).recommend(profile, limit=limit)


def impressions_record(*, employee: Employee, entries: list[FeedEntry], personalised: bool) -> None:
    """One row per learner, item and day (insert-or-ignore: one query per feed view)."""
    today = timezone.localdate()
    RecommendationImpression.objects.bulk_create(
        [
            RecommendationImpression(
                employee=employee,
                item=e.item,
                shown_on=today,
                position=e.position,
                personalised=personalised,
                high_quality=e.high_quality,
            )
            for e in entries
        ],
        ignore_conflicts=True,
    )


def nudge_picks(*, employee_ids: Iterable[int]) -> dict[int, FeedEntry]:
    """For a nudge: each learner's top recommendation with its reasons, under their consent and
    settings exactly as their feed (personalization off: the organisation's popular and new items,
    the same for everyone, with that reason). Counted as shown (an impression), like a feed view.
    Learners the feed has nothing for are left out."""
    people = Employee.objects.filter(pk__in=list(employee_ids), is_active=True).order_by("pk")
    picks = {}
    for employee in people:
        feed = recommendations_for(employee=employee, limit=1)
        if feed.entries:
            picks[employee.pk] = feed.entries[0]
    return picks


def feed_item_explain(*, employee: Employee, item_id: int) -> tuple[FeedEntry | None, Feed]:
    """The "Why am I seeing this" of one item of the learner's current feed (None if not in it)."""
    feed = recommendations_for(employee=employee, limit=30, record_impressions=False)
    return next((e for e in feed.entries if e.item.pk == item_id), None), feed


def demo_impressions(*, stdout: Any = None, learners: int = 250, days: int = 60) -> dict[str, Any]:
    """Demo step: simulated "For you" visits of a sample of active employees over the last ``days``
    days (impressions only; acceptance is whatever the demo's learning records show after them)."""
    import random

    rng = random.Random(5)
    bundle = recommendation_index()
    ids_ = list(Employee.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    sample = sorted(rng.sample(ids_, min(learners, len(ids_))))
    today = timezone.localdate()
    rows: list[RecommendationImpression] = []
    for employee in Employee.objects.filter(pk__in=sample):
        profile, _ = learner_profile_build(employee=employee, index=bundle.index)
        recs = recommendations_rank(index=bundle.index, profile=profile, limit=10)
        for _visit in range(rng.randint(1, 3)):
            shown_on = today - timedelta(days=rng.randint(0, days - 1))
            rows.extend(
                RecommendationImpression(
                    employee=employee,
                    item_id=r.item_id,
                    shown_on=shown_on,
                    position=n,
                    personalised=profile.personalised,
                    high_quality=r.item_id in bundle.high_quality,
                )
                for n, r in enumerate(recs, 1)
            )
    RecommendationImpression.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return {"learners": len(sample), "impressions": len(rows)}
