"""Reads of the catalog: the filtered item list, facet counts, one item for a person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.core.permissions import Role, has_role

#: Duration buckets: key -> (label, lower bound exclusive or None, upper bound inclusive or None).
DURATION_BUCKETS: dict[str, tuple[str, int | None, int | None]] = {
    "0-10": ("10 min or less", None, 10),
    "10-30": ("10-30 min", 10, 30),
    "30-60": ("30-60 min", 30, 60),
    "60-180": ("1-3 hours", 60, 180),
    "180+": ("More than 3 hours", 180, None),
}
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": ("Title", ("title", "id")),
    "shortest": ("Shortest first", ("duration_minutes", "title", "id")),
    "newest": ("Newest first", ("-created_at", "-id")),
}
PER_PAGE_CHOICES = (12, 24, 48, 96)
DEFAULT_PER_PAGE = 24


@dataclass(frozen=True)
class ItemFilters:
    q: str = ""
    skill: int | None = None
    formats: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()
    durations: tuple[str, ...] = ()
    language: str = ""
    provider: str = ""
    sort: str = "title"

    @property
    def active(self) -> bool:
        return bool(
            self.q
            or self.skill
            or self.formats
            or self.levels
            or self.durations
            or self.language
            or self.provider
        )


@dataclass
class ParsedFilters:
    filters: ItemFilters
    errors: dict[str, str] = field(default_factory=dict)


def item_filters_parse(params: Mapping[str, Any]) -> ParsedFilters:
    """Read filters from GET parameters (a QueryDict or a dict of lists). Bad values are reported, not applied."""

    def many(name: str) -> list[str]:
        getlist = getattr(params, "getlist", None)
        values = getlist(name) if getlist else params.get(name, [])
        if isinstance(values, str):
            values = [values]
        return [str(v).strip() for v in values or [] if str(v).strip()]

    def one(name: str) -> str:
        values = many(name)
        return values[-1] if values else ""

    errors: dict[str, str] = {}
    skill: int | None = None
    if one("skill"):
        if one("skill").isdigit():
            skill = int(one("skill"))
        else:
            errors["skill"] = "must be a skill id"
    formats = tuple(dict.fromkeys(f for f in many("format") if f in Item.Format.values))
    if len(formats) != len(set(many("format"))):
        errors["format"] = f"choose from {', '.join(Item.Format.values)}"
    levels = tuple(dict.fromkeys(int(v) for v in many("level") if v in {"1", "2", "3", "4", "5"}))
    if len(levels) != len(set(many("level"))):
        errors["level"] = "choose from 1 to 5"
    durations = tuple(dict.fromkeys(d for d in many("duration") if d in DURATION_BUCKETS))
    if len(durations) != len(set(many("duration"))):
        errors["duration"] = f"choose from {', '.join(DURATION_BUCKETS)}"
    sort = one("sort") or "title"
    if sort not in SORTS:
        errors["sort"] = f"choose from {', '.join(SORTS)}"
        sort = "title"
    filters = ItemFilters(
        q=one("q")[:200],
        skill=skill,
        formats=formats,
        levels=levels,
        durations=durations,
        language=one("language")[:16],
        provider=one("provider")[:100],
        sort=sort,
    )
    return ParsedFilters(filters=filters, errors=errors)


def _duration_q(keys: tuple[str, ...]) -> Q:
    combined = Q()
    for key in keys:
        _, low, high = DURATION_BUCKETS[key]
        part = Q()
        if low is not None:
            part &= Q(duration_minutes__gt=low)
        if high is not None:
            part &= Q(duration_minutes__lte=high)
        combined |= part
    return combined


def _skill_q(skill_id: int) -> Q:
    """Items tagged with the skill or with one of its direct children."""
    tagged = ItemSkill.objects.filter(Q(skill_id=skill_id) | Q(skill__parents=skill_id)).values(
        "item_id"
    )
    return Q(id__in=tagged)


def _filtered(filters: ItemFilters, *, skip: str = "") -> QuerySet[Item]:
    qs = Item.objects.filter(is_published=True)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.skill:
        qs = qs.filter(_skill_q(filters.skill))
    if filters.formats and skip != "format":
        qs = qs.filter(format__in=filters.formats)
    if filters.levels and skip != "level":
        qs = qs.filter(level__in=filters.levels)
    if filters.durations and skip != "duration":
        qs = qs.filter(_duration_q(filters.durations))
    if filters.language and skip != "language":
        qs = qs.filter(
            Q(language__iexact=filters.language) | Q(language__istartswith=f"{filters.language}-")
        )
    if filters.provider and skip != "provider":
        qs = qs.filter(provider__slug=filters.provider)
    return qs


def item_skill_links_prefetch() -> Prefetch:
    return Prefetch(
        "skill_links",
        queryset=ItemSkill.objects.select_related("skill").order_by("-weight", "skill__label"),
    )


def item_list(*, filters: ItemFilters | None = None) -> QuerySet[Item]:
    """Published items matching ``filters``, provider joined and skill tags prefetched, sorted."""
    filters = filters or ItemFilters()
    _, ordering = SORTS.get(filters.sort, SORTS["title"])
    return (
        _filtered(filters)
        .select_related("provider")
        .prefetch_related(item_skill_links_prefetch())
        .order_by(*ordering)
    )


def item_facets(*, filters: ItemFilters) -> dict[str, list[dict[str, Any]]]:
    """Counts for the filter sidebar, one aggregate query per facet (5 queries whatever the data).

    Each facet counts items matching every *other* active filter, so choosing a format still shows
    how many items the other formats would give.
    """
    format_labels = dict(Item.Format.choices)
    level_labels = dict(Item.Level.choices)
    by_format = dict(
        _filtered(filters, skip="format").order_by().values_list("format").annotate(n=Count("id"))
    )
    by_level = dict(
        _filtered(filters, skip="level").order_by().values_list("level").annotate(n=Count("id"))
    )
    by_language = dict(
        _filtered(filters, skip="language")
        .order_by()
        .values_list("language")
        .annotate(n=Count("id"))
    )
    by_provider = list(
        _filtered(filters, skip="provider")
        .order_by()
        .values("provider__slug", "provider__name")
        .annotate(n=Count("id"))
        .order_by("provider__name")
    )
    buckets = _filtered(filters, skip="duration").aggregate(
        **{key: Count("id", filter=_duration_q((key,))) for key in DURATION_BUCKETS}
    )
    return {
        "format": [
            {
                "value": value,
                "label": label,
                "count": by_format.get(value, 0),
                "selected": value in filters.formats,
            }
            for value, label in format_labels.items()
            if by_format.get(value) or value in filters.formats
        ],
        "level": [
            {
                "value": value,
                "label": label,
                "count": by_level.get(value, 0),
                "selected": value in filters.levels,
            }
            for value, label in level_labels.items()
        ],
        "duration": [
            {
                "value": key,
                "label": label,
                "count": buckets[key] or 0,
                "selected": key in filters.durations,
            }
            for key, (label, _, _) in DURATION_BUCKETS.items()
        ],
        "language": [
            {"value": code, "label": code, "count": count, "selected": code == filters.language}
            for code, count in sorted(by_language.items())
        ],
        "provider": [
            {
                "value": row["provider__slug"],
                "label": row["provider__name"],
                "count": row["n"],
                "selected": row["provider__slug"] == filters.provider,
            }
            for row in by_provider
        ],
    }


def item_get_for_user(*, uid: Any, user: Any) -> Item:
    """The item with ``uid`` if ``user`` may read it (published, or any item for an L&D admin); else 404."""
    qs = Item.objects.select_related("provider").prefetch_related(item_skill_links_prefetch())
    if not has_role(user, Role.LD_ADMIN):
        qs = qs.filter(is_published=True)
    item = qs.filter(uid=uid).first()
    if item is None:
        raise Http404("No such item")
    return item


def item_collection_siblings(*, item: Item) -> list[dict[str, Any]]:
    """The published sections of the item's collection (same provider), in order: uid, title, sequence."""
    if not item.collection:
        return []
    rows = (
        Item.objects.filter(
            provider_id=item.provider_id, collection=item.collection, is_published=True
        )
        .order_by("sequence", "title", "id")
        .values("uid", "title", "sequence", "section")
    )
    return [dict(row) for row in rows]


def provider_list() -> QuerySet[Provider]:
    return Provider.objects.annotate(item_count=Count("items")).order_by("name")
