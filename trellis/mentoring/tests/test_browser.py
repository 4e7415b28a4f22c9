"""Mentoring in a real browser: axe-core on every mentoring page for its personas, a 390 px phone
without sideways scrolling, and a journey: Alice asks Bob (from the suggestions), Bob accepts, Alice
logs a session."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.chromium import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.mentoring import services
from trellis.mentoring.models import MentoringSession, Mentorship

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(personas, world, active, password):
    services.session_log(
        mentorship=active,
        employee=personas.alice,
        held_on=timezone.localdate(),
        duration_minutes=30,
        notes="First steps",
        actor=None,
    )
    f = services.feedback_ask(
        learner=personas.alice, giver=personas.maria, skill=world.python, actor=None
    )
    return {"mentorship": active.uid, "feedback": f.uid, "python": world.python.pk}


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        (
            "alice",
            [
                "/mentoring/",
                "/mentoring/find/?skill={python}",
                "/mentoring/m/{mentorship}/",
                "/mentoring/feedback/",
                "/mentoring/feedback/{feedback}/",
                "/mentoring/mentor/",
            ],
        ),
        ("charlie", ["/mentoring/mentor/", "/mentoring/m/{mentorship}/"]),
        ("maria", ["/mentoring/team/", "/mentoring/feedback/{feedback}/"]),
        ("lena", ["/mentoring/overview/"]),
    ],
)
def test_mentoring_pages_have_no_accessibility_violations(
    page, personas, story, password, who, paths
):
    log_in(page, getattr(personas, who).user.username, password)
    for path in paths:
        page.goto(path.format(**story))
        assert axe_violations(page) == [], path


def test_mentoring_fits_a_phone(browser, live_server, personas, story, password):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        log_in(phone, "alice", password)
        for path in (
            "/mentoring/",
            "/mentoring/find/?skill={python}",
            "/mentoring/m/{mentorship}/",
            "/mentoring/feedback/",
            "/mentoring/feedback/{feedback}/",
            "/mentoring/mentor/",
        ):
            phone.goto(path.format(**story))
            overflow = phone.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, path
    finally:
        context.close()


def test_ask_accept_and_log_a_session(page, personas, world, password):
    log_in(page, "alice", password)
    page.goto("/mentoring/")
    page.get_by_role("link", name=f"Ask {personas.bob.full_name} to mentor you in Python").click()
    page.get_by_label("What would you like help with?").fill("Pandas, please")
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("Waiting for an answer").wait_for()
    m = Mentorship.objects.get(mentee=personas.alice, mentor=personas.bob)
    assert (m.status, m.message) == ("requested", "Pandas, please")

    page.get_by_role("button", name="Log out").click()
    log_in(page, "bob", password)
    page.goto("/mentoring/mentor/")
    page.get_by_role("link", name=f"{personas.alice.full_name}: Python").click()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("You accepted the request.").wait_for()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "alice", password)
    page.goto(f"/mentoring/m/{m.uid}/")
    page.get_by_label("Minutes").fill("50")
    page.get_by_label("Notes (private to the two of you)").fill("groupby and merge")
    page.get_by_role("button", name="Log the session").click()
    page.get_by_text("Session logged").wait_for()
    assert list(MentoringSession.objects.values_list("duration_minutes", "notes")) == [
        (50, "groupby and merge")
    ]
