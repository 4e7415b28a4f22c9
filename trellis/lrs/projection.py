"""The progress projection: statements → per-learner, per-activity progress rows.

PLACEHOLDER SIGNATURES: the projection engineer implements these; statement storage calls
``project_statements_later`` after each committed batch.
"""

from __future__ import annotations


def project_statements_later(statement_pks: list[int]) -> None:
    """Schedule the projection of these stored statements (after commit; a task on the worker)."""
    return None
