"""Governance in a real browser: axe-core finds nothing on the main pages (desktop and a 390 px
phone, no sideways scrolling), a learner acknowledges the strategy, an auditor searches the log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.chromium import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.governance import services
from trellis.governance.demo import ai_systems_seed
from trellis.governance.models import PolicyAcknowledgement
from trellis.governance.tests.conftest import aware

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def governance(personas: Any, make_policy: Any, password: str) -> Any:
    policy = make_policy(
        body="# Why\nBecause.\n\n- Learn the basics\n- **Never** paste client data",
        published_at=aware(2026, 1, 1),
    )
    area = services.ownership_area_create(actor=personas.lena.user, name="Data and privacy")
    services.ownership_assign(
        actor=personas.lena.user, area=area, employee=personas.audrey, role="A"
    )
    services.ownership_area_create(actor=personas.lena.user, name="Model risk")
    ai_systems_seed(actor=personas.lena.user)
    return policy


def test_pages_pass_axe_on_desktop_and_phone(
    page: Any, personas: Any, governance: Any, password: str
) -> None:
    log_in(page, "lena", password)
    paths = [
        "/governance/",
        f"/governance/policies/{governance.pk}/",
        "/governance/policies/",
        "/governance/ownership/",
        "/governance/ownership/edit/",
        "/governance/ai-systems/",
        "/governance/ai-systems/recommender/",
        "/governance/audit/",
        "/governance/privacy/?person=alice",
        f"/governance/privacy/people/{personas.charlie.employee_id}/erase/",
    ]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(path)
            assert axe_violations(page) == [], path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (path, width, overflow)


def test_learner_acknowledges_the_strategy(
    page: Any, personas: Any, governance: Any, password: str
) -> None:
    log_in(page, "alice", password)
    page.goto("/governance/")
    page.get_by_role("link", name="Our AI strategy").click()
    page.get_by_role("button", name="I have read and acknowledge version 1").click()
    page.wait_for_selector("text=Thank you: you acknowledged")
    assert PolicyAcknowledgement.objects.get().employee == personas.alice
