from __future__ import annotations

import base64

import pytest

from trellis.lrs.clients import lrs_client_create, lrs_client_revoke

pytestmark = pytest.mark.django_db


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def test_about_needs_no_auth_and_lists_versions(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.json()["version"] and "2.0.0" in response.json()["version"]
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_head_about_has_no_body(client):
    response = client.head("/xapi/about")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) > 0


def test_preflight_answers_cors(client):
    response = client.options("/xapi/about", HTTP_ORIGIN="https://course.example.com")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://course.example.com"
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]


def test_client_secret_is_hashed_and_revocable(personas):
    lrs_client, secret = lrs_client_create(
        name="Course tool", scopes=["all"], created_by=personas.lena.user
    )
    assert secret not in lrs_client.secret_hash and len(lrs_client.secret_hash) == 64
    lrs_client_revoke(client=lrs_client, actor=personas.lena.user)
    lrs_client.refresh_from_db()
    assert lrs_client.revoked_at is not None


def test_unknown_scope_is_refused(personas):
    with pytest.raises(ValueError, match="scopes:"):
        lrs_client_create(name="x", scopes=["statements/delete"], created_by=None)
