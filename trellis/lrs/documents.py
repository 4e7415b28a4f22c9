"""Document resources (State, Activity Profile, Agent Profile), canonical Activity definitions and the
Person object of the Agents resource: services and selectors (xAPI 1.0.3 Communication §2.2 to 2.7, §3.1).

Views parse the request into a ``DocumentKey`` (``document_key_from_params``), then call one service.
Every write runs in one transaction that locks the document's row (``select_for_update``) and re-checks
its ETag in the UPDATE itself, so two writers holding the same ETag cannot both succeed, on SQLite
(IMMEDIATE transactions) and PostgreSQL alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from trellis.core.bulk import rows_where_in
from trellis.lrs.models import ActivityDefinition, Document
from trellis.lrs.xapi.agents import agent_ifi
from trellis.lrs.xapi.errors import XapiError, XapiValidationError

V2 = "2.0.0"
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_TZ_SUFFIX = re.compile(r"(Z|[+\-]\d{2}:?\d{2})$", re.IGNORECASE)

# --------------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------------

#: kind -> (required identifying params, name of the document id param)
KIND_PARAMS: dict[str, tuple[tuple[str, ...], str]] = {
    Document.Kind.STATE: (("activityId", "agent"), "stateId"),
    Document.Kind.ACTIVITY_PROFILE: (("activityId",), "profileId"),
    Document.Kind.AGENT_PROFILE: (("agent",), "profileId"),
}


@dataclass(frozen=True)
class DocumentKey:
    """Which document(s) a request addresses. ``document_id`` is None for the multiple-document form."""

    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str = ""
    document_id: str | None = None
    #: for State: whether ``registration`` was given (a multiple GET/DELETE without it spans all)
    has_registration: bool = False

    def lookup(self) -> dict[str, Any]:
        assert self.document_id is not None
        return {
            "kind": self.kind,
            "activity_id": self.activity_id,
            "agent_ifi": self.agent_ifi,
            "registration": self.registration,
            "document_id": self.document_id,
        }

    def scope_filter(self) -> dict[str, Any]:
        """The filter for every document of this context (the multiple-document forms)."""
        lookup: dict[str, Any] = {
            "kind": self.kind,
            "activity_id": self.activity_id,
            "agent_ifi": self.agent_ifi,
        }
        if self.has_registration:
            lookup["registration"] = self.registration
        return lookup


def parse_iri(value: str, *, path: str) -> str:
    if not _IRI_SCHEME.match(value):
        raise XapiValidationError(path, f"must be an absolute IRI (got {value!r})")
    return value


def parse_uuid(value: str, *, path: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise XapiValidationError(path, f"must be a UUID (got {value!r})") from None


def parse_since(value: str, *, path: str = "since", version: str) -> datetime:
    """An ISO 8601 timestamp; in xAPI 2.0 an RFC 3339 one (with its time zone). Returned in UTC."""
    text = value.strip()
    if version == V2 and not _TZ_SUFFIX.search(text):
        raise XapiValidationError(path, "must be an RFC 3339 timestamp with a time zone")
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
    except (ValueError, IndexError):
        raise XapiValidationError(path, f"must be an ISO 8601 timestamp (got {value!r})") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_agent_param(value: str, *, path: str = "agent") -> tuple[dict[str, Any], str]:
    """The ``agent`` parameter: an Agent object in JSON (not a Group, not a Person). Returns it and its IFI."""
    try:
        agent = json.loads(value)
    except json.JSONDecodeError as exc:
        raise XapiValidationError(path, f"must be an Agent object in JSON ({exc})") from None
    if not isinstance(agent, dict):
        raise XapiValidationError(path, "must be an Agent object in JSON")
    object_type = agent.get("objectType", "Agent")
    if object_type != "Agent":
        raise XapiValidationError(
            f"{path}.objectType", f"must be 'Agent' (got {object_type!r}); Groups are not allowed"
        )
    if "name" in agent and not isinstance(agent["name"], str):
        raise XapiValidationError(f"{path}.name", "must be a string")
    unknown = sorted(
        set(agent) - {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
    )
    if unknown:
        raise XapiValidationError(path, f"has properties an Agent does not: {', '.join(unknown)}")
    return agent, agent_ifi(agent, path=path)


def check_params(params: dict[str, str], allowed: set[str]) -> None:
    """xAPI 1.0.3 Communication §3.2: unknown parameters (or known ones in another case) are a 400."""
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise XapiValidationError(
            unknown[0],
            f"is not a parameter of this resource (allowed: {', '.join(sorted(allowed))})",
        )


def required_param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise XapiValidationError(name, "is required")
    return value


def document_key_from_params(
    kind: str, params: dict[str, str], *, method: str, version: str
) -> tuple[DocumentKey, datetime | None]:
    """Validate a document request's parameters; returns its key and ``since`` (multiple GET only)."""
    identifying, id_param = KIND_PARAMS[kind]
    allowed = {*identifying, id_param}
    if kind == Document.Kind.STATE:
        allowed.add("registration")
    if method == "GET":
        allowed.add("since")
    check_params(params, allowed)
    activity_id = ""
    ifi = ""
    if "activityId" in identifying:
        activity_id = parse_iri(required_param(params, "activityId"), path="activityId")
    if "agent" in identifying:
        _agent, ifi = parse_agent_param(required_param(params, "agent"))
    registration = ""
    if "registration" in params:
        registration = parse_uuid(params["registration"], path="registration")
    document_id = params.get(id_param)
    if document_id is not None and document_id == "":
        raise XapiValidationError(id_param, "must not be empty")
    multiple_allowed = method == "GET" or (method == "DELETE" and kind == Document.Kind.STATE)
    if document_id is None and not multiple_allowed:
        raise XapiValidationError(id_param, "is required")
    since = None
    if "since" in params:
        if document_id is not None:
            raise XapiValidationError("since", f"applies only to a GET without {id_param}")
        since = parse_since(params["since"], version=version)
    key = DocumentKey(
        kind=kind,
        activity_id=activity_id,
        agent_ifi=ifi,
        registration=registration,
        document_id=document_id,
        has_registration="registration" in params,
    )
    return key, since


