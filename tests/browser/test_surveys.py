"""Browser: a learner answers the pulse (keyboard and mouse, no JS needed), L&D adds a question
with htmx and reads results; axe-core finds no violation on these pages; they fit a 390 px phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.surveys import services
from trellis.surveys.models import Question, Response
from trellis.surveys.tests.conftest import open_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_wave(personas):
    survey = services.survey_from_template(actor=personas.lena.user)
    services.survey_audience_set(actor=personas.lena.user, survey=survey, rules=[{}])
    return open_wave(survey, actor=personas.lena.user, now=timezone.now(), days=7)


def _fits_phone(page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_learner_answers_the_pulse(page, personas, password, live_wave):
    log_in(page, "alice", password)
    page.goto("/surveys/")
    page.get_by_role("link", name="Answer").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send my answers").click()
    # nothing answered: the error list names the questions, nothing is stored
    assert page.get_by_role("alert").get_by_text("Question 1 “How comfortable").is_visible()
    assert Response.objects.count() == 0
    for question, answer in [
        ("How comfortable do you feel using AI at work?", "Somewhat comfortable"),
        ("How often do you use AI tools at work?", "Weekly"),
        ("I feel confident selecting the right AI tool for a task.", "Agree"),
        ("How would you rate your own AI skills?", "Intermediate"),
        ("AI saves me time on routine tasks.", "Agree"),
        ("Has leadership communicated an AI strategy?", "Yes"),
        ("Has your team established expectations for how to use AI?", "Not sure"),
        (
            "How clear is it who owns AI (strategy, tools, rules) in our organisation?",
            "Mostly clear",
        ),
        ("I am comfortable with AI tailoring my learning path.", "Strongly agree"),
        ("Would you like more control over how your learning is personalised?", "Yes"),
        ("Would you like more human interaction (mentoring, feedback) in your learning?", "No"),
    ]:
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    _fits_phone(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/surveys/")
    assert Response.objects.get().answers["ai_comfort"] == 4
    assert axe_violations(page) == []


def test_ld_builds_and_reads_results(page, personas, password, live_wave):
    log_in(page, "lena", password)
    page.goto(f"/surveys/manage/{live_wave.survey_id}/")
    assert axe_violations(page) == []
    page.goto("/surveys/manage/")
    page.get_by_role("button", name="New AI-readiness pulse (from the template)").click()
    page.locator("#id_text").fill("Hours of learning last week?")
    page.locator("#id_key").fill("hours")
    page.locator("#id_kind").select_option("numeric")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("Hours of learning last week?").wait_for()
    assert Question.objects.filter(key="hours").count() == 1
    page.goto(f"/surveys/waves/{live_wave.pk}/results/")
    assert page.get_by_text("This wave is still open").is_visible()
    assert axe_violations(page) == []
    _fits_phone(page)
