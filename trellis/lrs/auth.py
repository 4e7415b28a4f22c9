"""HTTP Basic authentication of xAPI clients, and what each scope allows."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from trellis.lrs.models import LrsClient
from trellis.lrs.xapi.errors import XapiError

READ_ANY = {"statements/read", "all/read", "all"}
WRITE_STATEMENTS = {"statements/write", "all"}

#: resource -> (scopes that allow reading, scopes that allow writing)
RESOURCE_SCOPES: dict[str, tuple[set[str], set[str]]] = {
    "statements": (
        {"statements/read", "statements/read/mine", "all/read", "all"},
        WRITE_STATEMENTS,
    ),
    "state": ({"state", "all/read", "all"}, {"state", "all"}),
    "activities/state": ({"state", "all/read", "all"}, {"state", "all"}),
    "activities/profile": ({"profile", "all/read", "all"}, {"profile", "all"}),
    "agents/profile": ({"profile", "all/read", "all"}, {"profile", "all"}),
    "activities": ({"all/read", "all", "define", "statements/read", "profile", "state"}, set()),
    "agents": ({"all/read", "all", "define", "statements/read", "profile", "state"}, set()),
}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Credential:
    client: LrsClient

    @property
    def scopes(self) -> set[str]:
        return set(self.client.scopes)

    @property
    def only_mine(self) -> bool:
        """True when the client may read only the statements it wrote (statements/read/mine)."""
        return "statements/read/mine" in self.scopes and not (self.scopes & READ_ANY)

    def authority(self) -> dict[str, Any]:
        """The authority this client's statements get: the client as an account Agent, or a Group of the
        client and the person it acts for (their email), as the xAPI specification describes."""
        client_agent = {
            "objectType": "Agent",
            "name": self.client.name,
            "account": {"homePage": settings.SITE_URL, "name": self.client.key},
        }
        user = self.client.user
        if user is None or not user.email:
            return client_agent
        return {
            "objectType": "Group",
            "member": [
                client_agent,
                {
                    "objectType": "Agent",
                    "name": user.get_full_name() or user.username,
                    "mbox": f"mailto:{user.email}",
                },
            ],
        }


def authenticate(header: str | None) -> Credential:
    """The credential for an ``Authorization: Basic …`` header; raises 401 otherwise."""
    if not header or not header.lower().startswith("basic "):
        raise XapiError(
            "Authentication required: HTTP Basic with an LRS client's key and secret.", status=401
        )
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
        key, _, secret = decoded.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise XapiError("Authorization: malformed Basic credentials.", status=401) from None
    client = (
        LrsClient.objects.select_related("user").filter(key=key, revoked_at__isnull=True).first()
    )
    if client is None or not hmac.compare_digest(client.secret_hash, hash_secret(secret)):
        raise XapiError(
            "Authorization: unknown or revoked LRS client, or wrong secret.", status=401
        )
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        LrsClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return Credential(client=client)


def check_scope(credential: Credential, resource: str, *, write: bool) -> None:
    readers, writers = RESOURCE_SCOPES[resource]
    allowed = writers if write else readers
    if not credential.scopes & allowed:
        action = "write" if write else "read"
        raise XapiError(
            f"This client's scopes ({', '.join(sorted(credential.scopes)) or 'none'}) do not allow it to {action} {resource}.",
            status=403,
        )
