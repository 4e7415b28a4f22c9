"""Automatic skill tagging of catalog items, L&D's review queue, and the coverage report.

- ``skill_vectors_update()`` embeds the skills (labels, alternative labels, description) that changed.
- ``tag_suggestions_update(item_ids=None)`` suggests skills for items (all when None) from the item
  and skill embeddings and from the skills' labels found in the item's text (see
  ``engine/tagging.py`` for the confidence). Pending suggestions are replaced; decided ones stay.
- ``tag_suggestion_accept`` / ``tag_suggestion_reject``: L&D's decision. Accepting tags the item with
  the skill through the catalog service (origin ``automatic``, the confidence kept); both are audited.
- ``tagging_coverage()``: the share of the published catalog with a skill (manual or accepted), with
  suggestions, and with neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from trellis.catalog import services as catalog_services
from trellis.catalog.models import Item, ItemSkill
from trellis.core.services import audit_log
from trellis.discovery import search as search_service
from trellis.discovery.engine import embeddings
from trellis.discovery.engine import tagging as engine
from trellis.discovery.models import SearchDocument, SkillVector, TagSuggestion
from trellis.skills.models import Skill

ITEM_BATCH = 200


def tagging_skill_ids() -> set[int] | None:
    """The skills suggested: those the organisation uses (role profiles, catalog tags, skill
    families such as AI literacy). None (every skill) when it uses none yet."""
    from trellis.skills.models import RoleSkill

    scope = set(RoleSkill.objects.values_list("skill_id", flat=True))
    scope |= set(ItemSkill.objects.values_list("skill_id", flat=True))
    scope |= set(Skill.objects.filter(family__isnull=False).values_list("id", flat=True))
    return scope or None


def _skills() -> list[engine.SkillIn]:
    from trellis.skills.models import SkillLabel

    scope = tagging_skill_ids()
    skills = Skill.objects.exclude(kind=Skill.Kind.GROUP)
    labels = SkillLabel.objects.all()
    if scope is not None:
        skills = skills.filter(id__in=scope)
        labels = labels.filter(skill_id__in=scope)
    alternatives: dict[int, list[str]] = {}
    for skill_id, label in labels.values_list("skill_id", "label").iterator(chunk_size=5000):
        alternatives.setdefault(skill_id, []).append(label)
    return [
        engine.SkillIn(
            key=pk,
            label=label,
            alt_labels=sorted(alternatives.get(pk, [])),
            description=description,
        )
        for pk, label, description in skills.order_by("id").values_list(
            "id", "label", "description"
        )
    ]


def skill_vectors_update(
    *, skills: list[engine.SkillIn] | None = None, limit: int | None = None
) -> int:
    """Embed the skills whose text changed (or that have no vector for the configured model), at
    most ``limit`` of them. Returns how many were embedded."""
    if not search_service.embeddings_enabled():
        return 0
    skills = skills if skills is not None else _skills()
    name = search_service.model_name()
    current = {
        pk: (h, m)
        for pk, h, m in SkillVector.objects.values_list("skill_id", "content_hash", "vector_model")
    }
    pending = []
    for skill in skills:
        digest = hashlib.sha256(skill.embedded_text().encode()).hexdigest()
        if current.get(skill.key) != (digest, name):
            pending.append((skill, digest))
    pending = pending[:limit] if limit is not None else pending
    if not pending:
        return 0
    encoder = search_service.encoder()
    for start in range(0, len(pending), 256):
        chunk = pending[start : start + 256]
        vectors = encoder.encode([s.embedded_text() for s, _ in chunk])
        with transaction.atomic():
            SkillVector.objects.filter(skill_id__in=[s.key for s, _ in chunk]).delete()
            SkillVector.objects.bulk_create(
                [
                    SkillVector(
                        skill_id=s.key,
                        content_hash=digest,
                        vector=embeddings.to_bytes(v),
                        vector_model=name,
                    )
                    for (s, digest), v in zip(chunk, vectors, strict=True)
                ]
            )
    return len(pending)


def tag_suggestions_update(*, item_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Refresh the pending suggestions of these published items (every published item when None)."""
    skills = _skills()
    if not skills:
        return {"items": 0, "suggested": 0}
    skill_vectors_update(skills=skills)
    name = search_service.model_name()
    vector_of = {
        pk: embeddings.from_bytes(v)
        for pk, v in SkillVector.objects.filter(vector_model=name).values_list("skill_id", "vector")
    }
    with_vectors = [s for s in skills if s.key in vector_of]
    skill_matrix = np.vstack([vector_of[s.key] for s in with_vectors]) if with_vectors else None
    labels = engine.LabelIndex.build(skills)
    ids_qs = SearchDocument.objects.order_by("item_id")
    if item_ids is not None:
        ids_qs = ids_qs.filter(item_id__in=list(item_ids))
    ids = list(ids_qs.values_list("item_id", flat=True))
    totals = {"items": 0, "suggested": 0}
    for start in range(0, len(ids), ITEM_BATCH):
        chunk = ids[start : start + ITEM_BATCH]
        totals["items"] += len(chunk)
        totals["suggested"] += _suggest_chunk(
            chunk, skills, with_vectors, skill_matrix, labels, name
        )
    return totals


