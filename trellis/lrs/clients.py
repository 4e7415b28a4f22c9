"""Services for LRS client credentials."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.lrs.auth import hash_secret
from trellis.lrs.models import LrsClient

VALID_SCOPES = {code for code, _ in LrsClient.SCOPES}


@transaction.atomic
def lrs_client_create(
    *, name: str, scopes: list[str], created_by: Any, user: Any = None
) -> tuple[LrsClient, str]:
    """Create a client; returns it and its secret (shown once, stored as a SHA-256 hash)."""
    if not name.strip():
        raise ValueError("name: give the client a name")
    unknown = sorted(set(scopes) - VALID_SCOPES)
    if unknown or not scopes:
        raise ValueError(
            f"scopes: choose from {', '.join(sorted(VALID_SCOPES))}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    key = secrets.token_hex(10)
    secret = secrets.token_urlsafe(30)
    client = LrsClient.objects.create(
        name=name.strip(),
        key=key,
        secret_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        user=user,
        created_by=created_by,
    )
    audit_log(
        actor=created_by,
        code="trellis.lrs.client.created",
        target=client,
        data={"scopes": client.scopes},
    )
    return client, secret


@transaction.atomic
def lrs_client_revoke(*, client: LrsClient, actor: Any) -> LrsClient:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_log(actor=actor, code="trellis.lrs.client.revoked", target=client)
    return client
