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
            ],
        ),
        ("maria", ["/people/team/"]),
        (
            "lena",
            [
                "/people/",
                "/skills/roles/",
                "/admin/",
                "/admin/imports/",
                "/admin/tokens/",
                "/admin/audit/",
                "/people/departments/",
                "/notifications/admin/settings/",
                "/notifications/admin/failed/",
            ],
        ),
    ],
)
def test_main_pages_have_no_accessibility_violations(
    page, personas, password, catalog_item, who, paths
):
    log_in(page, who, password)
    found = {}
    for path in [*paths, f"/catalog/item/{catalog_item.uid}/"]:
        response = page.goto(path)
        assert response.status == 200, path
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