def _suggest_chunk(
    chunk: list[int],
    skills: list[engine.SkillIn],
    with_vectors: list[engine.SkillIn],
    skill_matrix: np.ndarray | None,
    labels: engine.LabelIndex,
    name: str,
) -> int:
    """Suggestions for the items of ``chunk``. With embeddings on, an item not embedded yet is left
    for later (its suggestions come once it is embedded); with embeddings off, words alone."""
    docs = list(
        SearchDocument.objects.filter(item_id__in=chunk).values_list(
            "item_id", "title", "text", "vector", "vector_model"
        )
    )
    semantic = skill_matrix is not None
    if semantic:
        docs = [d for d in docs if d[3] is not None and d[4] == name]
    if not docs:
        return 0
    items = [engine.ItemIn(key=pk, title=title, text=text[:6000]) for pk, title, text, _, _ in docs]
    item_vectors = (
        np.vstack([embeddings.from_bytes(v) for *_, v, _ in docs if v is not None])
        if semantic
        else None
    )
    ids = [d[0] for d in docs]
    exclude: dict[int, set[int]] = {}
    for item_id, skill_id in ItemSkill.objects.filter(item_id__in=ids).values_list(
        "item_id", "skill_id"
    ):
        exclude.setdefault(item_id, set()).add(skill_id)
    for item_id, skill_id in (
        TagSuggestion.objects.filter(item_id__in=ids)
        .exclude(status=TagSuggestion.Status.PENDING)
        .values_list("item_id", "skill_id")
    ):
        exclude.setdefault(item_id, set()).add(skill_id)
    found = engine.suggest(
        items,
        item_vectors,
        with_vectors if semantic else skills,
        skill_matrix,
        labels=labels,
        exclude=exclude,
    )
    with transaction.atomic():
        TagSuggestion.objects.filter(item_id__in=ids, status=TagSuggestion.Status.PENDING).delete()
        rows = [
            TagSuggestion(
                item_id=item_id,
                skill_id=s.skill_key,
                confidence=s.confidence,
                similarity=s.similarity,
                matched_label=s.matched_label[:300],
                model=name if semantic else "labels",
            )
            for item_id, suggestions in found.items()
            for s in suggestions
        ]
        TagSuggestion.objects.bulk_create(rows, batch_size=500)
    return len(rows)


