from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from trellis.core.models import ApiToken
from trellis.core.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_without_credentials_is_401(client):
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 401


def test_token_authenticates_and_records_last_use(client, personas):
    token, secret = api_token_create(
        user=personas.lena.user, name="ci", scopes=["people:read"], created_by=personas.lena.user
    )
    response = client.get("/api/v1/tokens/", **bearer(secret))
    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["ci"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_and_expired_tokens_are_refused(client, personas):
    token, secret = api_token_create(
        user=personas.lena.user, name="old", scopes=["people:read"], created_by=personas.lena.user
    )
    api_token_revoke(token=token, actor=personas.lena.user)
    assert client.get("/api/v1/tokens/", **bearer(secret)).status_code == 401
    _, secret2 = api_token_create(
        user=personas.lena.user,
        name="exp",
        scopes=["people:read"],
        created_by=personas.lena.user,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert client.get("/api/v1/tokens/", **bearer(secret2)).status_code == 401


def test_a_made_up_token_is_refused(client, personas):
    assert client.get("/api/v1/tokens/", **bearer("trl_deadbeef_nothing")).status_code == 401


def test_token_acting_for_a_learner_cannot_use_admin_endpoints(client, personas):
    _, secret = api_token_create(
        user=personas.alice.user, name="mine", scopes=["people:read"], created_by=personas.lena.user
    )
    assert client.get("/api/v1/tokens/", **bearer(secret)).status_code == 403


def test_unknown_scope_is_rejected_by_name(personas):
    with pytest.raises(ValueError, match="scopes: unknown scope"):
        api_token_create(
            user=personas.lena.user, name="x", scopes=["everything"], created_by=personas.lena.user
        )
    assert ApiToken.objects.count() == 0


def test_session_api_create_returns_secret_once(personas):
    client = personas.client("lena")
    response = client.post(
        "/api/v1/tokens/",
        {"name": "bot", "username": "lena", "scopes": ["catalog:read"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("trl_")
    assert body["scopes"] == ["catalog:read"]
    listed = client.get("/api/v1/tokens/").json()
    assert "secret" not in listed[0]


def test_api_create_names_the_bad_field(personas):
    client = personas.client("lena")
    response = client.post(
        "/api/v1/tokens/", {"name": "bot", "username": "lena"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.payload.scopes"
    response = client.post(
        "/api/v1/tokens/",
        {"name": "bot", "username": "ghost", "scopes": []},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "username" in response.json()["detail"]
    assert ApiToken.objects.count() == 0


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Trellis API"


def test_interactive_docs_load_their_assets_locally(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert 'src="https://' not in html
