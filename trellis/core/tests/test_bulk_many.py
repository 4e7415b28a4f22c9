"""``insert_rows_many``: many rows in a few statements, conflicts skipped, inserted rows returned."""

from __future__ import annotations

import datetime as dt

import pytest

from trellis.core.bulk import insert_rows_many
from trellis.notify.models import Notification

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
FIELDS = ["recipient", "category", "key", "subject", "body", "url", "context", "created_at"]
FIELDS += ["mandatory", "in_inbox", "counts_to_cap"]


def test_inserts_skips_conflicts_and_returns_what_it_inserted(personas, django_assert_num_queries):
    alice = personas.alice.pk
    rows = [
        (
            alice,
            "assigned",
            f"k{n}",
            f"S{n}",
            "",
            "",
            {"n": n, "tags": ["a"]},
            NOW,
            n == 7,
            True,
            False,
        )
        for n in range(5000)
    ]
    from django.db import connection

    # SQLite: 30,000 parameters a statement (2,727 rows of 11 columns); PostgreSQL: one array
    # per column, 20,000 rows a statement
    with django_assert_num_queries(2 if connection.vendor == "sqlite" else 1):
        returned = insert_rows_many(
            Notification, FIELDS, rows, returning=["key", "recipient"], ignore_conflicts=True
        )
    assert sorted(returned) == sorted((f"k{n}", alice) for n in range(5000))
    again = insert_rows_many(
        Notification,
        FIELDS,
        [rows[0], (alice, "assigned", "new", "New", "", "", {}, NOW, False, True, False)],
        returning=["key"],
        ignore_conflicts=True,
    )
    assert again == [("new",)]
    n7 = Notification.objects.get(key="k7")
    assert (n7.subject, n7.context, n7.created_at, n7.mandatory) == (
        "S7",
        {"n": 7, "tags": ["a"]},
        NOW,
        True,
    )
    assert Notification.objects.count() == 5001
    assert insert_rows_many(Notification, FIELDS, []) == []
