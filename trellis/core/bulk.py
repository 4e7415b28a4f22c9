"""Bulk inserts for the hot paths (taxonomy imports, statement storage, projection rebuilds).

``insert_rows`` writes plain rows with one ``executemany``: several times faster than
``bulk_create`` for hundreds of thousands of narrow rows, because no model instance is built and
only the values whose database form differs (UUIDs, datetimes, JSON) are converted. The SQL is the
same on SQLite and PostgreSQL. Identifiers come from the models; values are always parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connections, models, router


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The concrete (column-backed) field ``name`` of ``model``; "skill" and "skill_id" both work."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def prepare_rows(
    model: type[models.Model], field_names: list[str], rows: list[tuple[Any, ...]]
) -> list[Any]:
    """The rows with each value in its database form (UUIDs, datetimes, JSON encoded), ready for
    ``insert_rows(..., prepared=True)``. Lets a caller do the encoding before it takes a write lock.
    """
    connection = connections[router.db_for_write(model)]
    fields = [concrete_field(model, name) for name in field_names]
    # Only fields whose Python value differs from its database value need converting (UUIDs,
    # datetimes, JSON); text and integer columns go in as they are.
    converters = [
        (position, converter)
        for position, f in enumerate(fields)
        if (converter := db_converter(f, connection)) is not None
    ]
    if not converters:
        return rows
    prepared = []
    for row in rows:
        values = list(row)
        for position, converter in converters:
            values[position] = converter(values[position])
        prepared.append(values)
    return prepared


def _insert_sql(
    model: type[models.Model], field_names: list[str], connection: Any, values: str, tail: str
) -> str:
    quote = connection.ops.quote_name
    # Table and column names come from the models (quoted), never from input; values are parameters.
    return "INSERT INTO {} ({}) VALUES {}{}".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(concrete_field(model, name).column)) for name in field_names),
        values,
        tail,
    )


def insert_rows(
    model: type[models.Model],
    field_names: list[str],
    rows: list[Any],
    *,
    ignore_conflicts: bool = False,
    prepared: bool = False,
) -> None:
    """Insert rows with one ``executemany`` (several times faster than ``bulk_create`` for
    thousands of narrow rows: no model instances). Same SQL on SQLite and PostgreSQL. With
    ``prepared``, the rows come from ``prepare_rows``."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    placeholders = "({})".format(", ".join(["%s"] * len(field_names)))
    sql = _insert_sql(
        model,
        field_names,
        connection,
        placeholders,
        " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
    )
    values = rows if prepared else prepare_rows(model, field_names, rows)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])


