"""Search as you type and ask a question in a real browser (htmx, keyboard, citations)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.discovery import search
from trellis.discovery.tests.searchkit import make_catalog, use_hashing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(settings):
    use_hashing(settings)
    items = make_catalog()
    yield items
    search.search_state_reset()


def test_search_as_you_type_then_open_a_result_with_the_keyboard(page, personas, password, catalog):
    log_in(page, "alice", password)
    page.goto("/discover/search/")
    box = page.get_by_role("searchbox", name="Search")
    box.press_sequentially("statis", delay=60)  # results arrive while typing, no submit
    results = page.locator("#search-results")
    results.get_by_role("link", name="Introduction to statistics").wait_for()
    assert re.search(r"[?&]q=statis", page.url)  # the address follows the query (hx-push-url)
    assert "Writing clear emails" not in results.inner_text()
    box.fill("")
    box.press_sequentially("pyhton", delay=40)
    page.get_by_text("Showing results for").wait_for()
    assert "python" in page.locator(".did-you-mean").inner_text()
    assert axe_violations(page) == []
    box.press("ArrowDown")  # from the box to the first result
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Python for data analysis"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/catalog/item/{catalog['Python for data analysis'].uid}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Python for data analysis"


def test_ask_a_question_and_follow_a_citation(page, personas, password, catalog):
    log_in(page, "alice", password)
    page.goto("/discover/ask/")
    page.get_by_label("Your question").fill("What is the median?")
    page.get_by_role("button", name="Ask").click()
    answer = page.locator("#ask-result")
    answer.get_by_text("The median is the middle value").first.wait_for()
    assert "/discover/ask/?q=What" in page.url  # the question is in the address (linkable)
    assert axe_violations(page) == []
    page.locator("#citation-1").get_by_role("link", name="Read the passage in context").click()
    page.wait_for_url("**/discover/ask/passage/**")
    assert "The median is the middle value" in page.locator(".passage-current").inner_text()
    page.go_back()
    page.locator("#citation-1 .citation-link").click()
    page.wait_for_url(f"**/catalog/item/{catalog['Introduction to statistics'].uid}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Introduction to statistics"
