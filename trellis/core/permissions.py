"""Who may do what. Roles are the single vocabulary of permission checks in Trellis.

- learner: every active person with an employee record (and every signed-in user);
- manager: a person with at least one direct report (derived from the hierarchy, never granted);
- ld_admin, executive, auditor: granted by membership of the Django group of the same name
  (superusers hold every granted role).

Views use ``role_required``; API endpoints use ``require_roles``; selectors that return people use
``trellis.people.selectors.employees_visible_to`` so that a manager sees only their reporting line.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"
    LD_ADMIN = "ld_admin"
    EXECUTIVE = "executive"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.LEARNER: "Learner",
    Role.MANAGER: "Manager",
    Role.LD_ADMIN: "L&D admin",
    Role.EXECUTIVE: "Executive",
    Role.AUDITOR: "Auditor",
}

#: Roles granted through Django groups (the group name is the role value).
GRANTED_ROLES = (Role.LD_ADMIN, Role.EXECUTIVE, Role.AUDITOR)

_CACHE_ATTR = "_trellis_roles"


def roles_for(user: Any) -> frozenset[Role]:
    """The roles of ``user``, computed once per request and cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles: set[Role] = {Role.LEARNER}
    if user.is_superuser:
        roles.update(GRANTED_ROLES)
    else:
        names = set(user.groups.values_list("name", flat=True))
        roles.update(role for role in GRANTED_ROLES if role.value in names)
    employee = getattr(user, "employee", None) if _has_employee(user) else None
    if employee is not None and employee.direct_reports.filter(is_active=True).exists():
        roles.add(Role.MANAGER)
    result = frozenset(roles)
    setattr(user, _CACHE_ATTR, result)
    return result


def _has_employee(user: Any) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return user.employee is not None
    except (ObjectDoesNotExist, AttributeError):
        return False


def forget_roles(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: Any, *roles: Role) -> bool:
    return bool(roles_for(user) & set(roles))


def check_role(user: Any, *roles: Role) -> None:
    """Raise PermissionDenied unless ``user`` holds one of ``roles``."""
    if not has_role(user, *roles):
        raise PermissionDenied("You do not have the role needed for this page.")


def role_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: 403 unless the signed-in person holds one of ``roles``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            check_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


#: Roles that may read organisation-wide data (people lists, imports history).
ORG_READERS = (Role.LD_ADMIN, Role.EXECUTIVE, Role.AUDITOR)
