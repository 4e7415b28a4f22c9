"""Notifications API (/api/v1/notifications): a person's own inbox and notification settings.

Everything here is about the caller only: nobody, not even an L&D admin, reads another person's
inbox through it (a notification that is not yours answers 404). Tokens need
``notifications:read`` to read and ``notifications:write`` to mark read or change settings.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, paginate

from trellis.core.api_auth import require_scope
from trellis.notify import selectors, services
from trellis.notify.models import Category, Channel, Notification
from trellis.people.models import Employee

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    category: str
    category_label: str
    subject: str
    body: str
    url: str
    mandatory: bool
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_category_label(obj: Notification) -> str:
        return str(Category(obj.category).label)


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    category: str
    category_label: str
    channel: str
    enabled: bool
    available: bool = Field(description="The organisation has configured this channel")


class PreferenceIn(Schema):
    category: str
    channel: str
    enabled: bool


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(
        description="Only the pairs listed change; the others keep their current value"
    )


def _me(request: HttpRequest) -> Employee:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise PermissionDenied("Notifications belong to people with an employee record.")
    return employee


@router.get("/", response=list[NotificationOut])
@paginate(PageNumberPagination, page_size=30)
def notification_list(request: HttpRequest, unread: bool = False):  # type: ignore[no-untyped-def]
    """My in-app notifications, newest first (``unread=true`` for the unread ones only)."""
    require_scope(request, "notifications:read")
    return selectors.inbox_for(employee=_me(request), unread_only=unread)


@router.get("/unread", response=UnreadOut)
def notification_unread(request: HttpRequest) -> dict[str, int]:
    require_scope(request, "notifications:read")
    return {"unread": selectors.unread_count(employee=_me(request))}


@router.post("/read-all", response=MarkedOut)
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    require_scope(request, "notifications:write")
    return {"marked": services.notifications_mark_all_read(employee=_me(request))}


@router.get("/preferences", response=list[PreferenceOut])
def preference_list(request: HttpRequest) -> list[dict[str, object]]:
    """Which categories reach me on which channel."""
    require_scope(request, "notifications:read")
    return _matrix(_me(request))


@router.patch("/preferences", response=list[PreferenceOut])
def preference_update(request: HttpRequest, payload: PreferencesIn) -> list[dict[str, object]]:
    """Turn category and channel pairs on or off. Every pair is checked first; nothing changes
    when one is unknown."""
    require_scope(request, "notifications:write")
    employee = _me(request)
    errors = []
    for index, pref in enumerate(payload.preferences):
        if pref.category not in Category.values:
            errors.append(
                {
                    "loc": ["body", "preferences", index, "category"],
                    "msg": f"unknown category {pref.category!r}; "
                    f"valid: {', '.join(Category.values)}",
                }
            )
        if pref.channel not in Channel.values:
            errors.append(
                {
                    "loc": ["body", "preferences", index, "channel"],
                    "msg": f"unknown channel {pref.channel!r}; valid: {', '.join(Channel.values)}",
                }
            )
    if errors:
        raise ValidationError(errors)
    services.preferences_set(
        employee=employee,
        changes=[(p.category, p.channel, p.enabled) for p in payload.preferences],
    )
    return _matrix(employee)


@router.get("/{notification_id}", response=NotificationOut)
def notification_detail(request: HttpRequest, notification_id: int) -> Notification:
    require_scope(request, "notifications:read")
    return selectors.get_notification_for_employee(
        employee=_me(request), notification_id=notification_id
    )


@router.post("/{notification_id}/read", response=NotificationOut)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    require_scope(request, "notifications:write")
    notification = selectors.get_notification_for_employee(
        employee=_me(request), notification_id=notification_id
    )
    services.notification_mark_read(notification=notification)
    return notification


def _matrix(employee: Employee) -> list[dict[str, object]]:
    return [
        {
            "category": cell.category,
            "category_label": label,
            "channel": cell.channel,
            "enabled": cell.enabled,
            "available": cell.available,
        }
        for _, label, cells in selectors.preference_matrix(employee=employee)
        for cell in cells
    ]
