from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from trellis.catalog.models import Item, Provider


class ProviderFactory(DjangoModelFactory[Provider]):
    class Meta:
        model = Provider
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"provider-{n}")
    name = factory.LazyAttribute(lambda p: p.slug.replace("-", " ").title())


class ItemFactory(DjangoModelFactory[Item]):
    class Meta:
        model = Item

    provider = factory.SubFactory(ProviderFactory)
    external_id = factory.Sequence(lambda n: f"item-{n}")
    title = factory.Sequence(lambda n: f"Item {n:04d}")
    description = "A description"
    format = Item.Format.ARTICLE
    duration_minutes = 15
    level = 2
    language = "en"
    launch_url = "https://learn.example.com/x"
    license = "CC BY 4.0"
    attribution = "By Trellis contributors"
