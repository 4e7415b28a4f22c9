"""HRIS import: people from a CSV export (joiners, movers, leavers). The format is in README.md.

Every row is validated first and every problem reported (row number as a spreadsheet shows it,
column, reason); nothing is written unless the whole file is valid. Writes are bulk operations, so
a 10,000-row export takes seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.text import slugify

from trellis.core.importing import ImportReport
from trellis.core.models import AuditEvent
from trellis.people.bulk import employees_bulk_update
from trellis.people.hooks import people_changed
from trellis.people.models import Department, Employee, JobRole, Location
from trellis.people.services import unique_username, valid_timezones

User = get_user_model()

REQUIRED = (
    "employee_id",
    "name",
    "email",
    "department",
    "job_title",
    "manager_employee_id",
    "location",
    "hire_date",
)
OPTIONAL = ("department_parent", "language", "timezone", "status", "left_on")
#: Required columns whose value may be empty (the top of the hierarchy has no manager).
MAY_BE_EMPTY = {"manager_employee_id"}
STATUSES = {"active", "leaver"}
MAX_BYTES = 50 * 1024 * 1024
#: The example offered for download at /people/import/example.csv (also in README.md).
EXAMPLE_CSV = """employee_id,name,email,department,job_title,manager_employee_id,location,hire_date,department_parent,language,timezone,status,left_on
E001,Grace Okafor,grace.okafor@example.com,Executive Office,Chief Executive Officer,,London,2016-04-01,,en,Europe/London,active,
E002,Tomás Silva,tomas.silva@example.com,Technology & Data,Chief Technology Officer,E001,Lisbon,2018-09-17,,pt,Europe/Lisbon,active,
E003,Mei Tan,mei.tan@example.com,Data & Analytics,Data Analyst,E002,Singapore,2023-01-09,Technology & Data,en,Asia/Singapore,active,
E004,Jonas Weber,jonas.weber@example.com,Engineering,Software Developer,E002,Berlin,2021-05-03,Technology & Data,de,Europe/Berlin,leaver,2025-06-30
"""
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


@dataclass
class _Row:
    number: int
    employee_id: str
    name: str
    email: str
    department: str
    department_code: str
    department_parent: str
    job_title: str
    manager_id: str
    location: str
    hire_date: dt.date | None
    language: str
    timezone: str
    leaver: bool
    left_on: dt.date | None
    problems: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _read_bytes(source: Path | BinaryIO) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        return path.read_bytes(), path.name
    data = source.read()
    if isinstance(data, str):
        data = data.encode()
    return data, str(getattr(source, "name", "") or "")


def _decode(report: ImportReport, data: bytes, name: str) -> str | None:
    if name and not name.lower().endswith((".csv", ".txt")) and "." in Path(name).name:
        report.add_error(
            0, "", f"{Path(name).name} is not a CSV file: export the HRIS data as CSV (UTF-8)."
        )
        return None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        report.add_error(
            0,
            "",
            "This looks like an Excel workbook, not a CSV file: save it as 'CSV UTF-8' and upload that.",
        )
        return None
    if len(data) > MAX_BYTES:
        report.add_error(0, "", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return None
    if b"\x00" in data[:4096]:
        report.add_error(0, "", "This is a binary file, not a CSV file (UTF-8 text).")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add_error(
            0, "", f"The file is not UTF-8 text (byte {exc.start}): save it as 'CSV UTF-8'."
        )
        return None


def _parse_date(report: ImportReport, number: int, column: str, value: str) -> dt.date | None:
    try:
        return (
            dt.date.fromisoformat(value)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            else _bad_date()
        )
    except ValueError:
        report.add_error(
            number, column, f"{value!r} is not a valid date; use YYYY-MM-DD (e.g. 2024-03-18)."
        )
        return None


def _bad_date() -> dt.date:
    raise ValueError


def _rows(report: ImportReport, text: str) -> list[_Row] | None:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        report.add_error(
            1,
            "",
            "The file is empty: it needs a header row with the columns "
            + ", ".join(REQUIRED)
            + ".",
        )
        return None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.add_error(
            1,
            ", ".join(missing),
            "Missing column(s) in the header row: " + ", ".join(missing) + ".",
        )
        return None
    reader.fieldnames = header
    zones = valid_timezones()
    rows: list[_Row] = []
    for index, raw in enumerate(reader):
        number = index + 2
        if None in raw:
            report.add_error(
                number, "", f"This row has more values than the header has columns ({len(header)})."
            )
        values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue  # blank line
        errors_before = len(report.errors)
        for column in REQUIRED:
            if column not in MAY_BE_EMPTY and not values.get(column):
                report.add_error(number, column, "A value is required.")
        email = values.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                report.add_error(
                    number, "email", f"{values['email']!r} is not a valid email address."
                )
        hire_date = (
            _parse_date(report, number, "hire_date", values["hire_date"])
            if values.get("hire_date")
            else None
        )
        left_on = (
            _parse_date(report, number, "left_on", values["left_on"])
            if values.get("left_on")
            else None
        )
        tz = values.get("timezone", "")
        if tz and tz not in zones:
            report.add_error(
                number,
                "timezone",
                f"Unknown time zone {tz!r}; use an IANA name such as Europe/London.",
            )
        status = values.get("status", "").lower() or "active"
        if status not in STATUSES:
            report.add_error(
                number, "status", f"{values['status']!r} is not a status; use 'active' or 'leaver'."
            )
        language = values.get("language", "")
        if language and not _LANGUAGE.match(language):
            report.add_error(
                number, "language", f"{language!r} is not a language code such as en, de or pt-BR."
            )
        if len(values.get("employee_id", "")) > 64:
            report.add_error(number, "employee_id", "At most 64 characters.")
        department = values.get("department", "")
        code = slugify(department)[:100]
        if department and not code:
            report.add_error(
                number,
                "department",
                f"{department!r} has no letters or digits to make a department code.",
            )
        employee_id = values.get("employee_id", "")
        manager_id = values.get("manager_employee_id", "")
        if employee_id and manager_id == employee_id:
            report.add_error(number, "manager_employee_id", "A person cannot be their own manager.")
        rows.append(
            _Row(
                number=number,
                employee_id=employee_id,
                name=values.get("name", ""),
                email=email,
                department=department,
                department_code=code,
                department_parent=values.get("department_parent", ""),
                job_title=values.get("job_title", ""),
                manager_id=manager_id,
                location=values.get("location", ""),
                hire_date=hire_date,
                language=language or "en",
                timezone=tz,
                leaver=status == "leaver",
                left_on=left_on,
                problems=len(report.errors) > errors_before,
            )
        )
    return rows


def _check_duplicates(report: ImportReport, rows: list[_Row], attr: str, column: str) -> None:
    seen: dict[str, list[int]] = {}
    for row in rows:
        value = getattr(row, attr)
        if value:
            seen.setdefault(value, []).append(row.number)
    for value, numbers in seen.items():
        if len(numbers) > 1:
            for n in numbers:
                others = ", ".join(str(o) for o in numbers if o != n)
                report.add_error(
                    n, column, f"{value} appears more than once (also in row {others})."
                )


def _check_cycles(
    report: ImportReport, rows_by_id: dict[str, _Row], manager_of: dict[str, str]
) -> None:
    """Report every row that takes part in a management cycle, naming the rows of the cycle."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    for start in rows_by_id:
        walk: list[str] = []
        node: str | None = start
        while node and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = manager_of.get(node) or None
        if node and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            in_file = [rows_by_id[c].number for c in cycle if c in rows_by_id]
            for c in cycle:
                if c in rows_by_id and c != manager_of.get(c):
                    report.add_error(
                        rows_by_id[c].number,
                        "manager_employee_id",
                        "Management cycle: rows "
                        + " → ".join(str(n) for n in in_file)
                        + " report to each other in a loop.",
                    )
        for n in walk:
            state[n] = 2


