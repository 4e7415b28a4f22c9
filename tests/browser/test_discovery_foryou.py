"""For you in a real browser: open "Why am I seeing this", then turn personalization off."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.discovery.models import PersonalizationSettings
from trellis.discovery.recommendations import recommendation_index_clear
from trellis.discovery.tests.test_recommend import world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_why_panel_then_personalization_off(page, world, password):  # noqa: F811
    recommendation_index_clear()
    python = world.items["python"]
    log_in(page, "alice", password)
    page.get_by_role("link", name="Discover").first.click()
    page.wait_for_url("**/discover/")
    first = page.get_by_test_id("recommendation").first
    assert first.get_by_role("heading").inner_text() == "Python for analysts"
    assert "Builds Python, a gap for your Data Analyst role" in first.inner_text()
    first.get_by_role("link", name="Why am I seeing this?").click()
    panel = page.locator(f"#why-{python.pk}").get_by_test_id("why-panel")
    panel.wait_for()
    assert page.url.endswith("/discover/")  # htmx: the panel came in place, no navigation
    assert "Skill gap for your role" in panel.inner_text()
    assert "Your role, Data Analyst, and its skill profile (HR data)" in panel.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Control your feed").first.click()
    page.wait_for_url("**/discover/control/")
    page.get_by_label("Personalise my feed").uncheck()
    page.get_by_role("button", name="Save personalization").click()
    page.wait_for_url("**/discover/control/")
    assert page.get_by_text("Personalization is off.").is_visible()
    assert PersonalizationSettings.objects.get(employee=world.personas.alice).enabled is False

    page.goto("/discover/")
    state = page.get_by_test_id("feed-state")
    assert "This feed is not personalised" in state.inner_text()
    assert "gap for your Data Analyst role" not in page.get_by_test_id("feed").inner_text()
    assert page.get_by_role("button", name="More like this").count() == 0
