"""``trellis lrs client create | list | revoke`` and ``trellis lrs reproject``."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.management import CommandError, call_command

from trellis.lrs.models import LrsClient

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("lrs", *args, stdout=out)
    return out.getvalue()


def test_create_prints_key_and_secret_once_and_they_authenticate(personas, client):
    out = run(
        "client",
        "create",
        "--name",
        "Course player",
        "--scope",
        "statements/write",
        "--scope",
        "state",
        "--user",
        "alice",
    )
    created = LrsClient.objects.get()
    assert (created.name, created.scopes, created.user, created.created_by) == (
        "Course player",
        ["state", "statements/write"],
        personas.alice.user,
        None,
    )
    assert f"key:    {created.key}\n" in out
    secret = re.search(r"^secret: (\S+)$", out, re.MULTILINE).group(1)
    assert secret not in created.secret_hash
    auth = "Basic " + base64.b64encode(f"{created.key}:{secret}".encode()).decode()
    response = client.get(
        "/xapi/activities/state?activityId=http://x.example/a&agent=%7B%22mbox%22%3A%22mailto%3Aa%40b.c%22%7D",
        headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "x", "--scope", "everything"], "scopes: choose from"),
        (["--name", " ", "--scope", "all"], "name: give the client a name"),
        (["--name", "x", "--scope", "all", "--user", "nobody"], "--user: no active user 'nobody'"),
    ],
)
def test_create_with_bad_input_says_why_and_creates_nothing(personas, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run("client", "create", *args)
    assert LrsClient.objects.count() == 0


def test_list_shows_every_client(personas):
    LrsClient.objects.create(
        name="B tool", key="kb", secret_hash="x", scopes=["all"], user=personas.bob.user
    )
    LrsClient.objects.create(name="A tool", key="ka", secret_hash="x", scopes=["state", "profile"])
    assert run("client", "list") == (
        "ka  A tool  scopes=state,profile  user=-  last used=never  active\n"
        "kb  B tool  scopes=all  user=bob  last used=never  active\n"
    )


def test_list_with_no_clients():
    assert run("client", "list") == "No LRS clients.\n"


def test_revoke_by_key(personas):
    LrsClient.objects.create(name="Old", key="k-old", secret_hash="x", scopes=["all"])
    assert run("client", "revoke", "k-old") == "Revoked LRS client Old (k-old).\n"
    assert LrsClient.objects.get().revoked_at is not None


def test_revoke_of_an_unknown_key_fails_and_changes_nothing():
    LrsClient.objects.create(name="Kept", key="k-kept", secret_hash="x", scopes=["all"])
    with pytest.raises(CommandError, match="key: no LRS client 'nope'"):
        run("client", "revoke", "nope")
    assert LrsClient.objects.get().revoked_at is None


def test_reproject_calls_the_projection(monkeypatch):
    import trellis.lrs.projection as projection

    calls = []
    monkeypatch.setattr(
        projection,
        "reproject_all",
        lambda *, stdout: calls.append(stdout) or stdout.write("rebuilt\n"),
        raising=False,
    )
    assert run("reproject") == "rebuilt\n"
    assert len(calls) == 1
