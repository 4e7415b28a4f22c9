"""End-to-end journeys in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from trellis.core.models import ImportRun
from trellis.people.models import Employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HRIS_WITH_ONE_BAD_ROW = (
    "employee_id,name,email,department,job_title,manager_employee_id,location,hire_date\n"
    "N001,Nadia Novak,nadia.novak@example.com,Finance,Accountant,,London,2024-03-01\n"
    "N002,Omar Osei,omar.osei@example.com,Finance,Accountant,N001,London,2024-13-45\n"
    "N003,Pia Park,pia.park@example.com,Finance,Accountant,N001,London,2025-01-15\n"
)


def test_ld_admin_upload_with_a_bad_row_shows_the_error_and_imports_nothing(
    page, personas, password, tmp_path
):
    before = Employee.objects.count()
    csv_path = tmp_path / "hris.csv"
    csv_path.write_text(HRIS_WITH_ONE_BAD_ROW)

    log_in(page, "lena", password)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Admin", exact=True
    ).click()
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("What are you importing?").select_option("hris")
    page.get_by_label("File", exact=True).set_input_files(str(csv_path))
    page.get_by_role("button", name="Import").click()

    page.wait_for_url("**/admin/imports/*/")
    assert page.locator("#import-status").inner_text() == "Rejected (nothing written)"
    rows = page.locator("#import-errors tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "3"
    assert cells[1] == "hire_date"
    assert Employee.objects.count() == before
    assert not Employee.objects.filter(employee_id__in=["N001", "N002", "N003"]).exists()
    assert ImportRun.objects.get().status == ImportRun.Status.REJECTED


def test_learner_filters_the_catalog_and_opens_an_item(page, personas, password):
    from trellis.catalog.models import Item
    from trellis.catalog.tests.factories import ItemFactory, ProviderFactory

    academy = ProviderFactory(slug="trellis-academy", name="Trellis Academy")
    openstax = ProviderFactory(slug="openstax", name="OpenStax")
    ItemFactory(
        provider=academy, title="Prompting 101", format=Item.Format.VIDEO, duration_minutes=8
    )
    ItemFactory(provider=academy, title="Spreadsheet basics", format=Item.Format.ARTICLE)
    ItemFactory(
        provider=openstax,
        title="1.1 Background",
        format=Item.Format.BOOK_SECTION,
        license="CC BY 4.0",
        attribution="Introduction to Python Programming, OpenStax. © Rice University. CC BY 4.0.",
    )

    log_in(page, "alice", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    results = page.locator("#results")
    assert "3 items" in results.inner_text()

    page.get_by_role("checkbox", name="Video").check()
    page.wait_for_function("document.querySelector('#results').innerText.includes('1 item')")
    assert "format=video" in page.url
    assert "Prompting 101" in results.inner_text()
    assert "Spreadsheet basics" not in results.inner_text()

    page.get_by_role("checkbox", name="Video").uncheck()
    page.get_by_role("checkbox", name="Book section").check()
    page.wait_for_function("document.querySelector('#results').innerText.includes('1 item')")
    results.get_by_role("link", name="1.1 Background").click()
    page.wait_for_url("**/catalog/item/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "1.1 Background"
    assert "© Rice University" in page.locator("body").inner_text()
    # a learner has no edit link
    assert page.get_by_role("link", name="Edit").count() == 0
