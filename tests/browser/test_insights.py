"""Insights in a real browser: an executive (daniel) opens AI readiness, sees the charts drawn from
the data islands and the tables (no axe-core violations, fits a phone), and downloads the PDF."""

from __future__ import annotations

import pytest

from tests.browser.chromium import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.people.tests.factories import PASSWORD, EmployeeFactory, UserFactory
from trellis.surveys import services
from trellis.surveys.tests.conftest import answer, close_wave, open_wave, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def readiness_wave(personas):
    lena = personas.lena.user
    tech = [personas.alice, personas.bob, *staff(4, manager=personas.maria)]
    sales = [personas.charlie, *staff(6, manager=personas.oscar)]
    survey = services.survey_from_template(actor=lena)
    services.survey_audience_set(actor=lena, survey=survey, rules=[{}])
    wave = open_wave(survey, actor=lena)
    for i, e in enumerate([*tech, *sales]):
        answer(e, wave, ai_comfort=5 if i % 2 else 2)
    close_wave(wave)
    user = UserFactory(
        username="daniel", first_name="Daniel", last_name="Exec", roles=["executive"]
    )
    return EmployeeFactory(user=user, department=personas.erin.department, manager=personas.erin)


def test_executive_opens_ai_readiness_and_downloads_the_pdf(page, readiness_wave, tmp_path):
    log_in(page, "daniel", PASSWORD)
    page.goto("/insights/readiness/")
    assert page.get_by_role("heading", level=1).inner_text() == "AI readiness"
    assert page.get_by_text("How the readiness index is computed").is_visible()
    table = page.get_by_role("table").filter(has_text="Technology & Data").first
    assert "Sales" in table.inner_text()
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    drawn = page.evaluate(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".filter(c => Chart.getChart(c)).length"
    )
    assert drawn >= 2
    assert axe_violations(page) == []
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the AI readiness report (PDF)").click()
    path = tmp_path / "readiness.pdf"
    info.value.save_as(path)
    body = path.read_bytes()
    assert body.startswith(b"%PDF")
    assert b"Technology & Data" in body and b"Sales" in body and b"Readiness index" in body
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/insights/readiness/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
