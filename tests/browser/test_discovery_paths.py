"""Learning paths and playlists in a real browser: plan a path and skip a step; reorder a playlist
with the keyboard (focus stays on the moved item) and by drag and drop; axe on every page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import axe_violations
from trellis.discovery import playlists as playlist_service
from trellis.discovery.models import LearningPath, PathStep
from trellis.discovery.tests.test_paths import world  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_a_path_and_skip_a_step(page, world, password):  # noqa: F811
    log_in(page, "alice", password)
    page.goto("/discover/paths/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Plan a new path").click()
    page.wait_for_url("**/discover/paths/new/")
    assert axe_violations(page) == []
    page.get_by_label("My role: Data Analyst").check()
    page.get_by_label("Time you can give each week (hours)").fill("1")
    page.get_by_role("button", name="Plan the path").click()
    page.wait_for_url(re.compile(r".*/discover/paths/\d+/$"))
    path = LearningPath.objects.get(owner=world.personas.alice)

    steps = page.get_by_test_id("step")
    assert [steps.nth(i).locator(".step-title").inner_text() for i in range(steps.count())] == [
        "SQL first steps",
        "Python basics",
        "SQL joins",
        "Python for analysis",
    ]
    assert page.get_by_test_id("week").count() == 2  # weeks 1 and 2 (a step runs on to week 4)
    assert (
        steps.nth(0).get_by_test_id("step-reason").inner_text()
        == "Covers SQL to level 1, a gap for your Data Analyst role."
    )
    assert page.get_by_test_id("remaining").inner_text() == "3 h 5 min"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Skip: Python basics").click()
    page.get_by_text("Skipped “Python basics”").wait_for()
    steps = page.get_by_test_id("step")
    titles = [steps.nth(i).locator(".step-title").inner_text() for i in range(steps.count())]
    assert titles == ["SQL first steps", "Python lists", "SQL joins", "Python for analysis"]
    assert page.get_by_test_id("dropped-step").inner_text().startswith("Python basics")
    assert path.steps.get(item=world.items["py2_course"]).status == PathStep.Status.SKIPPED
    assert axe_violations(page) == []

    page.get_by_role("link", name="Swap: SQL first steps").click()
    page.wait_for_url("**/swap/")
    assert axe_violations(page) == []
    page.get_by_label("SQL in a day").check()
    page.get_by_role("button", name="Swap").click()
    page.get_by_text("Swapped out “SQL first steps”").wait_for()
    assert page.get_by_test_id("step").first.locator(".step-title").inner_text() == "SQL in a day"


def test_a_manager_suggests_a_path_and_the_learner_sees_it(page, world, password):  # noqa: F811
    log_in(page, "maria", password)
    page.goto("/discover/paths/")
    page.get_by_role("link", name="Suggest a path to Alice Learner").click()
    page.wait_for_url("**/discover/paths/suggest/**")
    assert axe_violations(page) == []
    page.get_by_label("A note for them (optional)").fill("For the Q3 dashboards")
    page.get_by_role("button", name="Suggest this path").click()
    page.wait_for_url(re.compile(r".*/discover/paths/\d+/$"))
    assert page.get_by_test_id("path-status").inner_text() == "Suggested, waiting for the learner"
    assert (
        page.get_by_role("button", name="Accept this path").count() == 0
    )  # the manager reads only
    assert axe_violations(page) == []


def test_reorder_a_playlist_with_the_keyboard_and_by_drag(page, world, password):  # noqa: F811
    alice = world.personas.alice.user
    playlist = playlist_service.playlist_create(user=alice, kind="personal", title="Reading")
    for key in ("sql1", "sql2", "py3"):
        playlist_service.playlist_item_add(user=alice, playlist=playlist, item=world.items[key])
    log_in(page, "alice", password)
    page.goto("/discover/playlists/")
    assert axe_violations(page) == []
    page.goto(f"/discover/playlists/{playlist.uid}/")
    assert axe_violations(page) == []

    def titles() -> list[str]:
        entries = page.get_by_test_id("entry")
        return [entries.nth(i).locator("a").first.inner_text() for i in range(entries.count())]

    def stored() -> list[str]:
        return [e.item.title for e in playlist.entries.select_related("item").order_by("position")]

    def focus_on(label: str) -> None:
        page.wait_for_function(
            "label => document.activeElement"
            " && document.activeElement.getAttribute('aria-label') === label",
            arg=label,
        )

    first = page.get_by_role("button", name="Move down: SQL first steps")
    first.focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Moved to position 2 of 3.").wait_for()
    assert titles() == ["SQL joins", "SQL first steps", "Python for analysis"]
    # the focus stayed on the moved item's button, so Enter moves it again
    focus_on("Move down: SQL first steps")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Moved to position 3 of 3.").wait_for()
    assert titles() == ["SQL joins", "Python for analysis", "SQL first steps"]
    # last now: "Move down" is disabled, the focus went to its "Move up"
    focus_on("Move up: SQL first steps")
    assert stored() == ["SQL joins", "Python for analysis", "SQL first steps"]
    assert page.url.endswith(f"/discover/playlists/{playlist.uid}/")  # htmx: no navigation
    assert axe_violations(page) == []

    # drag the last item above the first one
    page.locator("li[data-testid=entry]").nth(2).drag_to(
        page.locator("li[data-testid=entry]").nth(0), target_position={"x": 20, "y": 3}
    )
    page.get_by_role("status").filter(has_text="New order saved.").wait_for()
    assert titles() == ["SQL first steps", "SQL joins", "Python for analysis"]
    assert stored() == ["SQL first steps", "SQL joins", "Python for analysis"]


def test_curated_playlist_pages_for_ld(page, world, password):  # noqa: F811
    lena = world.personas.lena.user
    playlist = playlist_service.playlist_create(user=lena, kind="curated", title="Data basics")
    playlist_service.playlist_item_add(user=lena, playlist=playlist, item=world.items["sql1"])
    log_in(page, "lena", password)
    page.goto(f"/discover/playlists/{playlist.uid}/")
    assert page.get_by_test_id("draft").count() == 1
    assert axe_violations(page) == []
    page.get_by_role("link", name="Edit the audience").click()
    page.wait_for_url("**/audience/")
    assert axe_violations(page) == []
    page.get_by_role("checkbox", name="Everyone").check()
    page.get_by_role("button", name="Save the audience").click()
    page.get_by_text("Audience saved: 8 people.").wait_for()
    page.get_by_role("button", name="Publish to the audience").click()
    page.get_by_text("Published.").wait_for()
    assert page.get_by_test_id("draft").count() == 0
