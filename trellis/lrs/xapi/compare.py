"""Statement comparison (xAPI-Data.md §2.3.1, "Statement Comparison Requirements"). Pure Python.

Two statements are equivalent when they differ only in ways the exceptions to immutability allow:

- properties the LRS assigns: ``id``, ``authority``, ``stored``, ``version`` are ignored; ``timestamp``
  is ignored when either side lacks it (the LRS fills it in) and otherwise compared as a point in
  time to the millisecond;
- Activity Definitions and the Verb's ``display`` are not part of the statement;
- group members are an unordered list; case-insensitive values (UUIDs, the domain of an mbox,
  mbox_sha1sum hex, language tags) compare without case;
- a single contextActivities object equals an array of one;
- durations compare as strings, without precision beyond 0.01 s.

Everything else (result, extensions, attachments metadata, the order of contextActivities and of
attachments) must be identical.
"""

from __future__ import annotations

import json
import re
from typing import Any

from trellis.lrs.xapi.errors import XapiValidationError
from trellis.lrs.xapi.timefmt import parse_timestamp

__all__ = ["comparable_form", "statements_equivalent"]

_SECONDS = re.compile(r"(\d+)[.,](\d+)S\Z")


def statements_equivalent(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when ``a`` and ``b`` are the same statement for the purposes of immutability (409 vs 204)."""
    if ("timestamp" in a) != ("timestamp" in b):
        a = {k: v for k, v in a.items() if k != "timestamp"}
        b = {k: v for k, v in b.items() if k != "timestamp"}
    return comparable_form(a) == comparable_form(b)


def comparable_form(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement reduced to what comparison looks at."""
    return _body(statement)


def _body(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("id", "authority", "stored", "version"):
            continue
        if key == "actor":
            out[key] = _agent(value)
        elif key == "verb":
            out[key] = value.get("id") if isinstance(value, dict) else value
        elif key == "object":
            out[key] = _object(value)
        elif key == "context":
            out[key] = _context(value)
        elif key == "result":
            out[key] = _result(value)
        elif key == "timestamp":
            out[key] = _instant(value)
        elif key == "attachments" and isinstance(value, list):
            out[key] = [_attachment(item) for item in value]
        else:
            out[key] = value
    return out


def _instant(value: Any) -> Any:
    """The point in time, to the millisecond (the precision the spec lets an LRS keep)."""
    try:
        instant = parse_timestamp(value, path="timestamp", version="1.0.3")
    except XapiValidationError:
        return value
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)


def _agent(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = dict(value)
    out.setdefault("objectType", "Agent")
    mbox = out.get("mbox")
    if isinstance(mbox, str) and "@" in mbox:
        local, _, domain = mbox.rpartition("@")
        out["mbox"] = f"{local}@{domain.lower()}"
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    if isinstance(out.get("member"), list):
        members = [_agent(member) for member in out["member"]]
        out["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True, default=str))
    return out


def _activity(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {"objectType": value.get("objectType", "Activity"), "id": value.get("id")}


def _object(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        return _activity(value)
    if object_type in ("Agent", "Group"):
        return _agent(value)
    if object_type == "StatementRef":
        return {"objectType": object_type, "id": _lower(value.get("id"))}
    if object_type == "SubStatement":
        return _body(value)
    return value


def _context(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if "registration" in out:
        out["registration"] = _lower(out["registration"])
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _agent(out[key])
    if isinstance(out.get("statement"), dict):
        out["statement"] = _object(out["statement"])
    activities = out.get("contextActivities")
    if isinstance(activities, dict):
        out["contextActivities"] = {
            key: [_activity(a) for a in (acts if isinstance(acts, list) else [acts])]
            for key, acts in activities.items()
        }
    if isinstance(out.get("language"), str):
        out["language"] = out["language"].lower()
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        if isinstance(out.get(key), list):
            out[key] = [
                {**item, inner: _agent(item.get(inner))} if isinstance(item, dict) else item
                for item in out[key]
            ]
    return out


def _result(value: Any) -> Any:
    if not isinstance(value, dict) or not isinstance(value.get("duration"), str):
        return value
    out = dict(value)
    out["duration"] = _truncate_duration(out["duration"])
    return out


def _truncate_duration(duration: str) -> str:
    match = _SECONDS.search(duration)
    if match is None:
        return duration
    whole, fraction = match.groups()
    fraction = fraction[:2].rstrip("0")
    seconds = f"{whole}.{fraction}S" if fraction else f"{whole}S"
    return duration[: match.start()] + seconds


def _attachment(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for key in ("display", "description"):
        if isinstance(out.get(key), dict):
            out[key] = {tag.lower(): text for tag, text in out[key].items()}
    if isinstance(out.get("sha2"), str):
        out["sha2"] = out["sha2"].lower()
    return out


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value
