from __future__ import annotations

from typing import Any

import pytest

from trellis.core.services import api_token_create
from trellis.governance import services
from trellis.governance.demo import ai_systems_seed
from trellis.governance.models import Policy, PolicyAcknowledgement
from trellis.governance.tests.conftest import aware

pytestmark = pytest.mark.django_db
API = "/api/v1/governance"


@pytest.fixture
def policy(personas: Any, make_policy: Any) -> Policy:
    return make_policy(
        rules=[{"departments": [personas.alice.department]}], published_at=aware(2026, 1, 1)
    )


def test_my_policies_per_persona(personas: Any, policy: Policy) -> None:
    rows = personas.client("alice").get(f"{API}/policies").json()
    assert [(r["id"], r["version"], r["status"], r["due_on"]) for r in rows] == [
        (policy.pk, 1, "overdue", "2026-01-31")
    ]
    assert personas.client("charlie").get(f"{API}/policies").json() == []
    assert personas.client("lena").get(f"{API}/policies").json() == []  # not in the audience


def test_acknowledge(personas: Any, policy: Policy) -> None:
    client = personas.client("alice")
    bad = client.post(
        f"{API}/policies/{policy.pk}/acknowledge", {"version": 7}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == "version: version 7 is not the current version (1)"
    assert PolicyAcknowledgement.objects.count() == 0
    ok = client.post(
        f"{API}/policies/{policy.pk}/acknowledge", {"version": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == 1
    outsider = personas.client("charlie").post(
        f"{API}/policies/{policy.pk}/acknowledge", {}, content_type="application/json"
    )
    assert outsider.status_code == 404
    assert list(
        PolicyAcknowledgement.objects.values_list("employee__user__username", flat=True)
    ) == ["alice"]


def test_ownership_and_inventory_for_everyone(personas: Any) -> None:
    area = services.ownership_area_create(actor=personas.lena.user, name="Data and privacy")
    services.ownership_assign(
        actor=personas.lena.user, area=area, employee=personas.audrey, role="A"
    )
    ai_systems_seed(actor=personas.lena.user)
    for who in ("alice", "maria", "erin"):
        data = personas.client(who).get(f"{API}/ownership").json()
        assert data["areas"][0]["accountable"][0]["employee_id"] == personas.audrey.employee_id
        assert data["areas"][0]["problems"] == ["nobody responsible"]
        systems = personas.client(who).get(f"{API}/ai-systems").json()
        assert [s["slug"] for s in systems][:3] == ["recommender", "search", "ask"]
        assert systems[1]["evaluation"][0] == {
            "metric": "nDCG@10",
            "value": "0.675",
            "on": "OpenStax qa-dev, 5,421 questions (lexical alone: 0.657)",
        }


def test_my_export(personas: Any) -> None:
    data = personas.client("bob").get(f"{API}/me/export").json()
    assert data["person"] == personas.bob.employee_id
    assert data["sections"]["people"]["profile"]["full_name"] == "Bob Peer"


def test_tokens_need_the_calls_scope_and_anonymous_is_refused(personas: Any, client: Any) -> None:
    assert client.get(f"{API}/me/export").status_code == 401

    def bearer(scopes: list[str]) -> dict[str, str]:
        _token, secret = api_token_create(
            user=personas.bob.user, name="t", scopes=scopes, created_by=personas.lena.user
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    other = bearer(["people:read"])
    for path in ("/me/export", "/policies", "/ownership", "/ai-systems"):
        assert client.get(f"{API}{path}", **other).status_code == 403, path
    reader = bearer(["governance:read"])
    assert client.get(f"{API}/ownership", **reader).status_code == 200
    assert client.get(f"{API}/me/export", **reader).status_code == 403
    exporter = bearer(["privacy:export"])
    response = client.get(f"{API}/me/export", **exporter)
    assert response.status_code == 200
    assert response.json()["person"] == personas.bob.employee_id
