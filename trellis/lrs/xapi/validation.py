"""Validation of xAPI Statements (xAPI-Data.md §2 and §4; IEEE 9274.1.1 for 2.0.0). Pure Python.

``validate_statement(obj, version=…, path=…)`` raises ``XapiValidationError(path, message)`` naming the
JSON path of the first bad property (``actor.mbox``, ``object.definition.choices[2].id``, ``[3].verb.id``).
It checks every rule an LRS MUST check: required, forbidden and unknown properties (the LRS rejects
statements with properties the spec does not define, at any depth), nulls outside extensions, types
(a boolean is never a number), and the formats of IRIs, IRLs, UUIDs, mailto IRIs, language tags,
timestamps and durations.

``normalize_statement(obj, version=…)`` returns the copy to store: contextActivities values as arrays,
``objectType`` on the actor and object, UUIDs in lower case, ``version`` set when absent, and in
2.0.0 the timestamps in UTC.

Deliberate choices where the spec leaves room: ``authority`` is checked as any valid Agent or Group
(the LRS overwrites it; the 1.0.3 conformance suite sends one-member and identified Groups there);
the strings of ``correctResponsesPattern`` are not parsed (the spec says the LRS MAY); a component
list (``choices``…) or a ``correctResponsesPattern`` requires an ``interactionType`` that supports it.
"""

from __future__ import annotations

import re
from typing import Any

from trellis.lrs.xapi.errors import XapiValidationError
from trellis.lrs.xapi.timefmt import format_timestamp, parse_duration, parse_timestamp

__all__ = [
    "is_iri",
    "is_language_tag",
    "is_uuid",
    "normalize_statement",
    "validate_activity",
    "validate_agent",
    "validate_language_map",
    "validate_statement",
]

V1 = "1.0.3"
V2 = "2.0.0"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*(\s*;.*)?\Z"
)
_HEX = frozenset("0123456789abcdefABCDEF")
_SPACE = re.compile(r"\s")  # the characters str.isspace() accepts (both use Py_UNICODE_ISSPACE)
_VERSION_1 = re.compile(r"1\.0\.\d+\Z")
_VERSION_2 = re.compile(r"(1|2)\.0\.\d+\Z")

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
AGENT_KEYS = frozenset({"objectType", "name", *IFI_KEYS})
GROUP_KEYS = frozenset({"objectType", "name", "member", *IFI_KEYS})
VERB_KEYS = frozenset({"id", "display"})
ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
        "extensions",
    }
)
COMPONENT_KEYS = frozenset({"id", "description"})
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
CONTEXT_KEYS_V1 = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_KEYS_V2 = CONTEXT_KEYS_V1 | {"contextAgents", "contextGroups"}
CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
CONTEXT_AGENT_KEYS = frozenset({"objectType", "agent", "relevantTypes"})
CONTEXT_GROUP_KEYS = frozenset({"objectType", "group", "relevantTypes"})
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)
INTERACTION_TYPES = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
OBJECT_TYPES = ("Activity", "Agent", "Group", "SubStatement", "StatementRef")