# --------------------------------------------------------------------------------------------------
# ETags and preconditions (xAPI 1.0.3 Communication §3.1, RFC 2616 §14.24 and §14.26)
# --------------------------------------------------------------------------------------------------


def etag_of(content: bytes) -> str:
    """The lower-case hex SHA-1 of ``content`` (unquoted)."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _etag_list(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.append(tag.strip('"').lower())
    return [t for t in tags if t]


@dataclass(frozen=True)
class Preconditions:
    """The ``If-Match`` / ``If-None-Match`` headers of a write, as sent (None when absent)."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    def check(self, current_etag: str | None) -> None:
        """412 unless the preconditions hold for the document whose ETag is ``current_etag`` (None: absent)."""
        if self.if_match is not None:
            tags = _etag_list(self.if_match)
            if current_etag is None:
                raise XapiError(
                    "If-Match: the document does not exist, so no ETag can match.", status=412
                )
            if "*" not in tags and current_etag not in tags:
                raise XapiError(
                    f'If-Match: the document has changed; its current ETag is "{current_etag}".',
                    status=412,
                )
        if self.if_none_match is not None and current_etag is not None:
            tags = _etag_list(self.if_none_match)
            if "*" in tags:
                raise XapiError(
                    "If-None-Match: *: the document already exists; fetch it and send If-Match "
                    "with its ETag to change it.",
                    status=412,
                )
            if current_etag in tags:
                raise XapiError(
                    f'If-None-Match: the document\'s ETag is "{current_etag}".', status=412
                )


# --------------------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------------------


def document_get(*, key: DocumentKey) -> Document | None:
    return Document.objects.filter(**key.lookup()).first()


def document_ids(
    *, key: DocumentKey, since: datetime | None = None
) -> tuple[list[str], datetime | None]:
    """The ids of every document in the key's context (optionally updated after ``since``, exclusive),
    and when the most recently updated of them was updated."""
    rows = Document.objects.filter(**key.scope_filter())
    if since is not None:
        rows = rows.filter(updated__gt=since)
    ids: list[str] = []
    seen: set[str] = set()
    last: datetime | None = None
    for document_id, updated in rows.order_by("document_id").values_list("document_id", "updated"):
        if document_id not in seen:
            seen.add(document_id)
            ids.append(document_id)
        if last is None or updated > last:
            last = updated
    return ids, last


# --------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------


