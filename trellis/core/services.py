from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from trellis.core.models import ApiToken, AuditEvent

TOKEN_PREFIX = "trl_"


def audit_log(
    *, actor: Any, code: str, target: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEvent:
    """Append one audit entry. Every service that changes something people care about calls this."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        code=code,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, scopes: list[str], created_by: Any, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the token and its secret (shown once, stored hashed)."""
    valid = {code for code, _ in ApiToken.SCOPES}
    unknown = sorted(set(scopes) - valid)
    if unknown:
        raise ValueError(
            f"scopes: unknown scope(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}"
        )
    if not name.strip():
        raise ValueError("name: give the token a name")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name.strip(),
        user=user,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        created_by=created_by,
        expires_at=expires_at,
    )
    audit_log(
        actor=created_by,
        code="trellis.api_token.created",
        target=token,
        data={"scopes": token.scopes, "user": user.pk},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, code="trellis.api_token.revoked", target=token)
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for ``secret``, or None. Updates last_used_at at most once a minute."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
