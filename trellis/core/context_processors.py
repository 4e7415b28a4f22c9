from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from trellis.core.permissions import Role, roles_for


def navigation(roles: frozenset[Role]) -> list[dict[str, str]]:
    """The main navigation for a person with ``roles`` (only links they may open)."""
    items = [
        {"label": "Home", "url": reverse("home"), "key": "home"},
        {"label": "Catalog", "url": reverse("catalog:list"), "key": "catalog"},
        {"label": "Discover", "url": reverse("discovery:foryou"), "key": "discover"},
        {"label": "My learning", "url": reverse("learning:mine"), "key": "learning"},
        {"label": "Assigned to me", "url": reverse("programs:assigned"), "key": "assigned"},
        {"label": "Mentoring", "url": reverse("mentoring:home"), "key": "mentoring"},
        {"label": "Surveys", "url": reverse("surveys:mine"), "key": "surveys"},
        {"label": "AI at work", "url": reverse("governance:home"), "key": "governance"},
        {"label": "My profile", "url": reverse("people:profile"), "key": "profile"},
    ]
    if Role.MANAGER in roles:
        items.append({"label": "My team", "url": reverse("people:team"), "key": "team"})
        items.append(
            {"label": "Team programs", "url": reverse("programs:team"), "key": "team_programs"}
        )
    if roles & {Role.LD_ADMIN, Role.EXECUTIVE, Role.AUDITOR}:
        items.append({"label": "People", "url": reverse("people:list"), "key": "people"})
        items.append({"label": "Skills", "url": reverse("skills:roles"), "key": "skills"})
        items.append({"label": "Programs", "url": reverse("programs:list"), "key": "programs"})
    if roles & {Role.LD_ADMIN, Role.EXECUTIVE, Role.MANAGER}:
        items.append({"label": "Insights", "url": reverse("insights:home"), "key": "insights"})
    if roles & {Role.LD_ADMIN, Role.AUDITOR}:
        items.append({"label": "Audit log", "url": reverse("governance:audit"), "key": "audit"})
    if Role.LD_ADMIN in roles:
        items.append({"label": "Admin", "url": reverse("core:admin_home"), "key": "admin"})
    return items


def trellis(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = roles_for(user)
    return {
        "organisation_name": settings.TRELLIS_ORGANISATION_NAME,
        "user_roles": sorted(role.value for role in roles),
        "user_role_labels": [role.label for role in sorted(roles)],
        "nav_items": navigation(roles) if roles else [],
        "is_ld_admin": Role.LD_ADMIN in roles,
        "is_manager": Role.MANAGER in roles,
        "unread_notifications": _unread_notifications(user) if roles else None,
    }


def _unread_notifications(user: Any) -> int | None:
    """The header's unread badge (cached per user by the notify app: no query on most pages)."""
    from trellis.notify.badge import unread_for_user

    return unread_for_user(user)
