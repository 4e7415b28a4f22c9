"""Catalog API (/api/v1/catalog). Reads: any signed-in person (token scope catalog:read).
Writes and imports: L&D admins (token scope catalog:write)."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from trellis.catalog import selectors, services
from trellis.catalog.models import Item, Provider
from trellis.catalog.schemas import (
    ItemDetailOut,
    ItemIn,
    ItemOut,
    ItemQuery,
    ProviderOut,
)
from trellis.core.api_auth import require_scope
from trellis.core.importing import run_import
from trellis.core.permissions import Role, check_role
from trellis.core.schemas import ImportReportOut, InvalidOut
from trellis.skills.models import Skill

router = Router(tags=["catalog"])
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _read(request: HttpRequest) -> None:
    require_scope(request, "catalog:read")
    check_role(request.user, Role.LEARNER)


def _write(request: HttpRequest) -> None:
    require_scope(request, "catalog:write")
    check_role(request.user, Role.LD_ADMIN)


@router.get(
    "/items", response=list[ItemOut], summary="Published items (filters as on the catalog page)"
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_items(request: HttpRequest, filters: Query[ItemQuery]) -> Any:
    """``format``, ``level`` and ``duration`` repeat (``?format=video&format=course``). Durations:
    ``0-10``, ``10-30``, ``30-60``, ``60-180``, ``180+`` (minutes). Sort: title, shortest, newest.
    ``skill`` matches the skill and its direct children. ``page_size`` up to 200 (default 50)."""
    _read(request)
    parsed = selectors.item_filters_parse(request.GET)
    if parsed.errors:
        raise NinjaValidationError(
            [{"loc": ["query", name], "msg": message} for name, message in parsed.errors.items()]
        )
    return selectors.item_list(filters=parsed.filters)


@router.get("/items/{uid}", response=ItemDetailOut)
def get_item(request: HttpRequest, uid: UUID) -> Any:
    _read(request)
    return selectors.item_get_for_user(uid=uid, user=request.user)


def _resolve(
    payload: ItemIn,
) -> tuple[Provider | None, dict[Skill, float] | None, list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    provider = Provider.objects.filter(slug=payload.provider).first()
    if provider is None:
        errors.append(
            {
                "field": "body.provider",
                "message": f"No provider with the slug {payload.provider!r}.",
            }
        )
    skills: dict[Skill, float] | None = None
    if payload.skills is not None:
        found = {s.uri: s for s in Skill.objects.filter(uri__in=[s.uri for s in payload.skills])}
        skills = {}
        for index, entry in enumerate(payload.skills):
            skill = found.get(entry.uri)
            if skill is None:
                errors.append(
                    {
                        "field": f"body.skills.{index}.uri",
                        "message": f"Unknown skill URI {entry.uri!r}.",
                    }
                )
            elif not 0.0 <= entry.weight <= 1.0:
                errors.append(
                    {"field": f"body.skills.{index}.weight", "message": "Must be between 0 and 1."}
                )
            else:
                skills[skill] = entry.weight
    return provider, skills, errors


def _data(payload: ItemIn) -> dict[str, Any]:
    return payload.dict(exclude={"provider", "skills"})


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": f"body.{'provider' if name == '__all__' else name}", "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "body", "message": message} for message in exc.messages]


def _detail(item: Item) -> Item:
    return (
        Item.objects.select_related("provider")
        .prefetch_related(selectors.item_skill_links_prefetch())
        .get(pk=item.pk)
    )


@router.post("/items", response={201: ItemDetailOut, 422: InvalidOut}, summary="Create an item")
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    _write(request)
    provider, skills, errors = _resolve(payload)
    if not errors and provider is not None:
        try:
            item = services.item_create(
                actor=request.user, provider=provider, data=_data(payload), skills=skills
            )
        except ValidationError as exc:
            errors = _validation_errors(exc)
        else:
            return Status(201, _detail(item))
    return Status(422, {"detail": "Invalid input", "errors": errors})


@router.put(
    "/items/{uid}",
    response={200: ItemDetailOut, 422: InvalidOut},
    summary="Replace an item's fields",
)
def update_item(request: HttpRequest, uid: UUID, payload: ItemIn) -> Any:
    _write(request)
    item = selectors.item_get_for_user(uid=uid, user=request.user)
    provider, skills, errors = _resolve(payload)
    if not errors and provider is not None:
        try:
            item = services.item_update(
                item=item, actor=request.user, data=_data(payload), provider=provider, skills=skills
            )
        except ValidationError as exc:
            errors = _validation_errors(exc)
        else:
            return Status(200, _detail(item))
    return Status(422, {"detail": "Invalid input", "errors": errors})


@router.post(
    "/import",
    response={200: ImportReportOut, 400: ImportReportOut},
    summary="Import a catalog CSV or JSON file",
)
def import_items(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Any:
    """Multipart upload (schema in trellis/catalog/README.md). 200 with the report when applied
    (or checked, with ``dry_run``); 400 with every error, row and column when rejected (nothing written)."""
    _write(request)
    report = run_import(
        "catalog", file, actor=request.user, filename=file.name or "", dry_run=dry_run
    )
    body = {**report.as_dict(), "dry_run": dry_run, "details": report.details}
    return Status(200 if report.ok else 400, body)


@router.get("/providers", response=list[ProviderOut])
def list_providers(request: HttpRequest) -> Any:
    _read(request)
    return list(Provider.objects.order_by("name"))
