"""API authentication: a session (browser, CSRF-checked) or a bearer token with scopes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer, SessionAuth

from trellis.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: Any, token: str) -> Any:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


def api_auth() -> list[Any]:
    """Bearer token first, then the browser session (CSRF-checked on unsafe methods)."""
    return [TokenAuth(), SessionAuth(csrf=True)]


def require_scope(request: Any, scope: str) -> None:
    """Tokens must carry ``scope``; sessions are limited by roles only."""
    token = getattr(request, "api_token", None)
    if token is not None and scope not in token.scopes:
        raise PermissionDenied(f"This token lacks the scope {scope!r}.")
