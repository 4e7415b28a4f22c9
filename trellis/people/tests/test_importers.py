from __future__ import annotations

import io
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.core.importing import run_import
from trellis.core.models import AuditEvent, ImportRun
from trellis.people.importers import import_hris_csv
from trellis.people.models import Department, Employee, JobRole, Location

User = get_user_model()
HEADER = "employee_id,name,email,department,job_title,manager_employee_id,location,hire_date"


def csv_file(
    *lines: str, header: str = HEADER, bom: bool = False, name: str = "hris.csv"
) -> io.BytesIO:
    data = ("\n".join([header, *lines]) + "\n").encode()
    f = io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)
    f.name = name
    return f


BASE = [
    "H1,Hana Top,hana.top@acme.example,Executive Office,Chief Executive Officer,,London,2015-01-05",
    "H2,Ivan Lead,ivan.lead@acme.example,Engineering,Engineering Manager,H1,Berlin,2018-06-01",
    "H3,Jo Dev,jo.dev@acme.example,Engineering,Software Developer,H2,Berlin,2021-09-13",
    "H4,Kai Dev,kai.dev@acme.example,Engineering,Software Developer,H2,Lisbon,2023-02-20",
]


def load(*lines: str, **kw) -> object:
    return run_import("hris", csv_file(*lines), actor=None, **kw)


def emp(employee_id: str) -> Employee:
    return Employee.objects.select_related(
        "manager", "department", "job_role", "location", "user"
    ).get(employee_id=employee_id)


def test_joiners_created_with_paths_and_accounts(db):
    report = load(*BASE)
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 4, 0, 0)
    assert report.details["new_job_titles"] == [
        "Chief Executive Officer",
        "Engineering Manager",
        "Software Developer",
    ]
    assert sorted(report.details["new_locations"]) == ["Berlin", "Lisbon", "London"]
    h1, h2, h3 = emp("H1"), emp("H2"), emp("H3")
    assert h3.manager_path == f"/{h1.pk}/{h2.pk}/{h3.pk}/"
    assert (
        h3.manager == h2
        and h3.department.code == "engineering"
        and h3.job_role.title == "Software Developer"
    )
    assert h3.user.username == "jo.dev" and not h3.user.has_usable_password() and h3.user.is_active
    assert h3.hire_date.isoformat() == "2021-09-13"
    assert JobRole.objects.get(title="Software Developer").occupation is None
    assert AuditEvent.objects.filter(code="trellis.people.joined").count() == 4


def test_reimport_is_idempotent_and_writes_nothing(db):
    assert load(*BASE).ok
    with CaptureQueriesContext(connection) as ctx:
        report = import_hris_csv(csv_file(*BASE), actor=None)
    assert report.ok and (report.created, report.updated, report.unchanged, report.deactivated) == (
        0,
        0,
        4,
        0,
    )
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []


def test_movers_updated_and_audited(db):
    assert load(*BASE).ok
    moved = [*BASE[:3], "H4,Kai Dev,kai.dev@acme.example,Data,Data Analyst,H1,London,2023-02-20"]
    report = load(*moved)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 1, 3)
    h4 = emp("H4")
    assert (h4.department.name, h4.job_role.title, h4.manager.employee_id, h4.location.name) == (
        "Data",
        "Data Analyst",
        "H1",
        "London",
    )
    assert h4.manager_path == f"/{emp('H1').pk}/{h4.pk}/"
    event = AuditEvent.objects.get(code="trellis.people.moved", target_id=str(h4.pk))
    assert event.data["manager_id"] == [emp("H2").pk, emp("H1").pk]
    assert report.details["new_departments"] == ["Data"]


def test_manager_change_moves_whole_subtree(db):
    lines = [*BASE, "H5,Lou Intern,lou.intern@acme.example,Engineering,Intern,H3,Berlin,2024-07-01"]
    assert load(*lines).ok
    lines[2] = "H3,Jo Dev,jo.dev@acme.example,Engineering,Software Developer,H1,Berlin,2021-09-13"
    assert load(*lines).ok
    h1, h3, h5 = emp("H1"), emp("H3"), emp("H5")
    assert h5.manager_path == f"/{h1.pk}/{h3.pk}/{h5.pk}/"


def test_leavers_by_status_and_reports_keep_consistency(db):
    assert load(*BASE).ok
    header = HEADER + ",status,left_on"
    lines = [line + ",active," for line in BASE[:3]] + [BASE[3] + ",leaver,2025-01-31"]
    report = run_import("hris", csv_file(*lines, header=header), actor=None)
    assert report.ok, report.errors
    assert report.deactivated == 1 and report.unchanged == 3
    h4 = emp("H4")
    assert not h4.is_active and h4.left_on.isoformat() == "2025-01-31" and not h4.user.is_active
    assert AuditEvent.objects.filter(code="trellis.people.left", target_id=str(h4.pk)).exists()


