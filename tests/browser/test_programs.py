"""Programs in a real browser: the manager's team view (status, nudge with htmx, extend with a
reason) and the learner's "Assigned to me" (due dates, progress per requirement, what is next,
acknowledging a policy)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.core.models import AuditEvent
from trellis.lrs.events import record_item_completed
from trellis.lrs.models import Statement
from trellis.notify.models import Category, Notification
from trellis.programs import services
from trellis.programs.models import Enrollment, EnrollmentEvent, Extension, Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def fluency(personas):
    """Maria's team (Alice, Bob) in "AI fluency": two items and a policy. Alice has finished the
    first item (an xAPI statement, projected); Bob is overdue."""
    from trellis.catalog.tests.factories import ItemFactory

    lena = personas.lena.user
    basics = ItemFactory(title="Prompting basics", duration_minutes=20)
    checking = ItemFactory(title="Checking AI output", duration_minutes=30)
    program = services.program_create(
        actor=lena,
        name="AI fluency for everyone",
        objective="Use generative AI safely in your own work.",
        category=Program.Category.ENTERPRISE_SKILL,
        due_policy=Program.DuePolicy.RELATIVE,
        due_days=30,
    )
    services.audience_set(actor=lena, program=program, rules=[{"managers": [personas.maria]}])
    services.requirement_add(actor=lena, program=program, item=basics)
    services.requirement_add(actor=lena, program=program, item=checking)
    policy = services.requirement_add(
        actor=lena,
        program=program,
        title="Responsible AI usage policy",
        body="Never paste customer data into a public AI tool.",
    )
    services.program_activate(actor=lena, program=program)
    record_item_completed(employee=personas.alice, item=basics)  # commits, then projects
    today = timezone.localdate()
    Enrollment.objects.filter(program=program, employee=personas.bob).update(
        starts_on=today - dt.timedelta(days=40), due_on=today - dt.timedelta(days=3)
    )
    return SimpleNamespace(
        program=program,
        basics=basics,
        checking=checking,
        policy=policy,
        alice=Enrollment.objects.get(program=program, employee=personas.alice),
        bob=Enrollment.objects.get(program=program, employee=personas.bob),
        today=today,
    )


def test_manager_sees_the_team_nudges_with_htmx_and_extends_with_a_reason(
    page, personas, password, fluency
):
    alice, bob, today = fluency.alice, fluency.bob, fluency.today
    assert alice.started_at is not None and alice.done_count == 1
    log_in(page, "maria", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team programs").click()
    page.wait_for_url("**/programs/team/")
    summary = page.locator("main p.muted").first.inner_text()
    assert "1 overdue, 0 at risk, 1 on track, 0 completed" in summary
    alice_row, bob_row = (
        page.locator(f"#enrollment-{alice.pk}"),
        page.locator(f"#enrollment-{bob.pk}"),
    )
    # worst first: Bob (overdue) above Alice (on track); nobody outside Maria's line
    assert page.locator("tbody tr").count() == 2
    assert page.locator("tbody tr").first.get_attribute("id") == f"enrollment-{bob.pk}"
    assert bob_row.locator(".badge").inner_text() == "Overdue"
    assert alice_row.locator(".badge").inner_text() == "On track"
    assert alice_row.locator("td").nth(2).inner_text() == _short_date(alice.due_on)
    assert "Charlie" not in page.locator("main").inner_text()
    assert axe_violations(page) == []

    # Nudge Alice: htmx swaps her row in place (no navigation, the page's state survives)
    page.evaluate("window.__notReloaded = true")
    alice_row.get_by_role(
        "button", name="Nudge Alice Learner about AI fluency for everyone"
    ).click()
    alice_row.get_by_role("status").filter(has_text="Nudged Alice Learner.").wait_for()
    assert page.evaluate("window.__notReloaded") is True
    assert page.url.endswith("/programs/team/")
    nudge = Notification.objects.get(recipient=personas.alice, category=Category.NUDGE)
    assert nudge.subject == "A reminder from Maria Manager: AI fluency for everyone"
    # a second nudge the same day sends nothing and says so, in the row
    alice_row.get_by_role(
        "button", name="Nudge Alice Learner about AI fluency for everyone"
    ).click()
    alice_row.get_by_role("status").filter(has_text="already nudged today").wait_for()
    assert EnrollmentEvent.objects.filter(kind=EnrollmentEvent.Kind.NUDGED).count() == 1
    assert Notification.objects.filter(category=Category.NUDGE).count() == 1

    # Extend Bob by two weeks from today, with a reason: back on the team page, the change shows
    new_due = today + dt.timedelta(days=14)
    bob_row.get_by_role(
        "link", name="Extend Bob Peer's due date for AI fluency for everyone"
    ).click()
    page.wait_for_url(f"**/programs/enrollments/{bob.pk}/extend/")
    assert axe_violations(page) == []
    page.get_by_label("New due date").fill(new_due.isoformat())
    page.get_by_label("Reason").fill("Back from parental leave")
    page.get_by_role("button", name="Extend").click()
    page.wait_for_url("**/programs/team/")
    assert f"Bob Peer now has until {_short_date(new_due)}." in page.locator("main").inner_text()
    # no longer overdue; still at risk (not started, most of his time gone)
    assert bob_row.locator(".badge").inner_text() == "At risk"
    assert bob_row.locator("td").nth(2).inner_text() == _short_date(new_due)
    assert "0 overdue, 1 at risk, 1 on track" in page.locator("main p.muted").first.inner_text()
    extension = Extension.objects.get(enrollment=bob)
    assert (extension.previous_due_on, extension.new_due_on, extension.reason) == (
        today - dt.timedelta(days=3),
        new_due,
        "Back from parental leave",
    )
    assert extension.granted_by == personas.maria.user
    assert AuditEvent.objects.filter(code="trellis.program.extended").count() == 1


def test_learner_sees_due_dates_progress_and_next_and_acknowledges_the_policy(
    page, personas, password, fluency
):
    alice = fluency.alice
    log_in(page, "alice", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assigned to me").click()
    page.wait_for_url("**/programs/assigned/")
    card = page.get_by_role("region", name="AI fluency for everyone")
    assert page.locator("section.card").count() == 1  # her own program only
    text = card.inner_text()
    assert "In progress" in text
    assert f"Due {_long_date(alice.due_on)} (30 days left)." in text
    assert "1 of 3 done." in text
    badges = [li.locator(".badge").first.inner_text() for li in card.locator("li").all()]
    assert badges == ["Done", "To do", "To do"]
    items = card.locator("li")
    assert items.nth(0).get_by_role("link").inner_text() == "Prompting basics"
    assert items.nth(1).get_by_role("link").inner_text() == "Checking AI output"
    assert "Responsible AI usage policy" in items.nth(2).inner_text()
    next_link = card.locator("p", has_text="Next:").get_by_role("link")
    assert next_link.inner_text() == "Checking AI output"
    assert axe_violations(page) == []

    next_link.click()
    page.wait_for_url(f"**/catalog/item/{fluency.checking.uid}/")
    page.go_back()
    page.wait_for_url("**/programs/assigned/")

    # the policy: read it, acknowledge it; an xAPI statement makes it done
    card = page.get_by_role("region", name="AI fluency for everyone")
    card.locator("summary", has_text="Read and acknowledge").click()
    assert card.get_by_text("Never paste customer data into a public AI tool.").is_visible()
    card.get_by_role(
        "button", name="I have read and acknowledge “Responsible AI usage policy”"
    ).click()
    page.wait_for_url("**/programs/assigned/")
    page.get_by_text("Thank you: you acknowledged “Responsible AI usage policy”.").wait_for()
    card = page.get_by_role("region", name="AI fluency for everyone")
    assert "2 of 3 done." in card.inner_text()
    assert card.locator("li").nth(2).locator(".badge").inner_text() == "Done"
    assert card.get_by_role("button", name="I have read and acknowledge").count() == 0
    assert card.locator("p", has_text="Next:").get_by_role("link").inner_text() == (
        "Checking AI output"
    )
    statement = Statement.objects.get(object_activity_id=fluency.policy.activity_id)
    assert statement.verb_id == "https://w3id.org/xapi/adl/verbs/acknowledged"
    alice.refresh_from_db()
    assert alice.done_count == 2 and alice.completed_at is None
