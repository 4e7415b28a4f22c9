"""Statement storage and queries (the Statement resource's services and selectors).

PLACEHOLDER SIGNATURES: the statements engineer implements these; the projection and Trellis's own
events call them.
"""

from __future__ import annotations

from typing import Any

from trellis.lrs.auth import Credential


def statements_store(
    statements: list[dict[str, Any]],
    *,
    version: str,
    credential: Credential | None = None,
    authority: dict[str, Any] | None = None,
    attachments: dict[str, tuple[str, bytes]] | None = None,
    project: bool = True,
) -> list[str]:
    """Validate and store a batch atomically (all or nothing); returns the statement ids in order.

    ``credential`` (an HTTP client) or ``authority`` (Trellis itself) sets the authority. Statements that
    already exist with the same content are accepted (not stored twice); the same id with different
    content raises XapiError(409). Voiding statements mark their targets voided. With ``project``, the
    progress projection is scheduled for the new statements after the transaction commits.
    """
    raise NotImplementedError
