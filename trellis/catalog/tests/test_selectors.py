from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from trellis.catalog.models import Item, ItemSkill
from trellis.catalog.selectors import ItemFilters, item_facets, item_filters_parse, item_list
from trellis.catalog.tests.factories import ItemFactory, ProviderFactory
from trellis.skills.models import Skill


@pytest.fixture
def catalog(db: Any) -> dict[str, Any]:
    acme = ProviderFactory(slug="acme", name="Acme")
    zen = ProviderFactory(slug="zen", name="Zen")
    parent = Skill.objects.create(uri="t:data", source="trellis", label="Data")
    child = Skill.objects.create(uri="t:sql", source="trellis", label="SQL")
    child.parents.add(parent)
    other = Skill.objects.create(uri="t:writing", source="trellis", label="Writing")
    items = {
        "a": ItemFactory(
            provider=acme,
            title="Alpha video",
            format="video",
            duration_minutes=5,
            level=1,
            language="en",
        ),
        "b": ItemFactory(
            provider=acme,
            title="Bravo course",
            format="course",
            duration_minutes=25,
            level=2,
            language="en-GB",
        ),
        "c": ItemFactory(
            provider=zen,
            title="Charlie course",
            format="course",
            duration_minutes=45,
            level=3,
            language="de",
            description="All about SQL",
        ),
        "d": ItemFactory(
            provider=zen,
            title="Delta article",
            format="article",
            duration_minutes=120,
            level=4,
            language="en",
        ),
        "e": ItemFactory(
            provider=zen,
            title="Echo book",
            format="book_section",
            duration_minutes=240,
            level=5,
            language="en",
        ),
        "hidden": ItemFactory(
            provider=zen,
            title="Hidden course",
            format="course",
            duration_minutes=25,
            is_published=False,
        ),
    }
    ItemSkill.objects.create(item=items["a"], skill=parent, weight=1)
    ItemSkill.objects.create(item=items["c"], skill=child, weight=0.5)
    ItemSkill.objects.create(item=items["d"], skill=other, weight=0.5)
    ItemSkill.objects.create(item=items["hidden"], skill=parent, weight=1)
    return {"items": items, "parent": parent, "child": child, "other": other}


def titles(filters: ItemFilters) -> list[str]:
    return [i.title for i in item_list(filters=filters)]


def test_no_filter_lists_published_by_title(catalog: Any) -> None:
    assert titles(ItemFilters()) == [
        "Alpha video",
        "Bravo course",
        "Charlie course",
        "Delta article",
        "Echo book",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ItemFilters(q="sql"), ["Charlie course"]),
        (ItemFilters(q="bravo"), ["Bravo course"]),
        (ItemFilters(formats=("course",)), ["Bravo course", "Charlie course"]),
        (
            ItemFilters(formats=("course", "video")),
            ["Alpha video", "Bravo course", "Charlie course"],
        ),
        (ItemFilters(levels=(4, 5)), ["Delta article", "Echo book"]),
        (ItemFilters(durations=("0-10",)), ["Alpha video"]),
        (ItemFilters(durations=("10-30", "30-60")), ["Bravo course", "Charlie course"]),
        (ItemFilters(durations=("60-180",)), ["Delta article"]),
        (ItemFilters(durations=("180+",)), ["Echo book"]),
        (ItemFilters(language="en"), ["Alpha video", "Bravo course", "Delta article", "Echo book"]),
        (ItemFilters(language="de"), ["Charlie course"]),
        (ItemFilters(provider="acme"), ["Alpha video", "Bravo course"]),
        (ItemFilters(formats=("course",), levels=(3,)), ["Charlie course"]),
        (ItemFilters(formats=("podcast",)), []),
    ],
)
def test_filters_exact_results(catalog: Any, filters: ItemFilters, expected: list[str]) -> None:
    assert titles(filters) == expected


def test_skill_filter_includes_direct_children(catalog: Any) -> None:
    assert titles(ItemFilters(skill=catalog["parent"].pk)) == ["Alpha video", "Charlie course"]
    assert titles(ItemFilters(skill=catalog["child"].pk)) == ["Charlie course"]
    assert titles(ItemFilters(skill=catalog["other"].pk)) == ["Delta article"]


def test_sorts(catalog: Any) -> None:
    assert titles(ItemFilters(sort="shortest")) == [
        "Alpha video",
        "Bravo course",
        "Charlie course",
        "Delta article",
        "Echo book",
    ]
    assert titles(ItemFilters(sort="newest"))[0] == "Echo book"


def test_facets_count_other_filters(catalog: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(5):
        facets = item_facets(filters=ItemFilters(formats=("course",)))
    assert {f["value"]: f["count"] for f in facets["format"]} == {
        "video": 1,
        "course": 2,
        "article": 1,
        "book_section": 1,
    }
    assert [f["value"] for f in facets["format"] if f["selected"]] == ["course"]
    assert {f["value"]: f["count"] for f in facets["level"]} == {1: 0, 2: 1, 3: 1, 4: 0, 5: 0}
    assert {f["value"]: f["count"] for f in facets["duration"]} == {
        "0-10": 0,
        "10-30": 1,
        "30-60": 1,
        "60-180": 0,
        "180+": 0,
    }
    assert {f["value"]: f["count"] for f in facets["provider"]} == {"acme": 1, "zen": 1}
    assert {f["value"]: f["count"] for f in facets["language"]} == {"de": 1, "en-GB": 1}


def test_parse_reports_bad_values() -> None:
    parsed = item_filters_parse(
        QueryDict("format=course&format=nope&level=2&level=9&duration=0-10&sort=x&skill=abc&q=hi")
    )
    assert parsed.filters == ItemFilters(
        q="hi", formats=("course",), levels=(2,), durations=("0-10",)
    )
    assert set(parsed.errors) == {"format", "level", "sort", "skill"}


def test_unpublished_never_listed(catalog: Any) -> None:
    assert "Hidden course" not in titles(ItemFilters(formats=("course",)))
    assert Item.objects.filter(title="Hidden course").exists()


def test_link_urls_keeps_punctuation_and_escapes() -> None:
    from trellis.catalog.templatetags.catalog_tags import link_urls, minutes

    text = "A <b> (https://creativecommons.org/licenses/by/4.0/). See https://x.example/a, then."
    assert link_urls(text) == (
        'A &lt;b&gt; (<a href="https://creativecommons.org/licenses/by/4.0/" rel="noopener">'
        "https://creativecommons.org/licenses/by/4.0/</a>). See "
        '<a href="https://x.example/a" rel="noopener">https://x.example/a</a>, then.'
    )
    assert [minutes(m) for m in (0, 12, 60, 95)] == ["-", "12 min", "1 h", "1 h 35 min"]