@transaction.atomic
def tag_suggestion_accept(*, suggestion: TagSuggestion, actor: Any) -> ItemSkill:
    """Tag the item with the suggested skill (origin automatic, weight = confidence)."""
    suggestion = (
        TagSuggestion.objects.select_for_update()
        .select_related("item", "skill")
        .get(pk=suggestion.pk)
    )
    link = catalog_services.item_skill_set(
        item=suggestion.item,
        skill=suggestion.skill,
        weight=round(suggestion.confidence, 2),
        origin=ItemSkill.Origin.AUTOMATIC,
        confidence=suggestion.confidence,
        actor=actor,
    )
    suggestion.status = TagSuggestion.Status.ACCEPTED
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = actor if getattr(actor, "pk", None) else None
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])
    audit_log(
        actor=actor,
        code="trellis.discovery.tag.accepted",
        target=suggestion.item,
        data={"skill": suggestion.skill.uri, "confidence": suggestion.confidence},
    )
    return link


@transaction.atomic
def tag_suggestion_reject(*, suggestion: TagSuggestion, actor: Any) -> TagSuggestion:
    """Reject the suggestion: it is not suggested again for this item."""
    suggestion = (
        TagSuggestion.objects.select_for_update()
        .select_related("item", "skill")
        .get(pk=suggestion.pk)
    )
    suggestion.status = TagSuggestion.Status.REJECTED
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = actor if getattr(actor, "pk", None) else None
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])
    audit_log(
        actor=actor,
        code="trellis.discovery.tag.rejected",
        target=suggestion.item,
        data={"skill": suggestion.skill.uri, "confidence": suggestion.confidence},
    )
    return suggestion


# --- reads -------------------------------------------------------------------------------------


def tag_queue(*, status: str = TagSuggestion.Status.PENDING) -> QuerySet[TagSuggestion]:
    """Suggestions with ``status`` (published items), best first, item, provider and skill joined."""
    return (
        TagSuggestion.objects.filter(status=status, item__is_published=True)
        .select_related("item", "item__provider", "skill")
        .order_by("-confidence", "item__title", "skill__label", "id")
    )


def tagging_coverage() -> dict[str, Any]:
    """How much of the published catalog is mapped to skills, and how much of it by AI."""
    items = Item.objects.filter(is_published=True)
    links = ItemSkill.objects.filter(item=OuterRef("pk"))
    pending = TagSuggestion.objects.filter(item=OuterRef("pk"), status=TagSuggestion.Status.PENDING)
    row = items.annotate(
        has_manual=Exists(links.filter(origin=ItemSkill.Origin.MANUAL)),
        has_automatic=Exists(links.filter(origin=ItemSkill.Origin.AUTOMATIC)),
        has_pending=Exists(pending),
    ).aggregate(
        total=Count("id"),
        manual=Count("id", filter=Q(has_manual=True)),
        accepted=Count("id", filter=Q(has_automatic=True)),
        tagged=Count("id", filter=Q(has_manual=True) | Q(has_automatic=True)),
        only_automatic=Count("id", filter=Q(has_automatic=True, has_manual=False)),
        suggested=Count("id", filter=Q(has_pending=True)),
        suggested_untagged=Count(
            "id", filter=Q(has_pending=True, has_manual=False, has_automatic=False)
        ),
        untouched=Count("id", filter=Q(has_pending=False, has_manual=False, has_automatic=False)),
    )
    total = row["total"] or 0

    def share(n: int) -> float:
        return round(n / total, 4) if total else 0.0

    statuses = dict(TagSuggestion.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "items": total,
        "tagged": row["tagged"],
        "tagged_share": share(row["tagged"]),
        "manual": row["manual"],
        "manual_share": share(row["manual"]),
        "accepted": row["accepted"],
        "only_automatic": row["only_automatic"],
        "only_automatic_share": share(row["only_automatic"]),
        "with_suggestions": row["suggested"],
        "with_suggestions_share": share(row["suggested"]),
        "suggested_untagged": row["suggested_untagged"],
        "enriched_share": share(row["tagged"] + row["suggested_untagged"]),
        "untouched": row["untouched"],
        "untouched_share": share(row["untouched"]),
        "suggestions": {
            "pending": statuses.get(TagSuggestion.Status.PENDING, 0),
            "accepted": statuses.get(TagSuggestion.Status.ACCEPTED, 0),
            "rejected": statuses.get(TagSuggestion.Status.REJECTED, 0),
        },
    }
