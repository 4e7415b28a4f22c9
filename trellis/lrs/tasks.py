"""Background tasks of the LRS (django-tasks; run by ``trellis worker``)."""

from __future__ import annotations

from django_tasks import task

from trellis.lrs.projection import project_statements


@task()
def project_statements_task(statement_pks: list[int]) -> dict[str, int]:
    """Project stored statements into progress rows (idempotent: safe to run again)."""
    return project_statements(statement_pks)
