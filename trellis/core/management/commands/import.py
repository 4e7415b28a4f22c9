from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trellis.core.importing import IMPORTERS, run_import


class Command(BaseCommand):
    help = "Import data into Trellis. Every bad row is reported at once; nothing is written if any row is bad."

    def add_arguments(self, parser: Any) -> None:
        kinds = "; ".join(f"{kind}: {desc}" for kind, (_, desc) in IMPORTERS.items())
        parser.add_argument("kind", choices=sorted(IMPORTERS), help=f"What to import ({kinds})")
        parser.add_argument("path", help="File or folder to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, write nothing"
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="hris: treat the file as a full export; employees missing from it have left",
        )

    def handle(
        self,
        *args: Any,
        kind: str,
        path: str,
        dry_run: bool,
        deactivate_missing: bool,
        **options: Any,
    ) -> None:
        source = Path(path)
        if not source.exists():
            raise CommandError(f"path: {path} does not exist")
        extra: dict[str, Any] = {}
        if kind == "hris":
            extra["deactivate_missing"] = deactivate_missing
        report = run_import(
            kind, source, actor=None, filename=source.name, dry_run=dry_run, **extra
        )
        for error in report.errors[:200]:
            self.stderr.write(f"  {error}")
        if len(report.errors) > 200:
            self.stderr.write(f"  … and {len(report.errors) - 200} more errors")
        summary = ", ".join(f"{k} {v}" for k, v in report.summary().items() if k != "import_run_id")
        if not report.ok:
            raise CommandError(
                f"{kind} import rejected: {len(report.errors)} error(s); nothing was written. ({summary})"
            )
        verb = "checked (dry run, nothing written)" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{kind} {verb}: {summary}"))
