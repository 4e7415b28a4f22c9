"""What the discovery API modules share: scopes, the caller, 422 bodies, item references."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Schema, Status

from trellis.catalog.models import Item
from trellis.core.api_auth import require_scope
from trellis.core.permissions import Role, check_role
from trellis.people.models import Employee
from trellis.people.selectors import employee_for_user

READ_SCOPE = "discovery:read"
WRITE_SCOPE = "discovery:write"


def read_access(request: HttpRequest) -> None:
    require_scope(request, READ_SCOPE)
    check_role(request.user, Role.LEARNER)


def write_access(request: HttpRequest) -> None:
    require_scope(request, WRITE_SCOPE)
    check_role(request.user, Role.LEARNER)


def me_or_404(request: HttpRequest) -> Employee:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("This belongs to people with an employee record.")
    return me


def invalid(exc: ValidationError, *, rename: dict[str, str] | None = None) -> Status:
    """A service's ValidationError as the API's 422 body, each message under ``body.<field>``."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": f"body.{rename.get(name, name)}", "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "body", "message": message} for message in exc.messages]
    return Status(422, {"detail": "Invalid input", "errors": errors})


def unknown(field: str, message: str) -> Status:
    return Status(
        422, {"detail": "Invalid input", "errors": [{"field": field, "message": message}]}
    )


def get_or_invalid(model: Any, pk: int | None, field: str, what: str, **filters: Any) -> Any:
    """The row ``pk`` of ``model`` (None for None), or a ValidationError on ``field``."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **filters).first()
    if found is None:
        raise ValidationError({field: f"No {what} {pk}."})
    return found


def item_url(item: Item) -> str:
    return reverse("catalog:item", args=[item.uid])


class ItemRefOut(Schema):
    id: int
    uid: UUID
    title: str
    format: str
    level: int
    duration_minutes: int
    url: str


def item_ref(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "uid": item.uid,
        "title": item.title,
        "format": item.format,
        "level": item.level,
        "duration_minutes": item.duration_minutes,
        "url": item_url(item),
    }
