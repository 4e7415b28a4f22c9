"""API schemas every app shares: an import's report and the 422 body naming each bad field."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class FieldErrorOut(Schema):
    field: str
    message: str


class InvalidOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    """``trellis.core.importing.ImportReport`` as the import endpoints return it."""

    kind: str
    ok: bool
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    details: dict[str, Any]
    errors: list[RowErrorOut]
