"""LRS client credentials over the API (L&D admins; a browser session or a token acting for one).
Mounted at /api/v1/lrs/."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from trellis.core.permissions import Role, check_role
from trellis.lrs.clients import lrs_client_create, lrs_client_revoke
from trellis.lrs.models import LrsClient

router = Router(tags=["lrs"])


class LrsClientIn(Schema):
    name: str
    scopes: list[str]
    username: str | None = None


class LrsClientOut(Schema):
    id: int
    name: str
    key: str
    scopes: list[str]
    username: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_username(obj: LrsClient) -> str | None:
        return obj.user.username if obj.user else None


class LrsClientCreatedOut(LrsClientOut):
    secret: str


@router.get("/clients/", response=list[LrsClientOut], summary="List LRS clients (L&D admin)")
def lrs_client_list(request):  # type: ignore[no-untyped-def]
    check_role(request.user, Role.LD_ADMIN)
    return LrsClient.objects.select_related("user").order_by("name", "id")


@router.post(
    "/clients/",
    response={201: LrsClientCreatedOut},
    summary="Create an LRS client; the secret is returned once",
)
def lrs_client_create_endpoint(request, payload: LrsClientIn):  # type: ignore[no-untyped-def]
    check_role(request.user, Role.LD_ADMIN)
    user = None
    if payload.username:
        user = get_user_model().objects.filter(username=payload.username, is_active=True).first()
        if user is None:
            raise HttpError(422, f"username: no active user {payload.username!r}")
    try:
        lrs_client, secret = lrs_client_create(
            name=payload.name, scopes=payload.scopes, user=user, created_by=request.user
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    lrs_client.secret = secret  # type: ignore[attr-defined]
    return Status(201, lrs_client)


@router.post("/clients/{client_id}/revoke", response=LrsClientOut, summary="Revoke an LRS client")
def lrs_client_revoke_endpoint(request, client_id: int):  # type: ignore[no-untyped-def]
    check_role(request.user, Role.LD_ADMIN)
    lrs_client = get_object_or_404(LrsClient.objects.select_related("user"), pk=client_id)
    return lrs_client_revoke(client=lrs_client, actor=request.user)
