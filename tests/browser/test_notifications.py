"""The inbox in a real browser: unread badge, mark all read with htmx, badge gone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.notify.models import Category, Notification
from trellis.notify.services import notification_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_mark_all_read_clears_the_badge(page, personas, password):
    for i, mandatory in enumerate([False, False, True]):
        notification_send(
            recipient=personas.alice,
            category=Category.DUE_SOON if mandatory else Category.ASSIGNED,
            key=f"browser:{i}",
            subject=f"Notice {i}",
            body="Something to do.",
            url="/learning/",
            mandatory=mandatory,
        )
    notification_send(
        recipient=personas.bob, category=Category.ASSIGNED, key="bob", subject="Bob's", body="x"
    )
    log_in(page, "alice", password)
    badge = page.get_by_test_id("unread-badge")
    assert badge.text_content() == "3 unread"
    page.locator("#notify-inbox-link").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_test_id("unread-count").inner_text() == "3"
    assert page.locator(".notification").count() == 3
    assert page.get_by_text("Mandatory", exact=True).count() == 1
    assert axe_violations(page) == []

    page.get_by_role("button", name="Mark all as read").click()
    page.get_by_test_id("unread-count").filter(has_text="0").wait_for()
    assert page.get_by_test_id("unread-badge").count() == 0  # header updated without reload
    assert page.url.endswith("/notifications/")  # htmx: no navigation
    assert Notification.objects.filter(recipient=personas.alice, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=personas.bob, read_at__isnull=True).count() == 1
    page.reload()
    assert page.get_by_test_id("unread-badge").count() == 0
