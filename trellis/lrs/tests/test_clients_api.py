"""LRS clients over the API: /api/v1/lrs/clients/ (L&D admins; a session or a token)."""

from __future__ import annotations

import base64

import pytest
from django.urls import Resolver404, path, resolve
from ninja import NinjaAPI

from config import urls as project_urls
from config.api import api as project_api
from trellis.core.api_auth import api_auth
from trellis.core.services import api_token_create
from trellis.lrs.api import router
from trellis.lrs.models import LrsClient

# This module is also the URL configuration of its tests: the project's, plus the LRS router at
# /api/v1/lrs/ until the project's API mounts it itself (with the same auth and error handlers).
try:
    resolve("/api/v1/lrs/clients/", urlconf="config.urls")
    urlpatterns = list(project_urls.urlpatterns)
except Resolver404:
    _api = NinjaAPI(auth=api_auth(), urls_namespace="lrs_api_test", docs_url=None)
    _api._exception_handlers.update(project_api._exception_handlers)
    _api.add_router("/lrs", router)
    urlpatterns = [*project_urls.urlpatterns, path("api/v1/", _api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/api/v1/lrs/clients/"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_without_credentials_is_401(client):
    assert client.get(URL).status_code == 401
    assert (
        client.post(
            URL, {"name": "x", "scopes": ["all"]}, content_type="application/json"
        ).status_code
        == 401
    )
    assert LrsClient.objects.count() == 0


def test_session_create_returns_the_secret_once_and_it_authenticates(personas, client):
    lena = personas.client("lena")
    response = lena.post(
        URL,
        {"name": "Course player", "scopes": ["all"], "username": "alice"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    created = LrsClient.objects.get()
    assert body["key"] == created.key
    assert (body["name"], body["scopes"], body["username"], body["revoked_at"]) == (
        "Course player",
        ["all"],
        "alice",
        None,
    )
    auth = "Basic " + base64.b64encode(f"{created.key}:{body['secret']}".encode()).decode()
    agents = client.get(
        "/xapi/agents?agent=%7B%22mbox%22%3A%22mailto%3Aa%40b.c%22%7D",
        headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
    )
    assert agents.status_code == 200
    listed = lena.get(URL).json()
    assert [c["name"] for c in listed] == ["Course player"]
    assert "secret" not in listed[0]


def test_token_acting_for_an_ld_admin_can_create_and_revoke(personas, client):
    _token, secret = api_token_create(
        user=personas.lena.user, name="ops", scopes=["people:read"], created_by=personas.lena.user
    )
    response = client.post(
        URL,
        {"name": "Ops tool", "scopes": ["statements/write"]},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 201
    assert response.json()["username"] is None
    client_id = response.json()["id"]
    revoked = client.post(f"{URL}{client_id}/revoke", **bearer(secret))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert LrsClient.objects.get().revoked_at is not None


def test_list_takes_a_fixed_number_of_queries(personas, django_assert_num_queries):
    lena = personas.client("lena")
    for i in range(10):
        LrsClient.objects.create(
            name=f"c{i}", key=f"k{i}", secret_hash="x", scopes=["all"], user=personas.alice.user
        )
    lena.get(URL)
    # session, user, role groups, employee, direct reports; then one query for every client
    with django_assert_num_queries(6):
        response = lena.get(URL)
    assert len(response.json()) == 10
    for i in range(10, 30):
        LrsClient.objects.create(
            name=f"c{i}", key=f"k{i}", secret_hash="x", scopes=["all"], user=personas.bob.user
        )
    with django_assert_num_queries(6):
        response = lena.get(URL)
    assert len(response.json()) == 30


@pytest.mark.parametrize("who", ["alice", "maria", "erin", "audrey"])
def test_anyone_but_an_ld_admin_gets_403_and_nothing_changes(personas, who):
    existing = LrsClient.objects.create(name="c", key="k", secret_hash="x", scopes=["all"])
    client = personas.client(who)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"name": "x", "scopes": ["all"]}, content_type="application/json")
    assert response.status_code == 403
    assert client.post(f"{URL}{existing.pk}/revoke").status_code == 403
    assert list(LrsClient.objects.values_list("name", "revoked_at")) == [("c", None)]


def test_token_acting_for_a_learner_gets_403(personas, client):
    _token, secret = api_token_create(
        user=personas.alice.user, name="mine", scopes=["people:read"], created_by=personas.lena.user
    )
    assert client.get(URL, **bearer(secret)).status_code == 403


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"name": "x", "scopes": ["statements/delete"]}, "scopes: choose from"),
        ({"name": "x", "scopes": []}, "scopes: choose from"),
        ({"name": " ", "scopes": ["all"]}, "name: give the client a name"),
        (
            {"name": "x", "scopes": ["all"], "username": "nobody"},
            "username: no active user 'nobody'",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field_and_creates_nothing(personas, payload, message):
    response = personas.client("lena").post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith(message)
    assert LrsClient.objects.count() == 0


def test_missing_field_is_422_naming_it(personas):
    response = personas.client("lena").post(URL, {"name": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.payload.scopes"]


def test_revoke_of_an_unknown_client_is_404(personas):
    assert personas.client("lena").post(f"{URL}999/revoke").status_code == 404
