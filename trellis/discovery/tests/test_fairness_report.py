"""The fairness report from impressions and learning records, and its page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from trellis.catalog.tests.factories import ItemFactory
from trellis.discovery.fairness import fairness_report_build
from trellis.discovery.models import RecommendationImpression
from trellis.lrs.events import record_item_completed
from trellis.people.tests.factories import DepartmentFactory, EmployeeFactory


def test_report_counts_exposure_quality_acceptance_and_flags_low_exposure(personas):
    today = timezone.localdate()
    finance = DepartmentFactory(name="Finance", code="finance")
    legal = DepartmentFactory(name="Legal", code="legal")
    fin = EmployeeFactory.create_batch(12, department=finance)
    leg = EmployeeFactory.create_batch(12, department=legal)
    good, plain = ItemFactory(title="Good"), ItemFactory(title="Plain")
    rows = []
    for e in fin:  # every Finance learner sees both items
        rows.append(
            RecommendationImpression(
                employee=e,
                item=good,
                shown_on=today,
                position=1,
                personalised=True,
                high_quality=True,
            )
        )
        rows.append(
            RecommendationImpression(
                employee=e,
                item=plain,
                shown_on=today,
                position=2,
                personalised=True,
                high_quality=False,
            )
        )
    for e in leg[:2]:  # only 2 of 12 Legal learners see anything
        rows.append(
            RecommendationImpression(
                employee=e,
                item=plain,
                shown_on=today,
                position=1,
                personalised=True,
                high_quality=False,
            )
        )
    # shown twice on different days: still one recommendation
    rows.append(
        RecommendationImpression(
            employee=fin[0],
            item=good,
            shown_on=today - timedelta(days=1),
            position=1,
            personalised=True,
            high_quality=True,
        )
    )
    RecommendationImpression.objects.bulk_create(rows)
    for e in fin[:6]:
        record_item_completed(employee=e, item=good)

    report = fairness_report_build(days=30)
    department = next(d for d in report.dimensions if d.dimension == "Department")
    by_group = {r.group: r for r in department.rows}
    assert report.recommendations == 12 * 2 + 2
    assert by_group["Finance"].impressions == 24
    assert by_group["Finance"].rates == {"exposure": 1.0, "high_quality": 0.5, "acceptance": 0.25}
    assert by_group["Legal"].rates["exposure"] == 2 / 12
    assert by_group["Legal"].flags == ["exposure"]
    assert "acceptance" in by_group["Legal"].too_small  # 2 recommendations: too few to judge
    assert by_group["Finance"].flags == []
    assert {d.dimension for d in report.dimensions} == {
        "Department",
        "Location",
        "Role level",
        "AI literacy",
    }
    assert "four-fifths" in report.rule


def test_fairness_page_shows_the_rule_and_flags(personas):
    client = personas.client("lena")
    html = client.get("/discover/fairness/?days=30").content.decode()
    assert 'data-testid="flag-rule"' in html
    assert "below 80% of the rate over everyone" in html
    assert personas.client("alice").get("/discover/fairness/").status_code == 403
