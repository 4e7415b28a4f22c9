"""Helpers shared by the Statement resource tests (test_statements_*.py)."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from trellis.lrs.clients import lrs_client_create
from trellis.lrs.models import LrsClient

URL = "/xapi/statements"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def statement(
    email: str = "ada@example.com",
    verb: str = "http://adlnet.gov/expapi/verbs/completed",
    activity: str = "http://example.com/activities/intro",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "actor": {"objectType": "Agent", "mbox": f"mailto:{email}", "name": email.split("@")[0]},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": activity},
        **extra,
    }


def voiding(target: str, **extra: Any) -> dict[str, Any]:
    return {
        "actor": {"mbox": "mailto:admin@example.com"},
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
        **extra,
    }


@dataclass
class Lrs:
    """A test client speaking to /xapi/statements with one LRS client's credentials."""

    client: Client
    lrs_client: LrsClient
    authorization: str
    version: str = "1.0.3"

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            "HTTP_AUTHORIZATION": self.authorization,
            "HTTP_X_EXPERIENCE_API_VERSION": self.version,
            **extra,
        }

    def post(self, body: Any, **extra: str) -> Any:
        return self.client.post(
            URL, data=json.dumps(body), content_type="application/json", **self.headers(**extra)
        )

    def put(self, body: Any, statement_id: str, **extra: str) -> Any:
        return self.client.put(
            f"{URL}?statementId={statement_id}",
            data=json.dumps(body),
            content_type="application/json",
            **self.headers(**extra),
        )

    def get(self, params: dict[str, str] | None = None, **extra: str) -> Any:
        return self.client.get(URL, params or {}, **self.headers(**extra))

    def raw(self, method: str, path: str, body: bytes, content_type: str, **extra: str) -> Any:
        return self.client.generic(
            method, path, data=body, content_type=content_type, **self.headers(**extra)
        )


def make_lrs(scopes: list[str], *, name: str = "Course tool", user: Any = None) -> Lrs:
    lrs_client, secret = lrs_client_create(name=name, scopes=scopes, created_by=None, user=user)
    return Lrs(client=Client(), lrs_client=lrs_client, authorization=basic(lrs_client.key, secret))


@pytest.fixture(name="lrs")
def lrs_fixture(db: Any) -> Lrs:
    """An LRS client with every scope (import ``lrs_fixture`` to use it as ``lrs``)."""
    return make_lrs(["all"])


def new_id() -> str:
    return str(uuid.uuid4())
