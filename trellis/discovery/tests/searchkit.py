"""Helpers of the search, ask and tagging tests: a small indexed catalog with the hashing encoder."""

from __future__ import annotations

from typing import Any

from trellis.catalog.models import Item
from trellis.catalog.tests.factories import ItemFactory, ProviderFactory
from trellis.discovery import search

ITEMS: list[dict[str, Any]] = [
    {
        "title": "Python for data analysis",
        "description": "Read, clean and summarise data with Python and pandas.",
        "body": "Python is a programming language. Pandas is a library for tables of data.\n\n"
        "A DataFrame holds rows and columns. You can filter rows and group them.",
        "format": Item.Format.COURSE,
        "level": 2,
        "duration_minutes": 90,
    },
    {
        "title": "Introduction to statistics",
        "description": "Means, medians and the spread of data.",
        "body": "Descriptive statistics\n\nThe mean is the sum of the values divided by their "
        "number. The median is the middle value when the values are sorted. A confidence "
        "interval is a range of values that is likely to contain the population parameter.",
        "format": Item.Format.BOOK_SECTION,
        "level": 2,
        "duration_minutes": 20,
        "collection": "Introductory Statistics",
        "section": "1 Sampling and Data",
    },
    {
        "title": "Machine learning basics",
        "description": "How computers learn patterns from examples.",
        "body": "Machine learning is the use of software that learns from data to make "
        "predictions without explicit rules. A model is trained on examples and then "
        "evaluated on new data.",
        "format": Item.Format.VIDEO,
        "level": 3,
        "duration_minutes": 12,
    },
    {
        "title": "Writing clear emails",
        "description": "Short, polite and actionable messages at work.",
        "body": "Start with the request. Keep one topic per email. Close with the next step.",
        "format": Item.Format.ARTICLE,
        "level": 1,
        "duration_minutes": 8,
    },
]


def use_hashing(settings: Any) -> None:
    settings.TRELLIS_EMBEDDING_MODEL = "hashing"
    settings.TRELLIS_EMBEDDING_URL = ""
    settings.TRELLIS_LLM_URL = ""
    search.search_state_reset()


def make_catalog(*, vectors: bool = True, **overrides: Any) -> dict[str, Item]:
    provider = ProviderFactory(slug="acme", name="Acme Learning")
    items = {}
    for spec in ITEMS:
        items[spec["title"]] = ItemFactory(provider=provider, **{**spec, **overrides})
    search.search_index_update(item_ids=[i.pk for i in items.values()])
    if vectors:
        search.search_vectors_update()
    return items
