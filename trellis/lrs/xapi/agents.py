"""Agents and their inverse functional identifiers (IFIs). Pure Python, no Django."""

from __future__ import annotations

from typing import Any

from trellis.lrs.xapi.errors import XapiValidationError

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def agent_ifi(agent: Any, *, path: str = "agent") -> str:
    """The canonical IFI string of an Agent (or identified Group). Raises XapiValidationError naming ``path``.

    ``mbox:mailto:a@b.c`` · ``mbox_sha1sum:<40 hex>`` · ``openid:<uri>`` · ``account:<homePage>|<name>``
    """
    if not isinstance(agent, dict):
        raise XapiValidationError(path, "must be a JSON object")
    present = [key for key in IFI_KEYS if key in agent]
    if len(present) != 1:
        raise XapiValidationError(
            path, f"must have exactly one of {', '.join(IFI_KEYS)} (found {len(present)})"
        )
    key = present[0]
    value = agent[key]
    if key == "mbox":
        if not isinstance(value, str) or not value.startswith("mailto:") or "@" not in value:
            raise XapiValidationError(
                f"{path}.mbox", "must be a mailto: IRI such as mailto:ada@example.com"
            )
        # The domain of an email address is case-insensitive (xAPI-Data.md §2.4.2.3).
        local, _, domain = value.rpartition("@")
        return f"mbox:{local}@{domain.lower()}"
    if key == "mbox_sha1sum":
        if (
            not isinstance(value, str)
            or len(value) != 40
            or any(c not in "0123456789abcdefABCDEF" for c in value)
        ):
            raise XapiValidationError(
                f"{path}.mbox_sha1sum", "must be the 40-character hex SHA-1 of a mailto IRI"
            )
        return f"mbox_sha1sum:{value.lower()}"
    if key == "openid":
        if not isinstance(value, str) or ":" not in value:
            raise XapiValidationError(f"{path}.openid", "must be a URI")
        return f"openid:{value}"
    if not isinstance(value, dict) or set(value) != {"homePage", "name"}:
        raise XapiValidationError(
            f"{path}.account", "must be an object with exactly homePage and name"
        )
    home, name = value["homePage"], value["name"]
    if not isinstance(home, str) or ":" not in home:
        raise XapiValidationError(f"{path}.account.homePage", "must be an IRL")
    if not isinstance(name, str) or not name:
        raise XapiValidationError(f"{path}.account.name", "must be a non-empty string")
    return f"account:{home}|{name}"


def mbox_ifi(email: str) -> str:
    return f"mbox:mailto:{email.strip().lower()}"
