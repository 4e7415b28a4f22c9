from __future__ import annotations

import pytest

from trellis.core.models import ApiToken, AuditEvent, ImportRun

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/imports/", "/admin/tokens/"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["alice", "maria", "erin", "audrey"])
def test_admin_pages_are_for_ld_admins_only(personas, url, who):
    assert personas.client(who).get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_ld_admin_opens_admin_pages(personas, url):
    assert personas.client("lena").get(url).status_code == 200


def test_old_audit_address_leads_to_the_governance_audit_log(personas):
    response = personas.client("audrey").get("/admin/audit/?code=trellis.program")
    assert (response.status_code, response["Location"]) == (
        301,
        "/governance/audit/?code=trellis.program",
    )
    assert personas.client("lena").get("/admin/audit/").status_code == 301
    assert personas.client("alice").get("/admin/audit/").status_code == 403


def test_ld_admin_creates_a_token_shown_once_and_stored_hashed(personas):
    client = personas.client("lena")
    response = client.post(
        "/admin/tokens/",
        {
            "name": "HRIS sync",
            "user": personas.lena.user.pk,
            "scopes": ["people:read", "people:write"],
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert secret.startswith("trl_")
    assert secret not in token.secret_hash
    assert token.scopes == ["people:read", "people:write"]
    assert AuditEvent.objects.filter(code="trellis.api_token.created").count() == 1
    again = client.get("/admin/tokens/").content.decode()
    assert secret not in again


def test_token_form_names_the_missing_field(personas):
    response = personas.client("lena").post(
        "/admin/tokens/", {"name": "", "user": personas.lena.user.pk, "scopes": []}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "scopes"}
    assert ApiToken.objects.count() == 0


def test_learner_cannot_revoke_a_token(personas):
    from trellis.core.services import api_token_create

    token, _ = api_token_create(
        user=personas.lena.user, name="t", scopes=["people:read"], created_by=personas.lena.user
    )
    response = personas.client("alice").post(f"/admin/tokens/{token.pk}/revoke/")
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    personas.client("lena").post(f"/admin/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_import_detail_is_not_for_learners(personas):
    run = ImportRun.objects.create(
        kind="hris",
        filename="x.csv",
        status="rejected",
        errors=[{"row": 2, "column": "email", "message": "bad"}],
    )
    assert personas.client("alice").get(f"/admin/imports/{run.pk}/").status_code == 403
    html = personas.client("lena").get(f"/admin/imports/{run.pk}/").content.decode()
    assert "email" in html and "bad" in html


@pytest.mark.parametrize(
    "url",
    [
        "/django-admin/",
        "/django-admin/people/employee/",
        "/django-admin/skills/skill/",
        "/django-admin/catalog/item/",
        "/django-admin/core/auditevent/",
        "/django-admin/lrs/statement/",
        "/django-admin/lrs/progress/",
    ],
)
def test_django_admin_is_for_superusers(personas, url):
    from django.test import Client

    from trellis.people.tests.factories import UserFactory

    assert personas.client("lena").get(url).status_code == 302  # not staff: sent to the admin login
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get(url).status_code == 200