def insert_rows_many(
    model: type[models.Model],
    field_names: list[str],
    rows: list[Any],
    *,
    returning: list[str] | None = None,
    ignore_conflicts: bool = False,
    prepared: bool = False,
) -> list[tuple[Any, ...]]:
    """Insert many rows in a few statements, optionally ``ON CONFLICT DO NOTHING`` and returning
    columns of the rows inserted (raw, in no guaranteed order). On PostgreSQL each column goes as
    one array parameter (``INSERT … SELECT * FROM unnest(%s::type[], …)``, 20,000 rows a
    statement): the SQL text stays short, where a multi-row ``VALUES`` list of 30,000 placeholders
    costs psycopg seconds of client-side parsing per 10,000 rows. On SQLite, multi-row ``VALUES``
    (under its 32,766 parameters a statement). With ``prepared``, the rows come from
    ``prepare_rows``."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [concrete_field(model, name) for name in field_names]
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        tail += " RETURNING " + ", ".join(
            quote(str(concrete_field(model, name).column)) for name in returning
        )
    values = rows if prepared else prepare_rows(model, field_names, rows)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Table, column and type names come from the models; values are parameters.
            sql = "INSERT INTO {} ({}) SELECT * FROM unnest({})".format(  # noqa: S608
                quote(model._meta.db_table),
                ", ".join(quote(str(f.column)) for f in fields),
                ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields),
            )
            for start in range(0, len(values), 20_000):
                columns = [list(c) for c in zip(*values[start : start + 20_000], strict=True)]
                cursor.execute(sql + tail, columns)
                if returning:
                    found += cursor.fetchall()
            return found
        row_sql = "({})".format(", ".join(["%s"] * len(field_names)))
        per_chunk = max(1, 30_000 // len(field_names))
        for start in range(0, len(values), per_chunk):
            chunk = values[start : start + per_chunk]
            sql = _insert_sql(
                model, field_names, connection, ", ".join([row_sql] * len(chunk)), tail
            )
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                found += cursor.fetchall()
    return found


def rows_where_in(
    model: type[models.Model],
    column: str,
    values: list[Any],
    columns: list[str],
    *,
    equal: dict[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """(``column``, *``columns``) of the rows whose ``column`` is one of ``values`` (and whose
    ``equal`` columns have those values), raw as the database returns them; chunks of 5,000.

    Plain SQL: with thousands of values, the ORM's preparation of each parameter of ``__in`` costs
    more than the query itself. Table and column names come from the model, values are parameters.
    """
    if not values:
        return []
    # The primary: these reads decide what the caller writes next.
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    key = concrete_field(model, column)
    to_db = db_converter(key, connection) or (lambda value: value)
    selected = ", ".join(
        quote(str(concrete_field(model, name).column)) for name in [column, *columns]
    )
    conditions = "".join(
        f" AND {quote(str(concrete_field(model, name).column))} = %s" for name in equal or {}
    )
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            chunk = [to_db(value) for value in values[start : start + 5000]]
            sql = "SELECT {} FROM {} WHERE {} IN ({}){}".format(  # noqa: S608
                selected,
                quote(model._meta.db_table),
                quote(str(key.column)),
                ", ".join(["%s"] * len(chunk)),
                conditions,
            )
            cursor.execute(sql, [*chunk, *(equal or {}).values()])
            found += cursor.fetchall()
    return found


_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.FloatField,
    models.ForeignKey,
    models.BooleanField,
)


def db_converter(f: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any] | None:
    """What turns a Python value of field ``f`` into its database value, or None when it goes in as
    it is. The same values as ``f.get_db_prep_save`` for the values given here (UUIDs, aware
    datetimes, JSON-serialisable data), without its layers of calls per value."""
    if isinstance(f, _PLAIN_FIELDS):
        return None
    if isinstance(f, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return None

        def uuid_hex(value: Any) -> Any:
            if isinstance(value, uuid.UUID):
                return value.hex
            return f.get_db_prep_save(value, connection)

        return uuid_hex
    if isinstance(f, models.JSONField):
        adapt, encoder = connection.ops.adapt_json_value, f.encoder

        def json_value(value: Any) -> Any:
            if isinstance(value, dict | list):
                return adapt(value, encoder)
            return f.get_db_prep_save(value, connection)

        return json_value
    if isinstance(f, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ:
            # What DatabaseOperations.adapt_datetimefield_value does with an aware datetime.
            # A batch repeats one value (``stored``, ``updated_at``): the last one is kept.
            db_timezone = connection.timezone
            last: list[Any] = [None, None]

            def sqlite_datetime(value: Any) -> Any:
                if value is last[0]:
                    return last[1]
                if isinstance(value, datetime) and value.tzinfo is not None:
                    converted = str(value.astimezone(db_timezone).replace(tzinfo=None))
                else:
                    converted = f.get_db_prep_save(value, connection)
                last[0], last[1] = value, converted
                return converted

            return sqlite_datetime
        adapt_datetime = connection.ops.adapt_datetimefield_value

        def datetime_value(value: Any) -> Any:
            if isinstance(value, datetime) and value.tzinfo is not None:
                return adapt_datetime(value)
            return f.get_db_prep_save(value, connection)

        return datetime_value
    if isinstance(f, models.DateField):
        adapt_date = connection.ops.adapt_datefield_value

        def date_value(value: Any) -> Any:
            if isinstance(value, date) and not isinstance(value, datetime):
                return adapt_date(value)
            return f.get_db_prep_save(value, connection)

        return date_value
    return lambda value: f.get_db_prep_save(value, connection)