# --- paths and primitive checks ------------------------------------------------------------------


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _object(value: Any, path: str, allowed: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise XapiValidationError(
            path or "statement", f"must be {what} (a JSON object), not {_type_name(value)}"
        )
    if not allowed.issuperset(value):
        unknown = sorted(key for key in value if key not in allowed)[0]
        raise XapiValidationError(
            _at(path, unknown), f"is not a property of {what} (properties are case-sensitive)"
        )
    for key, item in value.items():
        if item is None:
            raise XapiValidationError(_at(path, key), "must not be null")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise XapiValidationError(path, f"must be a string, not {_type_name(value)}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise XapiValidationError(path, f"must be true or false, not {_type_name(value)}")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise XapiValidationError(path, f"must be a number, not {_type_name(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise XapiValidationError(path, "must be a finite number")
    return value


def _array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise XapiValidationError(path, f"must be an array, not {_type_name(value)}")
    return value


def is_iri(value: Any) -> bool:
    """Best-effort IRI check: a string with a scheme and no whitespace or characters IRIs exclude."""
    return isinstance(value, str) and _IRI.match(value) is not None


def _iri(
    value: Any, path: str, what: str = "an absolute IRI (with a scheme, e.g. http://…)"
) -> str:
    if not isinstance(value, str) or _IRI.match(value) is None:
        raise XapiValidationError(path, f"must be {what}")
    return value


def _irl(value: Any, path: str) -> str:
    return _iri(value, path, "an absolute IRL (with a scheme, e.g. https://…)")


def is_uuid(value: Any) -> bool:
    """A UUID in the standard string form (8-4-4-4-12 hexadecimal digits)."""
    return isinstance(value, str) and _UUID.match(value) is not None


def _uuid(value: Any, path: str) -> str:
    if not isinstance(value, str) or _UUID.match(value) is None:
        raise XapiValidationError(
            path, "must be a UUID in standard string form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
        )
    return value


# --- RFC 5646 language tags ----------------------------------------------------------------------

_IRREGULAR = frozenset(
    t.lower()
    for t in [
        "en-GB-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-BE-FR",
        "sgn-BE-NL",
        "sgn-CH-DE",
        "art-lojban",
        "cel-gaulish",
        "no-bok",
        "no-nyn",
        "zh-guoyu",
        "zh-hakka",
        "zh-min",
        "zh-min-nan",
        "zh-xiang",
    ]
)
_TAG_CACHE: dict[str, bool] = {}


def is_language_tag(tag: Any) -> bool:
    """RFC 5646 well-formedness (the sequence and lengths of subtags), case-insensitive."""
    if not isinstance(tag, str):
        return False
    known = _TAG_CACHE.get(tag)
    if known is None:
        known = _check_language_tag(tag)
        if len(_TAG_CACHE) > 20_000:
            _TAG_CACHE.clear()
        _TAG_CACHE[tag] = known
    return known


def _alnum(s: str) -> bool:
    return s.isascii() and s.isalnum()


def _alpha(s: str) -> bool:
    return s.isascii() and s.isalpha()


def _check_language_tag(tag: str) -> bool:
    if not tag or not tag.isascii():
        return False
    lower = tag.lower()
    if lower in _IRREGULAR:
        return True
    parts = lower.split("-")
    if any(not p or not _alnum(p) or len(p) > 8 for p in parts):
        return False
    if parts[0] == "x":  # privateuse only
        return len(parts) > 1
    first = parts[0]
    if not _alpha(first) or len(first) < 2:
        return False
    i = 1
    n = len(parts)
    if len(first) <= 3:  # extlang: up to three 3-letter subtags
        count = 0
        while i < n and count < 3 and len(parts[i]) == 3 and _alpha(parts[i]):
            i += 1
            count += 1
    if i < n and len(parts[i]) == 4 and _alpha(parts[i]):  # script
        i += 1
    if i < n and (
        (len(parts[i]) == 2 and _alpha(parts[i])) or (len(parts[i]) == 3 and parts[i].isdigit())
    ):  # region
        i += 1
    variants: set[str] = set()
    while i < n and (
        (5 <= len(parts[i]) <= 8) or (len(parts[i]) == 4 and parts[i][0].isdigit())
    ):  # variants (no repeats)
        if parts[i] in variants:
            return False
        variants.add(parts[i])
        i += 1
    singletons: set[str] = set()
    while i < n and len(parts[i]) == 1 and parts[i] != "x":  # extensions
        if parts[i] in singletons:
            return False
        singletons.add(parts[i])
        i += 1
        start = i
        while i < n and len(parts[i]) >= 2:
            i += 1
        if i == start:
            return False
    if i < n and parts[i] == "x":  # privateuse
        return n - i > 1
    return i == n


def validate_language_map(value: Any, path: str) -> dict[str, str]:
    """A language map: RFC 5646 tags to strings."""
    if not isinstance(value, dict):
        raise XapiValidationError(
            path, f"must be a language map (a JSON object), not {_type_name(value)}"
        )
    for tag, text in value.items():
        if not is_language_tag(tag):
            raise XapiValidationError(
                f"{path}.{tag}", "is not an RFC 5646 language tag (e.g. en-US)"
            )
        if not isinstance(text, str):
            raise XapiValidationError(f"{path}.{tag}", f"must be a string, not {_type_name(text)}")
    return value


def _extensions(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise XapiValidationError(path, f"must be an object with IRI keys, not {_type_name(value)}")
    for key in value:
        if _IRI.match(key) is None:
            raise XapiValidationError(f"{path}.{key}", "extension keys must be absolute IRIs")


# --- Agents and Groups (§2.4.2) ------------------------------------------------------------------


def _ifi(agent: dict[str, Any], path: str) -> int:
    """Validate the IFI properties present; return how many there are."""
    count = 0
    if "mbox" in agent:
        count += 1
        mbox = agent["mbox"]
        if (
            not isinstance(mbox, str)
            or not mbox.startswith("mailto:")
            or mbox.count("@") != 1
            or mbox.startswith("mailto:@")
            or mbox.endswith("@")
            or _SPACE.search(mbox) is not None
        ):
            raise XapiValidationError(
                _at(path, "mbox"), "must be a mailto IRI such as mailto:ada@example.com"
            )
    if "mbox_sha1sum" in agent:
        count += 1
        sha = agent["mbox_sha1sum"]
        if not isinstance(sha, str) or len(sha) != 40 or not _HEX.issuperset(sha):
            raise XapiValidationError(
                _at(path, "mbox_sha1sum"), "must be the 40-digit hex SHA-1 of a mailto IRI"
            )
    if "openid" in agent:
        count += 1
        _iri(agent["openid"], _at(path, "openid"), "a URI")
    if "account" in agent:
        count += 1
        account_path = _at(path, "account")
        account = agent["account"]
        if not isinstance(account, dict):
            raise XapiValidationError(account_path, "must be an object with homePage and name")
        for key in ("homePage", "name"):
            if key not in account:
                raise XapiValidationError(f"{account_path}.{key}", "is required")
        _object(account, account_path, frozenset({"homePage", "name"}), "an Account")
        _irl(account["homePage"], f"{account_path}.homePage")
        _string(account["name"], f"{account_path}.name")
    return count


def validate_agent(
    value: Any, path: str, *, object_type_required: bool = False, allow_group: bool = True
) -> None:
    """An Agent or Group (§2.4.2): exactly one IFI for Agents; Groups identified or anonymous."""
    if not isinstance(value, dict):
        raise XapiValidationError(
            path, f"must be an Agent or Group (a JSON object), not {_type_name(value)}"
        )
    object_type = value.get("objectType")
    if object_type == "Group":
        if not allow_group:
            raise XapiValidationError(_at(path, "objectType"), "must be Agent here, not Group")
        _group(value, path)
        return
    if object_type is None:
        if "objectType" in value:
            raise XapiValidationError(_at(path, "objectType"), "must not be null")
        if object_type_required:
            raise XapiValidationError(_at(path, "objectType"), "is required (Agent or Group)")
    elif object_type != "Agent":
        raise XapiValidationError(
            _at(path, "objectType"),
            f"must be Agent{' or Group' if allow_group else ''}, not {object_type!r}",
        )
    if "member" in value:
        raise XapiValidationError(
            _at(path, "member"), 'is only allowed on a Group (objectType "Group")'
        )
    _object(value, path, AGENT_KEYS, "an Agent")
    if "name" in value:
        _string(value["name"], _at(path, "name"))
    count = _ifi(value, path)
    if count != 1:
        raise XapiValidationError(
            path,
            f"an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found {count})",
        )


def _group(value: dict[str, Any], path: str) -> None:
    _object(value, path, GROUP_KEYS, "a Group")
    if "name" in value:
        _string(value["name"], _at(path, "name"))
    count = _ifi(value, path)
    if count > 1:
        raise XapiValidationError(
            path,
            f"an identified Group must have exactly one of mbox, mbox_sha1sum, openid, account (found {count})",
        )
    if "member" in value:
        members = _array(value["member"], _at(path, "member"))
        for i, member in enumerate(members):
            member_path = f"{_at(path, 'member')}[{i}]"
            if isinstance(member, dict) and member.get("objectType") == "Group":
                raise XapiValidationError(
                    _at(member_path, "objectType"), "a Group's members must be Agents, not Groups"
                )
            validate_agent(member, member_path, allow_group=False)
        if count == 0 and not members:
            raise XapiValidationError(
                _at(path, "member"), "an anonymous Group must list at least one member"
            )
    elif count == 0:
        raise XapiValidationError(
            _at(path, "member"), "is required on an anonymous Group (a Group without an IFI)"
        )


# --- Verb, Activity, StatementRef, SubStatement (§2.4.3, §2.4.4) --------------------------------


def _verb(value: Any, path: str) -> None:
    _object(value, path, VERB_KEYS, "a Verb")
    if "id" not in value:
        raise XapiValidationError(_at(path, "id"), "is required")
    _iri(value["id"], _at(path, "id"))
    if "display" in value:
        validate_language_map(value["display"], _at(path, "display"))


def validate_activity(value: Any, path: str) -> None:
    """An Activity (§2.4.4.1) with its optional definition."""
    if isinstance(value, dict) and value.get("objectType", "Activity") != "Activity":
        raise XapiValidationError(
            _at(path, "objectType"), f"must be Activity, not {value['objectType']!r}"
        )
    _object(value, path, ACTIVITY_KEYS, "an Activity")
    if "id" not in value:
        raise XapiValidationError(_at(path, "id"), "is required")
    _iri(value["id"], _at(path, "id"))
    if "definition" in value:
        _definition(value["definition"], _at(path, "definition"))


def _definition(value: Any, path: str) -> None:
    _object(value, path, DEFINITION_KEYS, "an Activity Definition")
    for key in ("name", "description"):
        if key in value:
            validate_language_map(value[key], _at(path, key))
    if "type" in value:
        _iri(value["type"], _at(path, "type"))
    if "moreInfo" in value:
        _irl(value["moreInfo"], _at(path, "moreInfo"))
    if "extensions" in value:
        _extensions(value["extensions"], _at(path, "extensions"))
    interaction_type = value.get("interactionType")
    if interaction_type is not None and interaction_type not in INTERACTION_TYPES:
        raise XapiValidationError(
            _at(path, "interactionType"),
            f"must be one of {', '.join(INTERACTION_TYPES)} (case-sensitive), not {interaction_type!r}",
        )
    if "correctResponsesPattern" in value:
        pattern_path = _at(path, "correctResponsesPattern")
        if interaction_type is None:
            raise XapiValidationError(
                _at(path, "interactionType"), "is required with correctResponsesPattern"
            )
        for i, pattern in enumerate(_array(value["correctResponsesPattern"], pattern_path)):
            _string(pattern, f"{pattern_path}[{i}]")
    for key in COMPONENT_LISTS:
        if key not in value:
            continue
        list_path = _at(path, key)
        if interaction_type is None:
            raise XapiValidationError(_at(path, "interactionType"), f"is required with {key}")
        if key not in INTERACTION_TYPES[interaction_type]:
            raise XapiValidationError(
                list_path, f"is not allowed for interactionType {interaction_type!r}"
            )
        seen: set[str] = set()
        for i, component in enumerate(_array(value[key], list_path)):
            component_path = f"{list_path}[{i}]"
            _object(component, component_path, COMPONENT_KEYS, "an interaction component")
            if "id" not in component:
                raise XapiValidationError(_at(component_path, "id"), "is required")
            component_id = _string(component["id"], _at(component_path, "id"))
            if not component_id:
                raise XapiValidationError(_at(component_path, "id"), "must not be empty")
            if component_id in seen:
                raise XapiValidationError(
                    _at(component_path, "id"),
                    f"{component_id!r} is used twice in {key}; ids must be distinct",
                )
            seen.add(component_id)
            if "description" in component:
                validate_language_map(component["description"], _at(component_path, "description"))


def _statement_ref(value: Any, path: str) -> None:
    _object(value, path, STATEMENT_REF_KEYS, "a StatementRef")
    if value.get("objectType") != "StatementRef":
        raise XapiValidationError(_at(path, "objectType"), 'must be "StatementRef"')
    if "id" not in value:
        raise XapiValidationError(_at(path, "id"), "is required")
    _uuid(value["id"], _at(path, "id"))


def _object_of(value: Any, path: str, version: str, *, in_substatement: bool) -> None:
    if not isinstance(value, dict):
        raise XapiValidationError(path, f"must be a JSON object, not {_type_name(value)}")
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        validate_activity(value, path)
    elif object_type in ("Agent", "Group"):
        validate_agent(value, path, object_type_required=True)
    elif object_type == "StatementRef":
        _statement_ref(value, path)
    elif object_type == "SubStatement":
        if in_substatement:
            raise XapiValidationError(
                _at(path, "objectType"), "a SubStatement must not contain a SubStatement"
            )
        for key in ("id", "stored", "version", "authority"):
            if key in value:
                raise XapiValidationError(_at(path, key), "is not allowed in a SubStatement")
        _object(value, path, SUBSTATEMENT_KEYS, "a SubStatement")
        _statement_body(value, path, version, in_substatement=True)
    else:
        raise XapiValidationError(
            _at(path, "objectType"),
            f"must be one of {', '.join(OBJECT_TYPES)}, not {object_type!r}",
        )


# --- Result and Context (§2.4.5, §2.4.6) ---------------------------------------------------------


def _result(value: Any, path: str) -> None:
    _object(value, path, RESULT_KEYS, "a Result")
    if "score" in value:
        _score(value["score"], _at(path, "score"))
    for key in ("success", "completion"):
        if key in value:
            _boolean(value[key], _at(path, key))
    if "response" in value:
        _string(value["response"], _at(path, "response"))
    if "duration" in value:
        parse_duration(value["duration"], path=_at(path, "duration"))
    if "extensions" in value:
        _extensions(value["extensions"], _at(path, "extensions"))


def _score(value: Any, path: str) -> None:
    _object(value, path, SCORE_KEYS, "a Score")
    numbers = {
        key: _number(value[key], _at(path, key))
        for key in ("scaled", "raw", "min", "max")
        if key in value
    }
    scaled = numbers.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        raise XapiValidationError(_at(path, "scaled"), f"must be between -1 and 1, not {scaled}")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and not low < high:
        raise XapiValidationError(
            _at(path, "min"), f"must be less than max ({low} is not less than {high})"
        )
    if raw is not None and low is not None and raw < low:
        raise XapiValidationError(_at(path, "raw"), f"must not be less than min ({raw} < {low})")
    if raw is not None and high is not None and raw > high:
        raise XapiValidationError(_at(path, "raw"), f"must not be more than max ({raw} > {high})")


def _context(value: Any, path: str, version: str, statement_object: Any) -> None:
    _object(value, path, CONTEXT_KEYS_V2 if version == V2 else CONTEXT_KEYS_V1, "a Context")
    if "registration" in value:
        _uuid(value["registration"], _at(path, "registration"))
    if "instructor" in value:
        validate_agent(value["instructor"], _at(path, "instructor"))
    if "team" in value:
        team = value["team"]
        team_path = _at(path, "team")
        if not isinstance(team, dict) or team.get("objectType") != "Group":
            raise XapiValidationError(
                _at(team_path, "objectType") if isinstance(team, dict) else team_path,
                'must be "Group" (team is a Group)',
            )
        validate_agent(team, team_path)
    if "contextActivities" in value:
        _context_activities(value["contextActivities"], _at(path, "contextActivities"))
    is_activity = (
        isinstance(statement_object, dict)
        and statement_object.get("objectType", "Activity") == "Activity"
    )
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], _at(path, key))
            if not is_activity:
                raise XapiValidationError(
                    _at(path, key), "may only be used when the statement's object is an Activity"
                )
    if "language" in value and not is_language_tag(value["language"]):
        raise XapiValidationError(
            _at(path, "language"), "must be an RFC 5646 language tag (e.g. en-US)"
        )
    if "statement" in value:
        _statement_ref(value["statement"], _at(path, "statement"))
    if "extensions" in value:
        _extensions(value["extensions"], _at(path, "extensions"))
    if "contextAgents" in value:
        _context_agents(value["contextAgents"], _at(path, "contextAgents"), "contextAgent", "agent")
    if "contextGroups" in value:
        _context_agents(value["contextGroups"], _at(path, "contextGroups"), "contextGroup", "group")


def _context_activities(value: Any, path: str) -> None:
    _object(
        value,
        path,
        CONTEXT_ACTIVITY_KEYS,
        "a contextActivities object (parent, grouping, category, other)",
    )
    for key, activities in value.items():
        key_path = _at(path, key)
        if isinstance(activities, dict):
            validate_activity(activities, key_path)
            continue
        for i, activity in enumerate(_array(activities, key_path)):
            validate_activity(activity, f"{key_path}[{i}]")


def _context_agents(value: Any, path: str, object_type: str, key: str) -> None:
    allowed = CONTEXT_AGENT_KEYS if key == "agent" else CONTEXT_GROUP_KEYS
    for i, item in enumerate(_array(value, path)):
        item_path = f"{path}[{i}]"
        _object(item, item_path, allowed, f"a {object_type}")
        if item.get("objectType") != object_type:
            raise XapiValidationError(_at(item_path, "objectType"), f'must be "{object_type}"')
        if key not in item:
            raise XapiValidationError(_at(item_path, key), "is required")
        if key == "agent":
            validate_agent(item[key], _at(item_path, key), allow_group=False)
        else:
            group = item[key]
            if not isinstance(group, dict) or group.get("objectType") != "Group":
                raise XapiValidationError(_at(_at(item_path, key), "objectType"), 'must be "Group"')
            validate_agent(group, _at(item_path, key))
        if "relevantTypes" in item:
            types_path = _at(item_path, "relevantTypes")
            types = _array(item["relevantTypes"], types_path)
            if not types:
                raise XapiValidationError(types_path, "must list at least one IRI")
            for j, iri in enumerate(types):
                _iri(iri, f"{types_path}[{j}]")


# --- Attachments (§2.4.11) -----------------------------------------------------------------------


def _attachments(value: Any, path: str) -> None:
    for i, attachment in enumerate(_array(value, path)):
        item_path = f"{path}[{i}]"
        _object(attachment, item_path, ATTACHMENT_KEYS, "an Attachment")
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                raise XapiValidationError(_at(item_path, key), "is required")
        _iri(attachment["usageType"], _at(item_path, "usageType"))
        validate_language_map(attachment["display"], _at(item_path, "display"))
        if "description" in attachment:
            validate_language_map(attachment["description"], _at(item_path, "description"))
        content_type = _string(attachment["contentType"], _at(item_path, "contentType"))
        if _MEDIA_TYPE.match(content_type) is None:
            raise XapiValidationError(
                _at(item_path, "contentType"), "must be an Internet media type such as image/png"
            )
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise XapiValidationError(
                _at(item_path, "length"), "must be a non-negative integer (octets)"
            )
        sha2 = _string(attachment["sha2"], _at(item_path, "sha2"))
        if len(sha2) not in (56, 64, 96, 128) or not _HEX.issuperset(sha2):
            raise XapiValidationError(
                _at(item_path, "sha2"),
                "must be the hex SHA-2 (224, 256, 384 or 512) of the attachment",
            )
        if "fileUrl" in attachment:
            _irl(attachment["fileUrl"], _at(item_path, "fileUrl"))
        if (
            attachment["usageType"] == SIGNATURE_USAGE
            and content_type.split(";")[0].strip().lower() != "application/octet-stream"
        ):
            raise XapiValidationError(
                _at(item_path, "contentType"),
                "must be application/octet-stream for a signature attachment",
            )


# --- Statements (§2.4) ---------------------------------------------------------------------------


def _statement_body(
    value: dict[str, Any], path: str, version: str, *, in_substatement: bool
) -> None:
    for key in ("actor", "verb", "object"):
        if key not in value:
            raise XapiValidationError(_at(path, key), "is required")
    validate_agent(value["actor"], _at(path, "actor"))
    _verb(value["verb"], _at(path, "verb"))
    _object_of(value["object"], _at(path, "object"), version, in_substatement=in_substatement)
    if "result" in value:
        _result(value["result"], _at(path, "result"))
    if "context" in value:
        _context(value["context"], _at(path, "context"), version, value["object"])
    if "timestamp" in value:
        parse_timestamp(value["timestamp"], path=_at(path, "timestamp"), version=version)
    if "attachments" in value:
        _attachments(value["attachments"], _at(path, "attachments"))
    if value["verb"]["id"] == VOIDED:
        obj = value["object"]
        if obj.get("objectType") != "StatementRef":
            raise XapiValidationError(
                _at(_at(path, "object"), "objectType"),
                "a voiding statement's object must be a StatementRef",
            )


def validate_statement(obj: Any, *, version: str, path: str = "") -> None:
    """Every rule of xAPI-Data.md §2 for a Statement; raises XapiValidationError naming the property.

    ``version`` is the negotiated "1.0.3" or "2.0.0"; ``path`` prefixes every error path (a batch passes
    ``"[3]"`` for its fourth statement).
    """
    if not isinstance(obj, dict):
        raise XapiValidationError(
            path or "statement", f"must be a Statement (a JSON object), not {_type_name(obj)}"
        )
    _object(obj, path, STATEMENT_KEYS, "a Statement")
    if "id" in obj:
        _uuid(obj["id"], _at(path, "id"))
    _statement_body(obj, path, version, in_substatement=False)
    if "stored" in obj:
        parse_timestamp(obj["stored"], path=_at(path, "stored"), version=version)
    if "authority" in obj:
        validate_agent(obj["authority"], _at(path, "authority"))
    if "version" in obj:
        statement_version = obj["version"]
        pattern = _VERSION_2 if version == V2 else _VERSION_1
        if not isinstance(statement_version, str) or pattern.match(statement_version) is None:
            allowed = "1.0.x or 2.0.x" if version == V2 else "1.0.x"
            raise XapiValidationError(
                _at(path, "version"), f"must be {allowed}, not {statement_version!r}"
            )


# --- normalisation -------------------------------------------------------------------------------


def normalize_statement(obj: dict[str, Any], *, version: str) -> dict[str, Any]:
    """The copy of a valid statement to store (does not validate; call validate_statement first).

    contextActivities values become arrays; the actor gets ``objectType`` Agent and the object
    ``objectType`` Activity when absent; UUIDs (id, StatementRef ids, registrations) are lower-cased;
    ``version`` defaults to "1.0.0" (1.0.3) or "2.0.0"; in 2.0.0 ``timestamp`` and ``stored`` are
    rewritten in UTC (``format_timestamp``).

    ``obj`` is never changed. The copy is made where something changes (the statement, its context,
    an actor or object that gets a property); the parts that stay as they were are shared with
    ``obj``, so treat both as read-only (a deep copy of every statement was the largest cost of
    storing a batch).
    """
    data = dict(obj)
    if "id" in data:
        data["id"] = data["id"].lower()
    _normalize_body(data, version)
    if "stored" in data and version == V2:
        data["stored"] = format_timestamp(
            parse_timestamp(data["stored"], path="stored", version=version)
        )
    data.setdefault("version", "2.0.0" if version == V2 else "1.0.0")
    return data


def _normalize_body(data: dict[str, Any], version: str) -> None:
    """Normalise a statement or SubStatement ``data`` (itself already a copy) in place, copying the
    nested objects it changes."""
    actor = data.get("actor")
    if isinstance(actor, dict) and "objectType" not in actor:
        data["actor"] = {**actor, "objectType": "Agent"}
    obj = data.get("object")
    if isinstance(obj, dict):
        if "objectType" not in obj:
            obj = data["object"] = {**obj, "objectType": "Activity"}
        object_type = obj["objectType"]
        if object_type == "StatementRef" and isinstance(obj.get("id"), str):
            lowered = obj["id"].lower()
            if lowered != obj["id"]:
                data["object"] = {**obj, "id": lowered}
        elif object_type == "SubStatement":
            obj = data["object"] = dict(obj)
            _normalize_body(obj, version)
    context = data.get("context")
    if isinstance(context, dict):
        context = data["context"] = dict(context)
        if isinstance(context.get("registration"), str):
            context["registration"] = context["registration"].lower()
        ref = context.get("statement")
        if isinstance(ref, dict) and isinstance(ref.get("id"), str):
            context["statement"] = {**ref, "id": ref["id"].lower()}
        activities = context.get("contextActivities")
        if isinstance(activities, dict) and any(isinstance(v, dict) for v in activities.values()):
            context["contextActivities"] = {
                key: [value] if isinstance(value, dict) else value
                for key, value in activities.items()
            }
    if "timestamp" in data and version == V2:
        data["timestamp"] = format_timestamp(
            parse_timestamp(data["timestamp"], path="timestamp", version=version)
        )