def test_deactivate_missing_marks_absent_people_as_leavers_and_moves_their_reports(db):
    lines = [*BASE, "H5,Lou Intern,lou.intern@acme.example,Engineering,Intern,H4,Berlin,2024-07-01"]
    assert load(*lines).ok
    # H4 is missing; H5 now reports to H2 in the file.
    lines2 = [
        *BASE[:3],
        "H5,Lou Intern,lou.intern@acme.example,Engineering,Intern,H2,Berlin,2024-07-01",
    ]
    report = load(*lines2, deactivate_missing=True)
    assert report.ok, report.errors
    assert report.deactivated == 1 and report.updated == 1
    assert (
        not emp("H4").is_active
        and emp("H5").manager_path == f"/{emp('H1').pk}/{emp('H2').pk}/{emp('H5').pk}/"
    )
    # without the flag, missing people stay
    assert load(*BASE[:2]).deactivated == 0
    assert emp("H3").is_active


def test_people_not_in_file_follow_the_leaver_rule(db):
    lines = [*BASE, "H5,Lou Intern,lou.intern@acme.example,Engineering,Intern,H4,Berlin,2024-07-01"]
    assert load(*lines).ok
    header = HEADER + ",status"
    report = run_import("hris", csv_file(BASE[3] + ",leaver", header=header), actor=None)
    assert report.ok, report.errors
    h5 = emp("H5")
    assert h5.manager.employee_id == "H2"
    assert h5.manager_path == f"/{emp('H1').pk}/{emp('H2').pk}/{h5.pk}/"


def test_every_error_reported_at_once_and_nothing_written(db):
    assert load(*BASE).ok
    before = (
        Employee.objects.count(),
        User.objects.count(),
        Department.objects.count(),
        JobRole.objects.count(),
        Location.objects.count(),
    )
    header = HEADER + ",timezone,status"
    bad = [
        "N1,,n1@acme.example,Engineering,Software Developer,H2,Berlin,2024-01-01,Europe/Berlin,active",  # 2 name missing
        "N2,Ann Two,not-an-email,Engineering,Software Developer,H2,Berlin,2024-01-01,,",  # 3 email
        "N3,Ann Three,dup@acme.example,Engineering,Software Developer,H2,Berlin,01/02/2024,,",  # 4 date
        "N3,Ann Four,dup@acme.example,Engineering,Software Developer,H2,Berlin,2024-01-01,Mars/Olympus,",  # 5 dup id+email, tz
        "N5,Ann Five,jo.dev@acme.example,Engineering,Software Developer,H2,Berlin,2024-01-01,,",  # 6 email of H3
        "N6,Ann Six,n6@acme.example,Engineering,Software Developer,NOPE,Berlin,2024-01-01,,",  # 7 unknown manager
        "N7,Ann Seven,n7@acme.example,Engineering,Software Developer,N7,Berlin,2024-01-01,,",  # 8 self manager
        "N8,Ann Eight,n8@acme.example,Engineering,Software Developer,N9,Berlin,2024-01-01,,",  # 9 cycle
        "N9,Ann Nine,n9@acme.example,Engineering,Software Developer,N8,Berlin,2024-01-01,,",  # 10 cycle
        "N10,Ann Ten,n10@acme.example,Engineering,Software Developer,H2,Berlin,2024-02-30,,retired",  # 11 date + status
    ]
    report = run_import("hris", csv_file(*bad, header=header), actor=None)
    assert not report.ok
    got = {(e.row, e.column) for e in report.errors}
    assert got == {
        (2, "name"),
        (3, "email"),
        (4, "hire_date"),
        (4, "employee_id"),
        (5, "employee_id"),
        (4, "email"),
        (5, "email"),
        (5, "timezone"),
        (6, "email"),
        (7, "manager_employee_id"),
        (8, "manager_employee_id"),
        (9, "manager_employee_id"),
        (10, "manager_employee_id"),
        (11, "hire_date"),
        (11, "status"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "YYYY-MM-DD" in messages[(4, "hire_date")]
    assert "row 5" in messages[(4, "employee_id")] and "row 4" in messages[(5, "employee_id")]
    assert "rows 9 → 10" in messages[(9, "manager_employee_id")]
    assert "H3" in messages[(6, "email")]
    after = (
        Employee.objects.count(),
        User.objects.count(),
        Department.objects.count(),
        JobRole.objects.count(),
        Location.objects.count(),
    )
    assert after == before
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.REJECTED


def test_one_bad_row_rejects_the_file(db):
    report = load(
        *BASE, "H9,Bad Date,h9@acme.example,Engineering,Software Developer,H2,Berlin,yesterday"
    )
    assert [(e.row, e.column) for e in report.errors] == [(6, "hire_date")]
    assert (
        Employee.objects.count() == 0
        and User.objects.count() == 0
        and Department.objects.count() == 0
    )


def test_missing_columns_and_non_csv_are_file_errors(db):
    report = run_import("hris", csv_file("x", header="employee_id,name"), actor=None)
    assert [(e.row, e.column) for e in report.errors] == [
        (1, "email, department, job_title, manager_employee_id, location, hire_date")
    ]
    xlsx = io.BytesIO(b"PK\x03\x04binary")
    xlsx.name = "people.csv"
    report = run_import("hris", xlsx, actor=None)
    assert len(report.errors) == 1 and "Excel" in report.errors[0].message
    pdf = io.BytesIO(b"%PDF-1.4")
    pdf.name = "people.pdf"
    assert "not a CSV" in run_import("hris", pdf, actor=None).errors[0].message
    latin = io.BytesIO((HEADER + "\nH1,Zoë,z@acme.example,A,B,,C,2020-01-01\n").encode("latin-1"))
    assert "UTF-8" in run_import("hris", latin, actor=None).errors[0].message
    assert Employee.objects.count() == 0


def test_utf8_bom_and_path_source(db, tmp_path: Path):
    report = run_import("hris", csv_file(*BASE, bom=True), actor=None)
    assert report.ok and report.created == 4
    path = tmp_path / "hris.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + (
            "\n".join(
                [
                    HEADER,
                    "H5,Zoë Ünal,zoe@acme.example,Engineering,Software Developer,H2,Berlin,2024-07-01",
                ]
            )
            + "\n"
        ).encode()
    )
    report = run_import("hris", path, actor=None)
    assert report.ok and report.created == 1 and emp("H5").full_name == "Zoë Ünal"


