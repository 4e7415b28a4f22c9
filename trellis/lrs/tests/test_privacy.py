from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from trellis.lrs.models import Statement, StatementAgent
from trellis.lrs.privacy import erase_data, export_data
from trellis.lrs.statements import statements_store

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://t.example", "name": "tool"}}


def store(actor: dict[str, Any]) -> None:
    statements_store(
        [
            {
                "id": str(uuid.uuid4()),
                "actor": actor,
                "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                "object": {"id": "https://example.com/course/1"},
            }
        ],
        version="1.0.3",
        authority=AUTHORITY,
        project=False,
    )


def test_export_and_erase_statements(personas: Any) -> None:
    store({"name": "Alice Learner", "mbox": f"mailto:{personas.alice.email.upper()}"})
    store({"account": {"homePage": settings.SITE_URL + "/", "name": "alice"}})
    store({"name": "Bob Peer", "mbox": f"mailto:{personas.bob.email}"})
    assert len(export_data(employee=personas.alice)["statements"]) == 2
    counts = erase_data(employee=personas.alice, pseudonym="anon-1")
    assert counts == {"statements": 2, "agent_index_rows": 2, "documents": 0}
    anonymous = {"homePage": settings.SITE_URL, "name": "anon-1"}
    actors = [s.data["actor"] for s in Statement.objects.order_by("id")]
    assert [a.get("account") for a in actors[:2]] == [anonymous, anonymous]
    assert "name" not in actors[0]
    assert actors[2]["name"] == "Bob Peer"
    assert (
        StatementAgent.objects.filter(agent_ifi=f"account:{settings.SITE_URL}|anon-1").count() == 2
    )
    assert Statement.objects.filter(actor_ifi=f"account:{settings.SITE_URL}|anon-1").count() == 2
