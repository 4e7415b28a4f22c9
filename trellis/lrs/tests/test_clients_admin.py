"""LRS clients for L&D admins: the web pages under /admin/lrs/clients/."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import Resolver404, include, path, resolve

from config import urls as project_urls
from trellis.core.models import AuditEvent
from trellis.lrs.models import LrsClient

# This module is also the URL configuration of its tests: the project's, plus /admin/lrs/ until the
# project mounts it there itself.
try:
    resolve("/admin/lrs/clients/", urlconf="config.urls")
    urlpatterns = list(project_urls.urlpatterns)
except Resolver404:
    urlpatterns = [
        path("admin/lrs/", include("trellis.lrs.admin_urls")),
        *project_urls.urlpatterns,
    ]
handler403 = project_urls.handler403
handler404 = project_urls.handler404

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/admin/lrs/clients/"


def test_ld_admin_sees_the_clients(personas):
    LrsClient.objects.create(name="Course player", key="k1", secret_hash="x", scopes=["all"])
    response = personas.client("lena").get(URL)
    assert response.status_code == 200
    assert [c.name for c in response.context["clients"]] == ["Course player"]
    assert b"Course player" in response.content
    assert b"k1" in response.content


def test_list_takes_a_fixed_number_of_queries(personas, django_assert_num_queries):
    lena = personas.client("lena")
    lena.get(URL)  # warm the session and role caches
    for i in range(5):
        LrsClient.objects.create(
            name=f"c{i}", key=f"k{i}", secret_hash="x", scopes=["all"], user=personas.alice.user
        )
    with django_assert_num_queries(7):
        lena.get(URL)
    for i in range(5, 15):
        LrsClient.objects.create(
            name=f"c{i}", key=f"k{i}", secret_hash="x", scopes=["all"], user=personas.bob.user
        )
    with django_assert_num_queries(7):
        lena.get(URL)


@pytest.mark.parametrize("who", ["alice", "maria", "erin", "audrey"])
def test_anyone_but_an_ld_admin_gets_403(personas, who):
    client = personas.client(who)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"name": "sneaky", "scopes": ["all"]})
    assert response.status_code == 403
    assert LrsClient.objects.count() == 0


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_create_shows_the_secret_once_and_the_credentials_work(personas, client):
    lena = personas.client("lena")
    response = lena.post(
        URL,
        {
            "name": "Course player",
            "scopes": ["statements/write", "state"],
            "user": personas.alice.user.pk,
        },
    )
    assert response.status_code == 200
    created = LrsClient.objects.get()
    assert (created.name, created.scopes, created.user, created.created_by) == (
        "Course player",
        ["state", "statements/write"],
        personas.alice.user,
        personas.lena.user,
    )
    secret = re.search(rb'id="new-client-secret">([^<]+)<', response.content).group(1).decode()
    assert secret not in created.secret_hash
    assert AuditEvent.objects.filter(code="trellis.lrs.client.created").count() == 1
    auth = "Basic " + base64.b64encode(f"{created.key}:{secret}".encode()).decode()
    about = client.get(
        "/xapi/activities/state?activityId=http://x.example/a&agent=%7B%22mbox%22%3A%22mailto%3Aa%40b.c%22%7D",
        headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
    )
    assert about.status_code == 200
    assert b"new-client-secret" not in lena.get(URL).content


def test_create_without_scopes_names_the_field_and_creates_nothing(personas):
    response = personas.client("lena").post(URL, {"name": "Course player"})
    assert response.status_code == 200
    assert "scopes" in response.context["form"].errors
    assert LrsClient.objects.count() == 0


def test_revoke(personas):
    created = LrsClient.objects.create(name="Old", key="k-old", secret_hash="x", scopes=["all"])
    response = personas.client("lena").post(f"{URL}{created.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == URL
    created.refresh_from_db()
    assert created.revoked_at is not None
    assert AuditEvent.objects.filter(code="trellis.lrs.client.revoked").count() == 1


def test_revoke_by_a_learner_is_403_and_changes_nothing(personas):
    created = LrsClient.objects.create(name="Old", key="k-old", secret_hash="x", scopes=["all"])
    response = personas.client("alice").post(f"{URL}{created.pk}/revoke/")
    assert response.status_code == 403
    created.refresh_from_db()
    assert created.revoked_at is None


def test_revoke_is_post_only(personas):
    created = LrsClient.objects.create(name="Old", key="k-old", secret_hash="x", scopes=["all"])
    assert personas.client("lena").get(f"{URL}{created.pk}/revoke/").status_code == 405
    created.refresh_from_db()
    assert created.revoked_at is None
