from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_redirect_anonymous_visitors_to_login(client):
    response = client.get("/catalog/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/catalog/"


def test_healthz_is_public_and_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_login_page_renders_labelled_fields(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_wrong_password_is_refused(client, personas):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_goes_through_smtp_and_sets_a_new_password(client, personas, smtp_server):
    response = client.post(reverse("password_reset"), {"email": personas.alice.user.email})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == personas.alice.user.email
    assert message["Subject"] == "Reset your Trellis password"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"}
    )
    assert done.status_code == 302
    user = get_user_model().objects.get(pk=personas.alice.user.pk)
    assert user.check_password("a-new-Secret-42")


def test_password_reset_for_unknown_email_sends_nothing(client, personas, smtp_server):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert smtp_server.messages == []


def test_navigation_depends_on_roles(personas):
    learner_html = personas.client("alice").get("/").content.decode()
    admin_html = personas.client("lena").get("/").content.decode()
    assert ">Catalog<" in learner_html
    assert ">Admin<" not in learner_html
    assert ">People<" not in learner_html
    assert ">Admin<" in admin_html
    assert ">People<" in admin_html
    manager_html = personas.client("maria").get("/").content.decode()
    assert ">My team<" in manager_html
    assert ">My team<" not in learner_html
