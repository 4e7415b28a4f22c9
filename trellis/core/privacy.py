"""What the core app holds about a person: the audit entries about them (including who viewed their
personal data) and their API tokens (export and erasure; contract in
``trellis.governance.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.core.models import ApiToken, AuditEvent


def export_data(*, employee: Any) -> dict[str, Any]:
    about = AuditEvent.objects.filter(
        Q(target_type="people.employee", target_id=str(employee.pk))
    ).select_related("actor")
    return {
        "audit_entries_about_you": [
            {
                "at": e.at,
                "code": e.code,
                "by": e.actor.get_full_name() or e.actor.username if e.actor else "system",
                "data": e.data,
            }
            for e in about.order_by("at", "id")
        ],
        "api_tokens": list(
            ApiToken.objects.filter(user_id=employee.user_id)
            .order_by("created_at")
            .values("name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
        ),
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """The person's API tokens are deleted. Audit entries stay (append-only); identifying text in
    them is replaced by the pseudonym by governance's sweep, and entries hold ids, not names."""
    return {"api_tokens": ApiToken.objects.filter(user_id=employee.user_id).delete()[0]}
