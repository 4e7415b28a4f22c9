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
