from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from trellis.governance.demo import STRATEGY_TITLE, USAGE_TITLE, build_demo
from trellis.governance.models import AISystem, OwnershipArea, Policy, PolicyAcknowledgement
from trellis.governance.selectors import acknowledgement_summary, ownership_registry
from trellis.people.tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def daniel(personas: Any) -> Any:
    user = UserFactory(
        username="daniel", first_name="Daniel", last_name="Okafor", roles=["executive"]
    )
    return EmployeeFactory(user=user, employee_id="D-CEO", department=personas.erin.department)


def test_demo_governance(personas: Any, daniel: Any) -> None:
    summary = build_demo()
    assert summary["ai_systems"] == 6 and summary["ownership_assignments"] > 0
    strategy = Policy.objects.get(title=STRATEGY_TITLE)
    usage = Policy.objects.get(title=USAGE_TITLE)
    assert strategy.sponsor == daniel and usage.sponsor == daniel
    today = timezone.localdate()
    v1 = strategy.versions.get()
    assert v1.published_at.date() == today - dt.timedelta(days=60)
    assert list(usage.versions.values_list("number", flat=True)) == [2, 1]
    figures = {s["title"]: s for s in acknowledgement_summary()}
    assert figures[STRATEGY_TITLE]["audience"] == 9  # everyone
    assert figures[STRATEGY_TITLE]["acknowledged"] == summary["strategy_acknowledged"]
    assert figures[STRATEGY_TITLE]["planned_share"] == 1.0
    assert figures[USAGE_TITLE]["audience"] == 3  # Technology & Data: maria, alice, bob
    assert figures[USAGE_TITLE]["version"] == 2
    assert figures[USAGE_TITLE]["planned_share"] == 0.5
    # acknowledgements fall between publication and today
    for ack in PolicyAcknowledgement.objects.select_related("version"):
        assert ack.version.published_at <= ack.acknowledged_at <= timezone.now()
    registry = ownership_registry()
    gaps = {row["area"].name: row["problems"] for row in registry["gaps"]}
    assert "nobody accountable" in gaps["Model risk"]
    lena_areas = [
        r["area"].name
        for r in registry["areas"]
        if any(a.employee == personas.lena for a in r["accountable"])
    ]
    assert lena_areas == ["AI learning strategy", "Content approval"]
    assert AISystem.objects.get(slug="language-model").status == "off"

    again = build_demo()  # idempotent
    assert again["ownership_assignments"] == 0
    assert Policy.objects.count() == 2 and OwnershipArea.objects.count() == 6
    assert AISystem.objects.count() == 6
    assert PolicyAcknowledgement.objects.count() == (
        summary["strategy_acknowledged"]
        + summary["usage_v1_acknowledged"]
        + summary["usage_v2_acknowledged"]
    )
