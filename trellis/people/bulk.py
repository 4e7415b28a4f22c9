"""Bulk writes of employees used by the HRIS import and the demo builder (not a public API)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from trellis.people.models import Employee


def employees_bulk_update(employees: Sequence[Employee], fields: Sequence[str]) -> None:
    """One parameterised UPDATE run with executemany: far faster than ``bulk_update``'s CASE chains
    (10,000 rows: about a second instead of a minute on SQLite). ``updated_at`` is always set."""
    if not employees:
        return
    now = timezone.now()
    model_fields = [Employee._meta.get_field(name) for name in (*fields, "updated_at")]
    table = connection.ops.quote_name(Employee._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in model_fields)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (names come from the model)
    params = []
    for e in employees:
        e.updated_at = now
        params.append(
            [f.get_db_prep_value(getattr(e, f.attname), connection) for f in model_fields] + [e.pk]
        )
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])
