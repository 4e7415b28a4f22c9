"""Every change to the catalog goes through here (and is audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from trellis.catalog.hooks import items_changed
from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.core.services import audit_log
from trellis.skills.models import Skill

#: Item fields a person may set (through the edit page, the API or a service call).
ITEM_EDITABLE_FIELDS = (
    "external_id",
    "title",
    "description",
    "body",
    "format",
    "duration_minutes",
    "level",
    "language",
    "launch_url",
    "license",
    "attribution",
    "collection",
    "section",
    "sequence",
    "learning_objectives",
    "is_published",
)
PROVIDER_EDITABLE_FIELDS = ("name", "url", "description", "default_license")


def _check_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in unknown})


@transaction.atomic
def provider_create(
    *,
    actor: Any,
    slug: str,
    name: str,
    url: str = "",
    description: str = "",
    default_license: str = "",
) -> Provider:
    provider = Provider(
        slug=slug, name=name, url=url, description=description, default_license=default_license
    )
    provider.full_clean()
    provider.save()
    audit_log(
        actor=actor,
        code="trellis.catalog.provider.created",
        target=provider,
        data={"slug": slug, "name": name},
    )
    return provider


@transaction.atomic
def provider_update(*, provider: Provider, actor: Any, data: dict[str, Any]) -> Provider:
    _check_fields(data, PROVIDER_EDITABLE_FIELDS)
    changed = {name: value for name, value in data.items() if getattr(provider, name) != value}
    if not changed:
        return provider
    for name, value in changed.items():
        setattr(provider, name, value)
    provider.full_clean()
    provider.save(update_fields=[*changed, "updated_at"])
    audit_log(
        actor=actor,
        code="trellis.catalog.provider.updated",
        target=provider,
        data={"fields": sorted(changed)},
    )
    return provider


@transaction.atomic
def item_create(
    *,
    actor: Any,
    provider: Provider,
    data: dict[str, Any],
    skills: dict[Skill, float] | None = None,
) -> Item:
    """Create an item from ``data`` (keys from ITEM_EDITABLE_FIELDS) and, optionally, its manual skill
    tags (skill -> weight). Raises ValidationError naming the fields."""
    _check_fields(data, ITEM_EDITABLE_FIELDS)
    item = Item(provider=provider, **data)
    if not item.external_id:
        item.external_id = f"trellis-{item.uid.hex}"
    item.full_clean()
    item.save()
    if skills:
        _replace_manual_tags(item=item, skills=skills)
    audit_log(
        actor=actor,
        code="trellis.catalog.item.created",
        target=item,
        data={
            "provider": provider.slug,
            "external_id": item.external_id,
            "title": item.title,
            "skills": sorted(s.uri for s in skills or {}),
        },
    )
    items_changed([item.pk])
    return item


def _replace_manual_tags(*, item: Item, skills: dict[Skill, float]) -> bool:
    """Make the item's manual tags exactly ``skills``; automatic tags of other skills stay. Returns changed."""
    for skill, weight in skills.items():
        if not 0.0 <= weight <= 1.0:
            raise ValidationError({"skills": f"weight of {skill.uri} must be between 0 and 1"})
    current = {link.skill_id: link for link in ItemSkill.objects.filter(item=item)}
    wanted = {skill.pk: weight for skill, weight in skills.items()}
    stale = [
        link.pk
        for sid, link in current.items()
        if link.origin == ItemSkill.Origin.MANUAL and sid not in wanted
    ]
    changed = bool(stale)
    ItemSkill.objects.filter(pk__in=stale).delete()
    for skill_id, weight in wanted.items():
        link = current.get(skill_id)
        if link is None:
            ItemSkill.objects.create(
                item=item, skill_id=skill_id, weight=weight, origin=ItemSkill.Origin.MANUAL
            )
            changed = True
        elif link.weight != weight or link.origin != ItemSkill.Origin.MANUAL:
            link.weight, link.origin, link.confidence = weight, ItemSkill.Origin.MANUAL, None
            link.save(update_fields=["weight", "origin", "confidence"])
            changed = True
    return changed


@transaction.atomic
def item_update(
    *,
    item: Item,
    actor: Any,
    data: dict[str, Any],
    provider: Provider | None = None,
    skills: dict[Skill, float] | None = None,
) -> Item:
    """Change the given fields of ``item`` (and, when ``skills`` is given, replace its manual tags);
    validates the whole item. Audits the changed field names."""
    _check_fields(data, ITEM_EDITABLE_FIELDS)
    changed = {name: value for name, value in data.items() if getattr(item, name) != value}
    if provider is not None and provider.pk != item.provider_id:
        changed["provider"] = provider
    for name, value in changed.items():
        setattr(item, name, value)
    if changed:
        item.full_clean()
        item.save(update_fields=[*changed, "updated_at"])
    fields = sorted(changed)
    if skills is not None and _replace_manual_tags(item=item, skills=skills):
        fields.append("skills")
    if fields:
        audit_log(
            actor=actor, code="trellis.catalog.item.updated", target=item, data={"fields": fields}
        )
        items_changed([item.pk])
    return item


@transaction.atomic
def item_skill_set(
    *,
    item: Item,
    skill: Skill,
    weight: float,
    origin: str = ItemSkill.Origin.MANUAL,
    actor: Any,
    confidence: float | None = None,
) -> ItemSkill:
    """Tag ``item`` with ``skill`` at ``weight`` (0-1), or change the weight of an existing tag."""
    link = ItemSkill.objects.filter(item=item, skill=skill).first() or ItemSkill(
        item=item, skill=skill
    )
    link.weight = weight
    link.origin = origin
    link.confidence = confidence
    link.full_clean(exclude=["item", "skill"], validate_unique=False, validate_constraints=False)
    link.save()
    audit_log(
        actor=actor,
        code="trellis.catalog.item.skill_set",
        target=item,
        data={"skill": skill.uri, "weight": weight, "origin": origin},
    )
    items_changed([item.pk])
    return link


@transaction.atomic
def item_skill_remove(*, item: Item, skill: Skill, actor: Any) -> bool:
    deleted, _ = ItemSkill.objects.filter(item=item, skill=skill).delete()
    if deleted:
        audit_log(
            actor=actor,
            code="trellis.catalog.item.skill_removed",
            target=item,
            data={"skill": skill.uri},
        )
        items_changed([item.pk])
    return bool(deleted)
