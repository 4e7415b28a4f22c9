from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from trellis.catalog.tests.factories import ItemFactory
from trellis.lrs.models import Progress
from trellis.lrs.projection import item_activity_id
from trellis.programs import services
from trellis.programs.models import Program


def aware(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h))


def progress(
    employee: Any,
    item: Any,
    *,
    status: str = "completed",
    at: dt.datetime | None = None,
    score: float | None = None,
) -> Progress:
    """A progress row as the projection writes it (tests of the LRS hook store real statements)."""
    at = at or timezone.now()
    done = status in ("completed", "passed")
    return Progress.objects.create(
        employee=employee,
        activity_id=item_activity_id(item),
        item=item,
        status=status,
        score_scaled=score,
        first_activity_at=at,
        last_activity_at=at,
        completed_at=at if done else None,
        passed_at=at if status == "passed" else None,
        last_statement_id="00000000-0000-0000-0000-000000000001",
    )


@pytest.fixture
def items(db: Any) -> list[Any]:
    return [ItemFactory(title=f"Item {n}", duration_minutes=60) for n in range(6)]


@pytest.fixture
def make_program(personas: Any) -> Any:
    def make(*, rules: list[dict[str, Any]] | None = None, **fields: Any) -> Program:
        fields.setdefault("due_policy", Program.DuePolicy.RELATIVE)
        fields.setdefault("due_days", 30)
        program = services.program_create(
            actor=personas.lena.user, name=fields.pop("name", "AI fluency"), **fields
        )
        services.audience_set(actor=personas.lena.user, program=program, rules=rules or [{}])
        return program

    return make
