"""The demo's simulated statements, on a small organisation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from trellis.catalog.models import Item, Provider
from trellis.lrs.demo import build_statements, demo_authority
from trellis.lrs.models import Progress, Statement
from trellis.lrs.xapi.agents import agent_ifi

pytestmark = pytest.mark.django_db
END = datetime(2025, 6, 2, tzinfo=UTC)


@pytest.fixture
def catalog(db: Any) -> list[Item]:
    provider = Provider.objects.create(slug="academy", name="Academy")
    formats = ["course", "video", "article", "interactive", "book_section"]
    return [
        Item.objects.create(
            provider=provider,
            external_id=f"i{n}",
            title=f"Item {n}",
            format=formats[n % len(formats)],
            duration_minutes=10 + 5 * n,
            collection="A book" if formats[n % len(formats)] == "book_section" else "",
            sequence=n,
        )
        for n in range(10)
    ]


def test_demo_statements_have_rhythm_and_become_progress(
    personas: Any, catalog: list[Item]
) -> None:
    summary = build_statements(end=END)
    count = Statement.objects.count()
    assert summary["statements"] == count and count > 500
    assert summary["employees"] == 8
    assert summary["progress_rows"] == Progress.objects.count() > 0
    assert set(Statement.objects.values_list("authority_ifi", flat=True)) == {
        agent_ifi(demo_authority())
    }
    days = Counter(ts.weekday() for ts in Statement.objects.values_list("timestamp", flat=True))
    weekday_mean = sum(days[d] for d in range(5)) / 5
    weekend_mean = (days[5] + days[6]) / 2
    assert weekday_mean > 3 * weekend_mean
    assert days[0] > days[4]  # the Monday peak
    verbs = Counter(Statement.objects.values_list("verb_id", flat=True))
    assert (
        verbs["http://id.tincanapi.com/verb/viewed"]
        > verbs["http://adlnet.gov/expapi/verbs/launched"]
        > verbs["http://adlnet.gov/expapi/verbs/completed"]
        > 0
    )
    first, last = (
        Statement.objects.order_by("timestamp")[0].timestamp,
        Statement.objects.order_by("-timestamp")[0].timestamp,
    )
    assert (END - first).days <= 182 and last < END
    statuses = set(Progress.objects.values_list("status", flat=True))
    assert {"completed", "passed"} <= statuses  # few items: everyone finishes some


def test_demo_is_repeatable_and_skips_when_built(personas: Any, catalog: list[Item]) -> None:
    first = build_statements(end=END)
    ids = list(
        Statement.objects.order_by("timestamp", "statement_id").values_list("verb_id", "timestamp")
    )
    assert build_statements(end=END) == {"skipped": True}
    assert Statement.objects.count() == first["statements"]
    Statement.objects.all().delete()
    Progress.objects.all().delete()
    again = build_statements(end=END)
    assert again["statements"] == first["statements"]
    assert (
        list(
            Statement.objects.order_by("timestamp", "statement_id").values_list(
                "verb_id", "timestamp"
            )
        )
        == ids
    )
