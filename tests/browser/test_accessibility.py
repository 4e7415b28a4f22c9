"""Accessibility: axe-core (WCAG 2.1 A/AA and best practices) on the main pages, for several personas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", RULES
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}" for v in result["violations"]
    ]


@pytest.fixture
def catalog_item(db):
    from trellis.catalog.tests.factories import ItemFactory

    return ItemFactory(title="Evaluating AI output", body="Check the sources.\n" * 40)


@pytest.fixture
def program(personas, catalog_item):
    """An active program with a policy, an elective group and one completion, and a draft one
    whose preview warns that it would go over the mandate budget."""
    from trellis.catalog.tests.factories import ItemFactory
    from trellis.lrs.events import record_item_completed
    from trellis.programs import services

    lena = personas.lena.user
    program = services.program_create(
        actor=lena, name="AI fluency", objective="Use AI well.", pace_points=[[10, 20], [90, 100]]
    )
    services.audience_set(actor=lena, program=program, rules=[{}])
    services.requirement_add(actor=lena, program=program, item=catalog_item)
    group = services.requirement_group_add(
        actor=lena, program=program, name="Any", required_count=1
    )
    for title in ("Prompting", "Reviewing"):
        services.requirement_add(
            actor=lena, program=program, item=ItemFactory(title=title), group=group
        )
    services.requirement_add(actor=lena, program=program, title="AI policy", body="Be careful.")
    services.program_activate(actor=lena, program=program)
    record_item_completed(employee=personas.alice, item=catalog_item)
    services.mandate_budget_set(actor=lena, job_role=None, hours_per_quarter=0.5)
    draft = services.program_create(actor=lena, name="Data privacy", category="compliance")
    services.audience_set(actor=lena, program=draft, rules=[{}])
    privacy = ItemFactory(title="Privacy basics", duration_minutes=60)
    services.requirement_add(actor=lena, program=draft, item=privacy)
    return {"program": program.pk, "draft": draft.pk}


def test_login_page_has_no_accessibility_violations(page):
    page.goto("/accounts/login/")
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        (
            "alice",
            [
                "/",
                "/catalog/",
                "/people/me/",
                "/skills/me/rate/",
                "/skills/search/?q=python",
                "/notifications/",
                "/notifications/settings/",
                "/notifications/log/",
                "/programs/assigned/",
                "/discover/",
                "/discover/control/",
                "/discover/why/{catalog_item_id}/",
                "/discover/paths/",
                "/discover/paths/new/",
                "/discover/playlists/",
                "/discover/search/?q=evaluating+ai",
                "/discover/search/?q=evaluating+ai&format=video",
                "/discover/ask/?q=How+do+I+evaluate+AI+output%3F",
            ],
        ),
        ("maria", ["/people/team/", "/programs/team/", "/discover/paths/"]),
        (
            "lena",
            [
                "/people/",
                "/skills/roles/",
                "/admin/",
                "/admin/imports/",
                "/admin/tokens/",
                "/governance/audit/",
                "/people/departments/",
                "/notifications/admin/settings/",
                "/notifications/admin/failed/",
                "/programs/",
                "/programs/new/",
                "/programs/budget/",
                "/programs/{program}/",
                "/programs/{program}/edit/",
                "/programs/{program}/preview/",
                "/programs/{draft}/preview/",
                "/discover/fairness/",
                "/discover/playlists/",
                "/discover/tags/",
                "/discover/tags/coverage/",
            ],
        ),
    ],
)
def test_main_pages_have_no_accessibility_violations(
    page, personas, password, catalog_item, program, who, paths
):
    log_in(page, who, password)
    found = {}
    for path in [
        *(p.format(**program, catalog_item_id=catalog_item.pk) for p in paths),
        f"/catalog/item/{catalog_item.uid}/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