def _json_object(content: bytes, *, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        value = None
    if not isinstance(value, dict):
        raise XapiError(f"{what} is not a JSON object, so the documents cannot be merged.")
    return value


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _write(
    *,
    key: DocumentKey,
    preconditions: Preconditions,
    build: Any,
    conflict_without_headers: bool,
) -> Document:
    """Lock the document, check the preconditions, and store what ``build(existing)`` returns
    (``(content_type, content)``). Retries once if a concurrent writer created the row first."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = Document.objects.select_for_update().filter(**key.lookup()).first()
                preconditions.check(existing.etag if existing else None)
                if existing is not None and conflict_without_headers and not preconditions.given:
                    raise XapiError(
                        "This profile document already exists. Check its current state (GET) and "
                        "send If-Match with its ETag to change it.",
                        status=409,
                    )
                content_type, content = build(existing)
                etag = etag_of(content)
                now = timezone.now()
                if existing is None:
                    return Document.objects.create(
                        **key.lookup(),
                        content_type=content_type,
                        content=content,
                        etag=etag,
                        updated=now,
                    )
                changed = Document.objects.filter(pk=existing.pk, etag=existing.etag).update(
                    content_type=content_type, content=content, etag=etag, updated=now
                )
                if changed != 1:
                    raise XapiError("The document changed during this request.", status=412)
                existing.content_type, existing.content = content_type, content
                existing.etag, existing.updated = etag, now
                return existing
        except IntegrityError:
            # Another writer created the same document between our SELECT and INSERT: decide again
            # against the row it stored.
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def document_put(
    *,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> Document:
    """Store (create or replace) one document. Profile documents that exist need If-Match or
    If-None-Match (409 otherwise); State documents do not."""
    return _write(
        key=key,
        preconditions=preconditions,
        build=lambda existing: (content_type or "application/octet-stream", content),
        conflict_without_headers=key.kind != Document.Kind.STATE,
    )


@transaction.atomic
def document_post(
    *,
    key: DocumentKey,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> Document:
    """Create a document, or merge a posted JSON object into an existing JSON object (top-level keys of
    the posted object win). Anything else that exists is a 400 and is left unchanged."""
    posted = _json_object(content, what="The posted document") if _is_json(content_type) else None

    def build(existing: Document | None) -> tuple[str, bytes]:
        if existing is None:
            return content_type or "application/octet-stream", content
        if posted is None:
            raise XapiError(
                "Content-Type: a POST to an existing document merges JSON objects, so it must be "
                f"application/json (got {content_type or 'none'!r})."
            )
        if not _is_json(existing.content_type):
            raise XapiError(
                "The stored document is not application/json "
                f"({existing.content_type}), so it cannot be merged; replace it with PUT."
            )
        merged = _json_object(bytes(existing.content), what="The stored document")
        merged.update(posted)
        return "application/json", json.dumps(merged, ensure_ascii=False).encode("utf-8")

    return _write(key=key, preconditions=preconditions, build=build, conflict_without_headers=False)


@transaction.atomic
def document_delete(*, key: DocumentKey, preconditions: Preconditions) -> bool:
    """Delete one document (True if it existed). Deleting a missing document is not an error unless a
    precondition names it."""
    existing = Document.objects.select_for_update().filter(**key.lookup()).first()
    preconditions.check(existing.etag if existing else None)
    if existing is None:
        return False
    deleted, _ = Document.objects.filter(pk=existing.pk, etag=existing.etag).delete()
    if not deleted:
        raise XapiError("The document changed during this request.", status=412)
    return True


@transaction.atomic
def documents_delete(*, key: DocumentKey) -> int:
    """Delete every State document of a context (Activity + Agent [+ registration]); returns how many."""
    if key.kind != Document.Kind.STATE:
        raise XapiError("Only State documents can be deleted all at once.")
    deleted, _ = Document.objects.filter(**key.scope_filter()).delete()
    return deleted


# --------------------------------------------------------------------------------------------------
# Activities: canonical definitions merged from statements (xAPI 1.0.3 Data §2.4.4.1)
# --------------------------------------------------------------------------------------------------

_LANGUAGE_MAPS = ("name", "description")
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def _merge_components(old: Any, new: Any) -> Any:
    """Interaction components: by ``id``; a newer description updates per language, new ids are added."""
    if not isinstance(old, list) or not isinstance(new, list):
        return new
    by_id = {c.get("id"): dict(c) for c in old if isinstance(c, dict)}
    order = [c.get("id") for c in old if isinstance(c, dict)]
    for component in new:
        if not isinstance(component, dict):
            continue
        cid = component.get("id")
        if cid in by_id:
            merged = by_id[cid]
            if isinstance(merged.get("description"), dict) and isinstance(
                component.get("description"), dict
            ):
                merged["description"] = {**merged["description"], **component["description"]}
            elif "description" in component:
                merged["description"] = component["description"]
        else:
            by_id[cid] = dict(component)
            order.append(cid)
    return [by_id[cid] for cid in order]


def activity_definition_merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The canonical definition after a newer one arrives: language maps and extensions are merged per
    key (the newer value wins), interaction components per id, any other property is replaced."""
    merged = dict(old)
    for prop, value in new.items():
        if prop in _LANGUAGE_MAPS or prop == "extensions":
            if isinstance(merged.get(prop), dict) and isinstance(value, dict):
                merged[prop] = {**merged[prop], **value}
            else:
                merged[prop] = value
        elif prop in _COMPONENT_LISTS:
            merged[prop] = _merge_components(merged.get(prop), value)
        else:
            merged[prop] = value
    return merged


def _incoming_definitions(activities: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """activity id → the definitions of the batch merged in order (later ones are newer)."""
    incoming: dict[str, dict[str, Any]] = {}
    for activity in activities:
        activity_id = activity.get("id")
        definition = activity.get("definition")
        if not isinstance(activity_id, str) or not isinstance(definition, dict) or not definition:
            continue
        previous = incoming.get(activity_id)
        incoming[activity_id] = (
            activity_definition_merge(previous, definition) if previous else dict(definition)
        )
    return incoming


@functools.lru_cache(maxsize=20_000)
def _decoded(text: str) -> Any:
    """The JSON ``text`` decoded; shared between callers, so never changed in place."""
    return json.loads(text)


def activity_definitions_plan(
    activities: list[dict[str, Any]], *, can_define: bool
) -> list[dict[str, Any]]:
    """The Activity objects of a batch whose definitions would change what is stored: the ones not
    known yet and, with ``can_define``, the ones whose merge gives a new definition. Reads without
    a lock, before the write transaction; ``activity_definitions_merge`` then writes these (and
    checks again under the lock). Most batches repeat known definitions: then nothing is written."""
    incoming = _incoming_definitions(activities)
    if not incoming:
        return []
    # Plain SQL: the same definitions come back batch after batch, and their JSON text is decoded
    # once (``_decoded``) instead of by the ORM on every read.
    stored = {
        activity_id: _decoded(value) if isinstance(value, str) else value
        for activity_id, value in rows_where_in(
            ActivityDefinition, "activity_id", list(incoming), ["definition"]
        )
    }
    plan = []
    for activity_id, definition in incoming.items():
        if activity_id not in stored or (
            can_define
            and activity_definition_merge(stored[activity_id], definition) != stored[activity_id]
        ):
            plan.append({"id": activity_id, "definition": definition})
    return plan


@transaction.atomic
def activity_definitions_merge(activities: list[dict[str, Any]], *, can_define: bool) -> None:
    """Record the definitions of the (already validated) Activity objects of a batch of statements,
    in order: later ones are newer.

    The first definition of an Activity is always recorded. Changing an existing canonical definition
    needs the authority to define (``can_define``: the client has the ``define`` or ``all`` scope);
    without it the canonical definition is kept as it is.
    """
    incoming = _incoming_definitions(activities)
    if not incoming:
        return
    existing = {
        row.activity_id: row
        for row in ActivityDefinition.objects.select_for_update()
        .filter(activity_id__in=list(incoming))
        .order_by("pk")
    }
    now = timezone.now()
    changed: list[ActivityDefinition] = []
    created: list[ActivityDefinition] = []
    for activity_id, definition in incoming.items():
        row = existing.get(activity_id)
        if row is None:
            created.append(
                ActivityDefinition(activity_id=activity_id, definition=definition, updated=now)
            )
        elif can_define:
            merged = activity_definition_merge(row.definition, definition)
            if merged != row.definition:
                row.definition, row.updated = merged, now
                changed.append(row)
    if changed:
        ActivityDefinition.objects.bulk_update(changed, ["definition", "updated"])
    if created:
        # A concurrent batch may have created the same Activity: its definition stands.
        ActivityDefinition.objects.bulk_create(created, ignore_conflicts=True)


def activity_object(*, activity_id: str) -> tuple[dict[str, Any], datetime | None]:
    """The Activity object with its canonical definition (just the id if none is known yet)."""
    row = ActivityDefinition.objects.filter(activity_id=activity_id).first()
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if row is None:
        return activity, None
    if row.definition:
        activity["definition"] = row.definition
    return activity, row.updated


# --------------------------------------------------------------------------------------------------
# Agents: the Person object (xAPI 1.0.3 Communication §2.4)
# --------------------------------------------------------------------------------------------------


def person_object(*, agent: dict[str, Any]) -> dict[str, Any]:
    """What Trellis knows about ``agent`` (a validated Agent) as a Person object: its identifier, and
    its name, plus the name of the Trellis employee whose email is its mbox."""
    from trellis.people.models import Employee

    names: list[str] = []
    mbox = agent.get("mbox")
    if isinstance(mbox, str) and mbox.lower().startswith("mailto:"):
        employee = (
            Employee.objects.filter(email__iexact=mbox[len("mailto:") :]).only("full_name").first()
        )
        if employee is not None and employee.full_name:
            names.append(employee.full_name)
    if isinstance(agent.get("name"), str) and agent["name"] and agent["name"] not in names:
        names.append(agent["name"])
    person: dict[str, Any] = {"objectType": "Person"}
    if names:
        person["name"] = names
    for prop in ("mbox", "mbox_sha1sum", "openid", "account"):
        if prop in agent:
            person[prop] = [agent[prop]]
    return person