def import_hris_csv(
    source: Path | BinaryIO, *, actor: Any, deactivate_missing: bool = False, **options: Any
) -> ImportReport:
    """Import people from an HRIS CSV export. Validates everything, then writes in bulk."""
    report = ImportReport(kind="hris")
    data, name = _read_bytes(source)
    text = _decode(report, data, name)
    if text is None:
        return report
    rows = _rows(report, text)
    if rows is None:
        return report
    report.rows = len(rows)
    if not rows:
        report.add_error(2, "", "The file has a header but no people.")
        return report

    _check_duplicates(report, rows, "employee_id", "employee_id")
    _check_duplicates(report, rows, "email", "email")

    # What the database holds (one query each; 10,000 rows fit easily in memory).
    existing: dict[str, Employee] = {e.employee_id: e for e in Employee.objects.all()}
    existing_by_pk = {e.pk: e for e in existing.values()}
    email_owner = {e.email.lower(): e.employee_id for e in existing.values()}
    rows_by_id = {r.employee_id: r for r in rows if r.employee_id}

    for row in rows:
        owner = email_owner.get(row.email)
        if row.email and owner is not None and owner != row.employee_id:
            report.add_error(
                row.number,
                "email",
                f"{row.email} is already used by another person (employee id {owner}).",
            )

    # Managers: in the file, or an existing active employee who stays.
    for row in rows:
        if not row.manager_id or row.manager_id == row.employee_id:
            continue
        target = rows_by_id.get(row.manager_id)
        if target is not None:
            if target.leaver and not row.leaver:
                report.add_error(
                    row.number,
                    "manager_employee_id",
                    f"{row.manager_id} is marked as a leaver in row {target.number}.",
                )
            continue
        db = existing.get(row.manager_id)
        if db is None or not db.is_active:
            report.add_error(
                row.number,
                "manager_employee_id",
                f"{row.manager_id} is not in this file and is not an active employee.",
            )
        elif deactivate_missing:
            report.add_error(
                row.number,
                "manager_employee_id",
                f"{row.manager_id} is not in this file, so this full export would mark them as a leaver.",
            )
    manager_of = {
        e.employee_id: existing_by_pk[e.manager_id].employee_id
        for e in existing.values()
        if e.manager_id in existing_by_pk
    }
    manager_of.update({r.employee_id: r.manager_id for r in rows if r.employee_id})
    _check_cycles(report, rows_by_id, manager_of)

    # Departments: keyed by a slug of the name; a row's department_parent must agree with others.
    departments = {d.code: d for d in Department.objects.all()}
    parent_of: dict[str, tuple[str, int]] = {}
    for row in rows:
        if row.department_parent:
            parent_code = slugify(row.department_parent)[:100]
            if not parent_code:
                report.add_error(
                    row.number,
                    "department_parent",
                    "No letters or digits to make a department code.",
                )
            elif parent_code == row.department_code:
                report.add_error(
                    row.number, "department_parent", "A department cannot be its own parent."
                )
            elif (
                row.department_code in parent_of
                and parent_of[row.department_code][0] != parent_code
            ):
                report.add_error(
                    row.number,
                    "department_parent",
                    f"Row {parent_of[row.department_code][1]} gives {row.department} another parent.",
                )
            else:
                parent_of[row.department_code] = (parent_code, row.number)
    # A move of departments must not create a loop.
    by_pk_dept = {d.pk: d for d in departments.values()}
    dept_parent = {
        code: (by_pk_dept[d.parent_id].code if d.parent_id else "")
        for code, d in departments.items()
    }
    dept_parent.update({c: p for c, (p, _) in parent_of.items()})
    for code, (_, number) in parent_of.items():
        seen, node = {code}, dept_parent.get(code, "")
        while node:
            if node in seen:
                report.add_error(
                    number, "department_parent", "These parents make a loop of departments."
                )
                break
            seen.add(node)
            node = dept_parent.get(node, "")

    if not report.ok:
        return report
    _write(
        report,
        rows,
        existing,
        departments,
        parent_of,
        actor=actor,
        deactivate_missing=deactivate_missing,
    )
    return report


