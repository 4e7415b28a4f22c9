"""API tokens over the API (L&D admins, browser session or a token acting for an L&D admin)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from trellis.core.models import ApiToken
from trellis.core.permissions import Role, check_role
from trellis.core.services import api_token_create, api_token_revoke

router = Router(tags=["tokens"])


class TokenIn(Schema):
    name: str
    username: str
    scopes: list[str]
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    username: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_username(obj: ApiToken) -> str:
        return obj.user.username


class TokenCreatedOut(TokenOut):
    secret: str


@router.get("/", response=list[TokenOut], summary="List API tokens (L&D admin)")
def token_list(request):  # type: ignore[no-untyped-def]
    check_role(request.user, Role.LD_ADMIN)
    return ApiToken.objects.select_related("user")


@router.post(
    "/", response={201: TokenCreatedOut}, summary="Create an API token; the secret is returned once"
)
def token_create(request, payload: TokenIn):  # type: ignore[no-untyped-def]
    check_role(request.user, Role.LD_ADMIN)
    if getattr(request, "api_token", None) is not None:
        raise HttpError(403, "Tokens cannot create tokens; use a browser session.")
    user = get_user_model().objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise HttpError(422, f"username: no active user {payload.username!r}")
    try:
        token, secret = api_token_create(
            user=user,
            name=payload.name,
            scopes=payload.scopes,
            created_by=request.user,
            expires_at=payload.expires_at,
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    token.secret = secret  # type: ignore[attr-defined]
    return Status(201, token)


@router.post("/{token_id}/revoke", response=TokenOut, summary="Revoke an API token")
def token_revoke(request, token_id: int):  # type: ignore[no-untyped-def]
    check_role(request.user, Role.LD_ADMIN)
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id)
    return api_token_revoke(token=token, actor=request.user)
