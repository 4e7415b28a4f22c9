"""An importer used by the tests of the import framework: writes, then reports errors if told to."""

from __future__ import annotations

from typing import Any

from trellis.core.importing import ImportReport
from trellis.core.models import AuditEvent


def import_fake(source: Any, *, actor: Any, fail: bool = False, **options: Any) -> ImportReport:
    report = ImportReport(kind="fake", rows=2)
    AuditEvent.objects.create(code="test.fake.written")  # written before the errors are known
    report.created = 2
    if fail or "bad" in str(getattr(source, "name", source)):
        report.add_error(2, "email", "not an email address")
        report.add_error(3, "hire_date", "use YYYY-MM-DD")
    return report
