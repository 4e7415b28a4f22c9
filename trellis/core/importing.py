"""The shape every import in Trellis shares: validate every row, report every error, write all or nothing.

An importer is a function ``(source, *, actor, dry_run) -> ImportReport`` that raises
``ImportRejected`` (carrying the full report) when any row is bad. ``run_import`` wraps it in one
transaction, records an ``ImportRun`` and the audit entry, and is what the CLI, the web and the API call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file as a spreadsheet shows it (header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[RowError] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            **self.details,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            **self.summary(),
            "errors": [asdict(e) for e in self.errors],
        }


class ImportRejected(Exception):
    """Raised inside the import transaction so nothing is written; carries the full report."""

    def __init__(self, report: ImportReport):
        super().__init__(f"{len(report.errors)} error(s) in {report.kind} import")
        self.report = report


class _DryRunRollback(Exception):
    pass


Source = Path | BinaryIO

#: kind -> (dotted path of the importer, one-line description). Apps add theirs here.
IMPORTERS: dict[str, tuple[str, str]] = {
    "hris": (
        "trellis.people.importers.import_hris_csv",
        "People from an HRIS CSV export (joiners, movers, leavers)",
    ),
    "esco": (
        "trellis.skills.importers.import_esco",
        "ESCO skills, hierarchy, occupations and relations from a folder of CSV(.gz)",
    ),
    "onet": (
        "trellis.skills.importers.import_onet",
        "O*NET occupations, technology skills, tasks and titles from a folder of TXT(.gz)",
    ),
    "catalog": (
        "trellis.catalog.importers.import_catalog_file",
        "Catalog items from a CSV or JSON file (documented schema)",
    ),
    "openstax": (
        "trellis.catalog.importers.import_openstax",
        "OpenStax open textbooks (catalog.jsonl.gz) as book-section items",
    ),
}


def get_importer(kind: str) -> Callable[..., ImportReport]:
    try:
        dotted, _ = IMPORTERS[kind]
    except KeyError:
        raise ValueError(
            f"Unknown import kind {kind!r}; choose one of: {', '.join(sorted(IMPORTERS))}"
        ) from None
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


def run_import(
    kind: str,
    source: Source,
    *,
    actor: Any = None,
    filename: str = "",
    dry_run: bool = False,
    **options: Any,
) -> ImportReport:
    """Run one import atomically and record it. Returns the report; never raises on bad rows."""
    from trellis.core.models import ImportRun
    from trellis.core.services import audit_log

    importer = get_importer(kind)
    started = time.monotonic()
    report: ImportReport
    try:
        with transaction.atomic():
            report = importer(source, actor=actor, **options)
            if not report.ok:
                raise ImportRejected(report)
            if dry_run:
                raise _DryRunRollback()
        status = ImportRun.Status.APPLIED
    except ImportRejected as rejected:
        report = rejected.report
        status = ImportRun.Status.REJECTED
    except _DryRunRollback:
        status = ImportRun.Status.DRY_RUN
    duration_ms = int((time.monotonic() - started) * 1000)
    name = filename or (str(source) if isinstance(source, Path) else getattr(source, "name", ""))
    run = ImportRun.objects.create(
        kind=kind,
        filename=str(name)[:255],
        status=status,
        duration_ms=duration_ms,
        actor=actor if getattr(actor, "pk", None) else None,
        summary=report.summary(),
        errors=[asdict(e) for e in report.errors[:5000]],
    )
    audit_log(
        actor=actor,
        code=f"trellis.import.{status}",
        target=run,
        data={
            "kind": kind,
            "filename": run.filename,
            **report.summary(),
            "errors": len(report.errors),
        },
    )
    report.details.setdefault("import_run_id", run.pk)
    return report