def _write(
    report: ImportReport,
    rows: list[_Row],
    existing: dict[str, Employee],
    departments: dict[str, Department],
    parent_of: dict[str, tuple[str, int]],
    *,
    actor: Any,
    deactivate_missing: bool,
) -> None:
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    audits: list[AuditEvent] = []

    def audit(code: str, target: Any, data: dict[str, Any]) -> None:
        audits.append(
            AuditEvent(
                actor_id=actor_id,
                code=code,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                data=data,
            )
        )

    # Departments (parents first), locations, job roles.
    names = {r.department_code: r.department for r in rows}
    for parent_code, _ in parent_of.values():
        names.setdefault(
            parent_code,
            next(
                r.department_parent
                for r in rows
                if slugify(r.department_parent)[:100] == parent_code
            ),
        )
    new_departments: list[str] = []
    moved_departments: list[str] = []

    def ensure(code: str, trail: tuple[str, ...] = ()) -> Department:
        dept = departments.get(code)
        parent_code = parent_of.get(code, ("", 0))[0]
        parent = ensure(parent_code, (*trail, code)) if parent_code else None
        if dept is None:
            dept = Department.objects.create(name=names[code][:200], code=code, parent=parent)
            prefix = parent.path if parent else "/"
            dept.path, dept.depth = f"{prefix}{dept.pk}/", prefix.count("/") - 1
            dept.save(update_fields=["path", "depth"])
            departments[code] = dept
            new_departments.append(dept.name)
            audit("trellis.people.department_created", dept, {"name": dept.name, "source": "hris"})
        elif parent_code and dept.parent_id != parent.pk:  # type: ignore[union-attr]
            from trellis.people.services import department_update

            department_update(actor=actor, department=dept, parent=parent)
            moved_departments.append(dept.name)
        return dept

    for code in names:
        ensure(code)
    if new_departments or moved_departments:
        # paths of moved subtrees may have changed
        for d in Department.objects.all():
            departments[d.code] = d

    locations = {loc.name.lower(): loc for loc in Location.objects.all()}
    new_locations = []
    for row in rows:
        key = row.location.lower()
        if key not in locations:
            locations[key] = Location.objects.create(
                name=row.location[:200], timezone=row.timezone or "UTC"
            )
            new_locations.append(row.location)
            audit(
                "trellis.people.location_created",
                locations[key],
                {"name": row.location, "source": "hris"},
            )
    roles = {r.title.lower(): r for r in JobRole.objects.all()}
    new_titles = []
    for row in rows:
        key = row.job_title.lower()
        if key not in roles:
            roles[key] = JobRole.objects.create(title=row.job_title[:200])
            new_titles.append(row.job_title)
            audit(
                "trellis.people.job_role_created",
                roles[key],
                {"title": row.job_title, "source": "hris"},
            )

    today = timezone.localdate()

    # Joiners: users then employees, in bulk.
    joiners = [r for r in rows if r.employee_id not in existing]
    if joiners:
        taken = set(User.objects.values_list("username", flat=True))
        unusable = make_password(None)
        users = []
        for r in joiners:
            first, _, last = r.name.partition(" ")
            users.append(
                User(
                    username=unique_username(r.email, taken),
                    email=r.email,
                    first_name=first[:150],
                    last_name=last[:150],
                    password=unusable,
                    is_active=not r.leaver,
                )
            )
        User.objects.bulk_create(users, batch_size=500)
        if any(u.pk is None for u in users):  # databases without RETURNING
            pks = dict(
                User.objects.filter(username__in=[u.username for u in users]).values_list(
                    "username", "pk"
                )
            )
            for u in users:
                u.pk = pks[u.username]
        new_employees = [
            Employee(
                user_id=u.pk,
                employee_id=r.employee_id,
                full_name=r.name[:200],
                email=r.email,
                department=departments[r.department_code],
                job_role=roles[r.job_title.lower()],
                location=locations[r.location.lower()],
                language=r.language,
                timezone=r.timezone or locations[r.location.lower()].timezone,
                hire_date=r.hire_date,
                is_active=not r.leaver,
                left_on=(r.left_on or today) if r.leaver else None,
            )
            for r, u in zip(joiners, users, strict=True)
        ]
        Employee.objects.bulk_create(new_employees, batch_size=500)
        if any(e.pk is None for e in new_employees):
            pks = dict(
                Employee.objects.filter(
                    employee_id__in=[e.employee_id for e in new_employees]
                ).values_list("employee_id", "pk")
            )
            for e in new_employees:
                e.pk = pks[e.employee_id]
        for e in new_employees:
            existing[e.employee_id] = e
            audit("trellis.people.joined", e, {"employee_id": e.employee_id, "source": "hris"})
        report.created = len(new_employees)
    joiner_ids = {r.employee_id for r in joiners}

    # Movers, updates, leavers and returners among existing people.
    changed: dict[int, Employee] = {}
    user_updates: dict[int, dict[str, Any]] = {}
    for r in rows:
        e = existing[r.employee_id]
        manager = existing[r.manager_id] if r.manager_id else None
        if r.employee_id in joiner_ids:
            if manager is not None:
                e.manager_id = manager.pk
                changed[e.pk] = e
            continue
        target = {
            "department_id": departments[r.department_code].pk,
            "job_role_id": roles[r.job_title.lower()].pk,
            "manager_id": manager.pk if manager else None,
            "location_id": locations[r.location.lower()].pk,
            "full_name": r.name[:200],
            "email": r.email,
            "language": r.language,
            "timezone": r.timezone or e.timezone,
            "hire_date": r.hire_date,
        }
        diff = {
            k: [_plain(getattr(e, k)), _plain(v)] for k, v in target.items() if getattr(e, k) != v
        }
        status_change = None
        if r.leaver and e.is_active:
            status_change = "left"
            e.is_active, e.left_on = False, r.left_on or today
            user_updates.setdefault(e.user_id, {})["is_active"] = False
        elif not r.leaver and not e.is_active:
            status_change = "rejoined"
            e.is_active, e.left_on = True, None
            user_updates.setdefault(e.user_id, {})["is_active"] = True
        if not diff and status_change is None:
            report.unchanged += 1
            continue
        for k in diff:
            setattr(e, k, target[k])
        if {"full_name", "email"} & set(diff):
            first, _, last = e.full_name.partition(" ")
            user_updates.setdefault(e.user_id, {}).update(
                email=e.email, first_name=first[:150], last_name=last[:150]
            )
        changed[e.pk] = e
        if diff:
            moves = {"department_id", "job_role_id", "manager_id", "location_id"} & set(diff)
            audit(
                "trellis.people.moved" if moves else "trellis.people.updated",
                e,
                {**diff, "source": "hris"},
            )
        if status_change == "left":
            report.deactivated += 1
            audit("trellis.people.left", e, {"left_on": e.left_on.isoformat(), "source": "hris"})  # type: ignore[union-attr]
        else:
            if status_change == "rejoined":
                audit("trellis.people.rejoined", e, {"source": "hris"})
            report.updated += 1

    # deactivate_missing: a full export; every active person not in it has left.
    if deactivate_missing:
        in_file = {r.employee_id for r in rows}
        for e in existing.values():
            if e.is_active and e.employee_id not in in_file:
                e.is_active, e.left_on = False, today
                user_updates.setdefault(e.user_id, {})["is_active"] = False
                changed[e.pk] = e
                report.deactivated += 1
                audit(
                    "trellis.people.left",
                    e,
                    {
                        "left_on": today.isoformat(),
                        "source": "hris",
                        "reason": "missing from full export",
                    },
                )

    # The leaver rule for people not in the file: reports of a leaver move to the leaver's manager.
    by_pk = {e.pk: e for e in existing.values()}
    in_file = {r.employee_id for r in rows}
    for e in by_pk.values():
        if e.employee_id in in_file or not e.is_active or e.manager_id is None:
            continue
        original = e.manager_id
        manager = by_pk.get(e.manager_id)
        while manager is not None and not manager.is_active:
            manager = by_pk.get(manager.manager_id) if manager.manager_id else None
        new_id = manager.pk if manager else None
        if new_id != original:
            e.manager_id = new_id
            changed[e.pk] = e
            audit(
                "trellis.people.moved",
                e,
                {"manager_id": [original, new_id], "reason": "manager left", "source": "hris"},
            )

    # Recompute every manager path in memory; write only those that differ.
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        if pk in paths:
            return paths[pk]
        chain = []
        node: Employee | None = by_pk[pk]
        while node is not None and node.pk not in paths:
            chain.append(node)
            node = by_pk.get(node.manager_id) if node.manager_id else None
        prefix = paths[node.pk] if node is not None else "/"
        for n in reversed(chain):
            prefix = f"{prefix}{n.pk}/"
            paths[n.pk] = prefix
        return paths[pk]

    for e in by_pk.values():
        if path_of(e.pk) != e.manager_path:
            e.manager_path = paths[e.pk]
            changed[e.pk] = e
    if changed:
        employees_bulk_update(list(changed.values()), _UPDATED)
    for active in (True, False):
        ids = [uid for uid, f in user_updates.items() if f == {"is_active": active}]
        if ids:
            User.objects.filter(pk__in=ids).update(is_active=active)
    for user_id, fields in user_updates.items():
        if set(fields) != {"is_active"}:
            User.objects.filter(pk=user_id).update(**fields)
    AuditEvent.objects.bulk_create(audits, batch_size=500)
    joined = [existing[r.employee_id].pk for r in joiners]
    people_changed([*joined, *changed], "hris import")
    report.details.update(
        {
            "new_job_titles": new_titles,
            "new_departments": new_departments,
            "moved_departments": moved_departments,
            "new_locations": new_locations,
        }
    )


_UPDATED = (
    "department",
    "job_role",
    "manager",
    "location",
    "full_name",
    "email",
    "language",
    "timezone",
    "hire_date",
    "is_active",
    "left_on",
    "manager_path",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
