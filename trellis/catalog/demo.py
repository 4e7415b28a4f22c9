"""The demo catalog: OpenStax textbooks plus Trellis Academy's AI-literacy and workplace items.

Everything goes through the importers, from files shipped in ``demo_data/`` (see ATTRIBUTION.md
there), so re-running the step reports every item as unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from trellis.core.importing import ImportReport, run_import

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
OPENSTAX_FILE = DEMO_DATA / "openstax-catalog.jsonl.gz"
ACADEMY_FILES = (DEMO_DATA / "ai-literacy.json", DEMO_DATA / "workplace-essentials.json")


class DemoImportFailed(RuntimeError):
    pass


def _check(report: ImportReport, name: str) -> ImportReport:
    if not report.ok:
        first = "; ".join(str(e) for e in report.errors[:5])
        raise DemoImportFailed(f"{name}: {len(report.errors)} error(s): {first}")
    return report


def build_catalog(*, stdout: TextIO | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    reports = [
        ("openstax", _check(run_import("openstax", OPENSTAX_FILE, actor=None), OPENSTAX_FILE.name))
    ]
    for path in ACADEMY_FILES:
        report = run_import(
            "catalog", path, actor=None, filename=path.name, skip_unknown_skills=True
        )
        reports.append((path.stem, _check(report, path.name)))
    for name, report in reports:
        summary[name] = {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skill_tags_skipped": report.details.get("skill_tags_skipped", 0),
        }
        if stdout:
            stdout.write(
                f"    {name}: {report.rows} items ({report.created} new, {report.updated} updated, "
                f"{report.unchanged} unchanged; {report.details.get('skill_tags_skipped', 0)} tags skipped)\n"
            )
    summary["items"] = sum(r.rows for _, r in reports)
    return summary