def test_department_parent_builds_tree(db):
    header = HEADER + ",department_parent"
    lines = [BASE[0] + ",", BASE[1] + ",Technology", BASE[2] + ",Technology"]
    assert run_import("hris", csv_file(*lines, header=header), actor=None).ok
    tech, eng = (
        Department.objects.get(code="technology"),
        Department.objects.get(code="engineering"),
    )
    assert eng.parent == tech and eng.path == f"{tech.path}{eng.pk}/" and eng.depth == 1


def test_ten_thousand_rows_are_fast(db):
    lines = ["P0,Boss Zero,p0@big.example,Executive,CEO,,London,2010-01-01"]
    for i in range(1, 10_000):
        manager = f"P{(i - 1) // 8}"
        lines.append(
            f"P{i},Person {i},p{i}@big.example,Dept {i % 20},Role {i % 40},{manager},City {i % 6},2020-01-01"
        )
    started = time.monotonic()
    report = run_import("hris", csv_file(*lines), actor=None)
    first = time.monotonic() - started
    assert report.ok and report.created == 10_000
    started = time.monotonic()
    report = run_import("hris", csv_file(*lines), actor=None)
    second = time.monotonic() - started
    assert report.unchanged == 10_000
    print(f"\n10,000-row HRIS import: first {first:.1f} s, re-import {second:.1f} s")
    assert first < 30 and second < 15


def test_active_row_cannot_report_to_a_leaver_of_the_same_file(db):
    header = HEADER + ",status"
    lines = [BASE[0] + ",active", BASE[1] + ",leaver", BASE[2] + ",active", BASE[3] + ",leaver"]
    report = run_import("hris", csv_file(*lines, header=header), actor=None)
    assert [(e.row, e.column) for e in report.errors] == [(4, "manager_employee_id")]
    assert "row 3" in report.errors[0].message
    assert Employee.objects.count() == 0


def test_manager_missing_from_a_full_export_is_an_error(db):
    assert load(*BASE).ok
    report = load(BASE[0], BASE[2], deactivate_missing=True)  # H3's manager H2 would be deactivated
    assert [(e.row, e.column) for e in report.errors] == [(3, "manager_employee_id")]
    assert Employee.objects.filter(is_active=True).count() == 4


def test_web_upload_through_the_admin_import_page(personas):
    client = personas.client("lena")
    line = f"N1,Nia New,nia@acme.example,Sales,Sales Manager,{personas.oscar.employee_id},London,2025-01-06"

    def upload() -> io.BytesIO:
        f = io.BytesIO("\n".join([HEADER, line]).encode())
        f.name = "hris.csv"
        return f

    response = client.post(reverse("core:import_upload"), {"kind": "hris", "file": upload()})
    assert response.status_code == 302
    assert Employee.objects.get(employee_id="N1").manager == personas.oscar
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.APPLIED
    # as a full export, oscar (N1's manager) would be missing: rejected, nobody deactivated
    response = client.post(
        reverse("core:import_upload"),
        {"kind": "hris", "file": upload(), "deactivate_missing": "on"},
    )
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"]) for e in run.errors] == [(2, "manager_employee_id")]
    assert Employee.objects.filter(is_active=True).count() == 9
    assert (
        client.post(reverse("core:import_upload"), {"kind": "hris", "file": upload()}).status_code
        == 302
    )
    erin = personas.client("erin")
    assert (
        erin.post(reverse("core:import_upload"), {"kind": "hris", "file": upload()}).status_code
        == 403
    )
