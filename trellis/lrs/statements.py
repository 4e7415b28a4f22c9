"""Statement storage and queries (the Statement resource's services and selectors).

``statements_store`` is the one way statements enter the LRS (the xAPI endpoint and Trellis's own
events). ``statement_get`` and ``statements_query`` are the selectors of GET /xapi/statements.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from trellis.core.bulk import (
    concrete_field,
    insert_rows,
    insert_rows_many,
    prepare_rows,
    rows_where_in,
)
from trellis.core.db import sqlite_writer
from trellis.lrs.auth import Credential
from trellis.lrs.documents import activity_definitions_merge, activity_definitions_plan
from trellis.lrs.models import (
    AttachmentContent,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementRefTarget,
)
from trellis.lrs.projection import project_statements_later
from trellis.lrs.signatures import SIGNATURE_USAGE, verify_signature
from trellis.lrs.writelock import sqlite_process_writer
from trellis.lrs.xapi.agents import agent_ifi
from trellis.lrs.xapi.compare import statements_equivalent
from trellis.lrs.xapi.errors import XapiError, XapiValidationError
from trellis.lrs.xapi.timefmt import format_timestamp, parse_timestamp
from trellis.lrs.xapi.validation import normalize_statement, validate_statement

V1 = "1.0.3"
V2 = "2.0.0"
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
MAX_LIMIT = 500
HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}

STATEMENT_COLUMNS = [
    "statement_id",
    "data",
    "version",
    "actor_ifi",
    "verb_id",
    "object_type",
    "object_activity_id",
    "object_agent_ifi",
    "object_statement_ref",
    "registration",
    "timestamp",
    "stored",
    "is_voided",
    "authority_ifi",
    "client",
    "has_attachments",
]
Relation = StatementAgent.Relation
ActivityRelation = StatementActivity.Relation


# --- storing ------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """One incoming statement, validated and completed, with what its index rows need."""

    index: int
    data: dict[str, Any]
    received: dict[
        str, Any
    ]  # as sent (normalized), before the LRS set id/stored/timestamp/authority
    statement_id: uuid.UUID
    actor_ifi: str = ""
    agents: set[tuple[str, str]] = field(default_factory=set)
    activities: set[tuple[str, str]] = field(default_factory=set)
    ref_target: uuid.UUID | None = None
    voids: uuid.UUID | None = None
    attachment_hashes: set[str] = field(default_factory=set)


def _path(index: int, single: bool, rest: str) -> str:
    prefix = "" if single else f"[{index}]"
    return f"{prefix}.{rest}" if prefix and rest else (prefix or rest)


def _identified(agent: Any) -> str | None:
    """The IFI of an Agent or identified Group; None for an anonymous Group."""
    if not isinstance(agent, dict):
        return None
    try:
        return agent_ifi(agent)
    except XapiValidationError:
        return None


def _agent_ifis(agent: Any) -> list[str]:
    """The IFIs an agent or group stands for: its own and, for a Group, its members'."""
    if not isinstance(agent, dict):
        return []
    ifis = []
    own = _identified(agent)
    if own:
        ifis.append(own)
    if agent.get("objectType") == "Group":
        ifis.extend(ifi for member in agent.get("member") or [] if (ifi := _identified(member)))
    return ifis


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _context_index(
    context: Any, agents: set[tuple[str, str]], activities: set[tuple[str, str]]
) -> None:
    if not isinstance(context, dict):
        return
    for key in ("instructor", "team"):
        agents.update((ifi, Relation.RELATED) for ifi in _agent_ifis(context.get(key)))
    for item in context.get("contextAgents") or []:
        if isinstance(item, dict):
            agents.update((ifi, Relation.RELATED) for ifi in _agent_ifis(item.get("agent")))
    for item in context.get("contextGroups") or []:
        if isinstance(item, dict):
            agents.update((ifi, Relation.RELATED) for ifi in _agent_ifis(item.get("group")))
    context_activities = context.get("contextActivities")
    if isinstance(context_activities, dict):
        for key in ("parent", "grouping", "category", "other"):
            for activity in _as_list(context_activities.get(key)):
                if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                    activities.add((activity["id"], ActivityRelation.RELATED))


def _index(prepared: _Prepared, authority_ifis: list[str]) -> None:
    """Fill the agent and activity index rows of one statement (including its SubStatement) and its
    actor's IFI. ``authority_ifis`` are ``_agent_ifis`` of its authority (the same for a batch)."""
    data, agents, activities = prepared.data, prepared.agents, prepared.activities
    actor = data.get("actor")
    own = _identified(actor)
    if own:
        prepared.actor_ifi = own
        agents.add((own, Relation.ACTOR))
    if isinstance(actor, dict) and actor.get("objectType") == "Group":
        agents.update(
            (ifi, Relation.ACTOR)
            for member in actor.get("member") or []
            if (ifi := _identified(member))
        )
    obj = data.get("object") or {}
    object_type = obj.get("objectType", "Activity")
    if object_type in ("Agent", "Group"):
        agents.update((ifi, Relation.OBJECT) for ifi in _agent_ifis(obj))
    elif object_type == "SubStatement":
        agents.update((ifi, Relation.RELATED) for ifi in _agent_ifis(obj.get("actor")))
        sub_object = obj.get("object") or {}
        sub_type = sub_object.get("objectType", "Activity")
        if sub_type in ("Agent", "Group"):
            agents.update((ifi, Relation.RELATED) for ifi in _agent_ifis(sub_object))
        elif sub_type == "Activity":
            activities.add((sub_object.get("id", ""), ActivityRelation.RELATED))
        _context_index(obj.get("context"), agents, activities)
    if "context" in data:
        _context_index(data["context"], agents, activities)
    agents.update((ifi, Relation.RELATED) for ifi in authority_ifis)


def _attachments_of(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, attachment) for the statement's attachments and its SubStatement's."""
    obj = data.get("object")
    if "attachments" not in data and not (
        isinstance(obj, dict) and obj.get("objectType") == "SubStatement"
    ):
        return []
    found = [(f"attachments[{i}]", a) for i, a in enumerate(data.get("attachments") or [])]
    obj = data.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        found += [
            (f"object.attachments[{i}]", a) for i, a in enumerate(obj.get("attachments") or [])
        ]
    return [(path, a) for path, a in found if isinstance(a, dict)]


def _check_payloads(attachments: dict[str, tuple[str, bytes]]) -> dict[str, tuple[str, bytes]]:
    """The attachment payloads keyed by lower-case SHA-2, each checked against its declared hash."""
    checked: dict[str, tuple[str, bytes]] = {}
    for declared, (content_type, content) in attachments.items():
        sha2 = declared.strip().lower()
        algorithm = HASHES.get(len(sha2))
        if algorithm is None:
            raise XapiError(
                f"X-Experience-API-Hash: {declared!r} is not a SHA-224/256/384/512 hex digest."
            )
        if algorithm(content).hexdigest() != sha2:
            raise XapiError(
                f"X-Experience-API-Hash: {declared} does not match the SHA-2 of the part's content."
            )
        checked[sha2] = (content_type, content)
    return checked


def _authority_ifi(authority: dict[str, Any]) -> str:
    ifis = _agent_ifis(authority)
    return ifis[0] if ifis else ""


def _prepare(
    statements: list[Any],
    *,
    version: str,
    authority: dict[str, Any],
    payloads: dict[str, tuple[str, bytes]],
    single: bool,
    stored: str,
) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    seen: dict[uuid.UUID, int] = {}
    used_hashes: set[str] = set()
    default_version = "1.0.0" if version == V1 else "2.0.0"
    authority_ifis = _agent_ifis(authority)
    for index, raw in enumerate(statements):
        validate_statement(raw, version=version, path="" if single else f"[{index}]")
    for index, raw in enumerate(statements):
        data = normalize_statement(raw, version=version)
        if "id" in data:
            try:
                statement_id = uuid.UUID(str(data["id"]))
            except ValueError:
                raise XapiValidationError(_path(index, single, "id"), "must be a UUID") from None
        else:
            statement_id = uuid.uuid4()
        if statement_id in seen:
            raise XapiValidationError(
                _path(index, single, "id"),
                f"{statement_id} is also the id of statement [{seen[statement_id]}] in this batch",
            )
        seen[statement_id] = index
        received = dict(data)
        data["id"] = str(statement_id)
        data["stored"] = stored
        data.setdefault("timestamp", stored)
        data["authority"] = authority
        data.setdefault("version", default_version)
        item = _Prepared(index=index, data=data, received=received, statement_id=statement_id)
        obj = data.get("object") or {}
        if obj.get("objectType") == "StatementRef":
            try:
                item.ref_target = uuid.UUID(str(obj.get("id")))
            except ValueError:
                raise XapiValidationError(
                    _path(index, single, "object.id"), "must be a UUID"
                ) from None
        if (data.get("verb") or {}).get("id") == VOIDED_VERB:
            if item.ref_target is None:
                raise XapiValidationError(
                    _path(index, single, "object"),
                    "a voiding statement's object must be a StatementRef to the statement it voids",
                )
            item.voids = item.ref_target
        for path, attachment in _attachments_of(data):
            sha2 = str(attachment.get("sha2", "")).lower()
            full_path = _path(index, single, path)
            if sha2 in payloads:
                item.attachment_hashes.add(sha2)
                used_hashes.add(sha2)
            elif "fileUrl" not in attachment:
                raise XapiValidationError(
                    f"{full_path}.sha2",
                    f"no attachment part with X-Experience-API-Hash {sha2} was sent, and the "
                    "attachment has no fileUrl",
                )
            if attachment.get("usageType") == SIGNATURE_USAGE and sha2 in payloads:
                verify_signature(raw, payloads[sha2][1], path=full_path)
        _index(item, authority_ifis)
        prepared.append(item)
    unused = sorted(set(payloads) - used_hashes)
    if unused:
        raise XapiError(
            f"X-Experience-API-Hash: the parts {', '.join(unused)} match no attachment of the statements."
        )
    _check_voiding_within_batch(prepared, single=single)
    return prepared


def _check_voiding_within_batch(prepared: list[_Prepared], *, single: bool) -> None:
    voiding = {item.statement_id for item in prepared if item.voids}
    for item in prepared:
        if item.voids in voiding:
            raise XapiValidationError(
                _path(item.index, single, "object.id"),
                "a voiding statement cannot be voided",
            )


def _ref_closures(prepared: list[_Prepared]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """For each new StatementRef statement: every statement it targets, directly or by a chain."""
    direct = {item.statement_id: item.ref_target for item in prepared if item.ref_target}
    if not direct:
        return {}
    outside = set(direct.values()) - set(direct)
    stored_closure: dict[uuid.UUID, set[uuid.UUID]] = {}
    for source, target in StatementRefTarget.objects.filter(
        statement__statement_id__in=outside
    ).values_list("statement__statement_id", "target_uuid"):
        stored_closure.setdefault(source, set()).add(target)

    def closure(start: uuid.UUID) -> set[uuid.UUID]:
        result: set[uuid.UUID] = set()
        current: uuid.UUID | None = start
        while current is not None and current in direct:
            target = direct[current]
            if target in result:
                break
            result.add(target)
            if target not in direct:
                result |= stored_closure.get(target, set())
            current = target
        return result

    return {source: closure(source) for source in direct}


def _existing(prepared: list[_Prepared], *, single: bool) -> set[uuid.UUID]:
    """The ids of the batch already stored with the same content (accepted, not stored twice).
    Raises 409 when one is stored with different content (statements are immutable)."""
    by_id = {item.statement_id: item for item in prepared}
    data_field = Statement._meta.get_field("data")
    connection = connections[router.db_for_write(Statement)]
    existing: set[uuid.UUID] = set()
    for statement_id, data in _statements_where_in("statement_id", list(by_id), ["data"]):
        # the ORM passes the column's expression; the JSON decoding does not use it
        stored_data = data_field.from_db_value(data, None, connection)  # type: ignore[arg-type]
        item = by_id[statement_id]
        if not statements_equivalent(stored_data, item.received):
            raise XapiError(
                f"{_path(item.index, single, 'id')}: a different statement with the id "
                f"{statement_id} is already stored (statements are immutable).",
                status=409,
            )
        existing.add(statement_id)
    return existing


def _statement_rows(
    new: list[_Prepared],
    *,
    version: str,
    credential: Credential | None,
    stored_at: datetime,
    single: bool,
) -> list[Any]:
    """The Statement rows of the new statements, in database form (JSON encoded), before any lock is
    taken. ``is_voided`` is False here; ``_insert`` sets it for a statement already voided."""
    client_pk = credential.client.pk if credential else None
    authority_ifi = _authority_ifi(new[0].data["authority"]) if new else ""
    rows = []
    for item in new:
        data = item.data
        obj = data.get("object") or {}
        object_type = obj.get("objectType", "Activity")
        registration = (data.get("context") or {}).get("registration")
        try:
            registration_uuid = uuid.UUID(registration) if registration else None
        except (ValueError, TypeError, AttributeError):
            raise XapiValidationError(
                _path(item.index, single, "context.registration"), "must be a UUID"
            ) from None
        timestamp = parse_timestamp(
            data["timestamp"], path=_path(item.index, single, "timestamp"), version=version
        )
        rows.append(
            (
                item.statement_id,
                data,
                data["version"],
                item.actor_ifi,
                (data.get("verb") or {}).get("id", ""),
                object_type,
                obj.get("id", "") if object_type == "Activity" else "",
                (_identified(obj) or "") if object_type in ("Agent", "Group") else "",
                item.ref_target,
                registration_uuid,
                timestamp,
                stored_at,
                False,
                authority_ifi,
                client_pk,
                bool(item.attachment_hashes),
            )
        )
    return prepare_rows(Statement, STATEMENT_COLUMNS, rows)


IS_VOIDED = STATEMENT_COLUMNS.index("is_voided")


def _insert(
    new: list[_Prepared],
    rows: list[Any],
    *,
    payloads: dict[str, tuple[str, bytes]],
    single: bool,
) -> list[int]:
    """Insert the new statements (rows from ``_statement_rows``) and their index rows inside the
    caller's transaction; returns their primary keys in order."""
    if not new:
        return []
    new_ids = [item.statement_id for item in new]
    targets = {item.voids for item in new if item.voids}
    if targets:
        voiding_targets = list(
            Statement.objects.filter(statement_id__in=targets, verb_id=VOIDED_VERB).values_list(
                "statement_id", flat=True
            )
        )
        if voiding_targets:
            item = next(i for i in new if i.voids == voiding_targets[0])
            raise XapiValidationError(
                _path(item.index, single, "object.id"),
                f"{item.voids} is a voiding statement, and a voiding statement cannot be voided",
            )
    # A statement whose voiding statement arrived first is stored voided (a voiding statement itself
    # never is). Read inside the transaction: the voiding statement may be committing right now.
    already_voided = {
        ref
        for ref, _verb in _statements_where_in(
            "object_statement_ref", new_ids, ["verb_id"], verb_id=VOIDED_VERB
        )
    } | targets
    if already_voided:
        rows = list(rows)
        for position, item in enumerate(new):
            if item.statement_id in already_voided and item.voids is None:
                rows[position] = [
                    *rows[position][:IS_VOIDED],
                    True,
                    *rows[position][IS_VOIDED + 1 :],
                ]

    uuid_field = concrete_field(Statement, "statement_id")
    pk_of = {
        uuid_field.to_python(statement_id): pk
        for pk, statement_id in insert_rows_many(
            Statement, STATEMENT_COLUMNS, rows, returning=["id", "statement_id"], prepared=True
        )
    }
    stored_at = rows[0][STATEMENT_COLUMNS.index("stored")]  # already in database form
    insert_rows(
        StatementAgent,
        ["statement", "agent_ifi", "relation", "stored"],
        [
            (pk_of[item.statement_id], ifi, relation, stored_at)
            for item in new
            for ifi, relation in item.agents
        ],
        prepared=True,
    )
    insert_rows(
        StatementActivity,
        ["statement", "activity_id", "relation", "stored"],
        [
            (pk_of[item.statement_id], activity_id, relation, stored_at)
            for item in new
            for activity_id, relation in item.activities
        ],
        prepared=True,
    )
    closures = _ref_closures(new)
    ref_rows = [
        (pk_of[source], target) for source, targets_of in closures.items() for target in targets_of
    ]
    # Statements stored earlier whose chain reaches a new StatementRef statement now reach its targets.
    if closures:
        for statement_pk, target in StatementRefTarget.objects.filter(
            target_uuid__in=list(closures)
        ).values_list("statement_id", "target_uuid"):
            ref_rows += [(statement_pk, further) for further in closures[target]]
    insert_rows(StatementRefTarget, ["statement", "target_uuid"], ref_rows, ignore_conflicts=True)

    void_now = [t for t in targets if t not in pk_of]
    if void_now:
        Statement.objects.filter(statement_id__in=void_now, is_voided=False).exclude(
            verb_id=VOIDED_VERB
        ).update(is_voided=True)

    hashes = set().union(*(item.attachment_hashes for item in new))
    if hashes:
        AttachmentContent.objects.bulk_create(
            [
                AttachmentContent(
                    sha2=sha2,
                    content_type=payloads[sha2][0],
                    length=len(payloads[sha2][1]),
                    content=payloads[sha2][1],
                )
                for sha2 in sorted(hashes)
            ],
            ignore_conflicts=True,
        )
    return [pk_of[statement_id] for statement_id in new_ids]


def _statements_where_in(
    column: str, ids: list[uuid.UUID], columns: list[str], *, verb_id: str | None = None
) -> list[tuple[Any, ...]]:
    """(UUID, *columns) of the statements whose UUID ``column`` is one of ``ids`` (and whose verb is
    ``verb_id``, if given); the other columns as the database returns them."""
    key = concrete_field(Statement, column)
    rows = rows_where_in(
        Statement,
        column,
        ids,
        columns,
        equal={"verb_id": verb_id} if verb_id is not None else None,
    )
    return [(key.to_python(row[0]), *row[1:]) for row in rows]


def statements_store(
    statements: list[dict[str, Any]],
    *,
    version: str,
    credential: Credential | None = None,
    authority: dict[str, Any] | None = None,
    attachments: dict[str, tuple[str, bytes]] | None = None,
    project: bool = True,
    single: bool = False,
) -> list[str]:
    """Validate and store a batch atomically (all or nothing); returns the statement ids in order.

    Validation runs before the transaction opens, so concurrent writers hold SQLite's write lock
    only while they insert.

    ``credential`` (an HTTP client) or ``authority`` (Trellis itself) sets the authority. Statements that
    already exist with the same content are accepted (not stored twice); the same id with different
    content raises XapiError(409). Voiding statements mark their targets voided. With ``project``, the
    progress projection is scheduled for the new statements after the transaction commits.
    ``attachments`` maps each attachment part's SHA-2 to (content type, raw bytes). ``single`` names
    properties without the ``[index].`` prefix (a PUT of one statement).
    """
    if not isinstance(statements, list) or not statements:
        raise XapiError("The request holds no statements.")
    if credential is not None:
        authority = credential.authority()
    if authority is None:
        raise ValueError("statements_store needs a credential or an authority")
    now = timezone.now()
    stored_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    payloads = _check_payloads(attachments or {})
    prepared = _prepare(
        statements,
        version=version,
        authority=authority,
        payloads=payloads,
        single=single,
        stored=format_timestamp(stored_at),
    )
    can_define = credential is None or bool(credential.scopes & {"define", "all"})
    for attempt in range(3):
        # Everything that only reads (the immutability check, the definitions to merge) and the
        # encoding of the rows happen before the write transaction, so that concurrent writers hold
        # SQLite's write lock only while they insert.
        existing = _existing(prepared, single=single)
        new = [item for item in prepared if item.statement_id not in existing]
        rows = _statement_rows(
            new, version=version, credential=credential, stored_at=stored_at, single=single
        )
        # The Activities resource's canonical definitions (xAPI 1.0.3 §2.5): a client may redefine
        # an activity only with the define (or all) scope; Trellis itself may.
        definitions = activity_definitions_plan(
            [a for item in new for a in _activity_objects(item.data)], can_define=can_define
        )
        try:
            with sqlite_writer(), sqlite_process_writer(), transaction.atomic():
                pks = _insert(new, rows, payloads=payloads, single=single)
                if definitions:
                    activity_definitions_merge(definitions, can_define=can_define)
                if project and pks:
                    project_statements_later(pks)
            break
        except IntegrityError:
            # Another request stored one of these ids between our check and our insert; check
            # again: the same statement is accepted, a different one is a conflict.
            if attempt == 2:
                raise
    return [str(item.statement_id) for item in prepared]


def _activity_objects(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The Activity objects of a statement, in order: object, context activities, sub-statement's."""
    found: list[dict[str, Any]] = []
    for part in (
        statement,
        statement.get("object")
        if isinstance(statement.get("object"), dict)
        and statement["object"].get("objectType") == "SubStatement"
        else None,
    ):
        if not isinstance(part, dict):
            continue
        obj = part.get("object")
        if isinstance(obj, dict) and obj.get("objectType", "Activity") == "Activity":
            found.append(obj)
        context_activities = (part.get("context") or {}).get("contextActivities") or {}
        for key in ("parent", "grouping", "category", "other"):
            value = context_activities.get(key) or []
            found.extend(
                a for a in (value if isinstance(value, list) else [value]) if isinstance(a, dict)
            )
    return found


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementQuery:
    """The filters of GET /xapi/statements (already validated by the view)."""

    agent_ifi: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = MAX_LIMIT
    ascending: bool = False
    after: tuple[datetime, int] | None = (
        None  # the paging cursor: (stored, pk) of the last one seen
    )

    @property
    def has_filters(self) -> bool:
        return any(
            value is not None
            for value in (self.agent_ifi, self.verb, self.activity, self.registration)
        )


def _agent_relations(query: StatementQuery) -> list[str]:
    if query.related_agents:
        return [Relation.ACTOR, Relation.OBJECT, Relation.RELATED]
    return [Relation.ACTOR, Relation.OBJECT]


def _filter_q(
    query: StatementQuery, *, joined_activity: bool = False, joined_agent: bool = False
) -> Q:
    """The non-time filters, for the statement itself (or for a statement it targets). With
    ``joined_activity`` / ``joined_agent`` that filter is left to the caller."""
    q = Q()
    if query.agent_ifi is not None and not joined_agent:
        relations = _agent_relations(query)
        q &= Q(
            pk__in=StatementAgent.objects.filter(
                agent_ifi=query.agent_ifi, relation__in=relations
            ).values("statement_id")
        )
    if query.verb is not None:
        q &= Q(verb_id=query.verb)
    if query.activity is not None and not joined_activity:
        activity_q = Q(object_activity_id=query.activity)
        if query.related_activities:
            # The object is indexed on the statement; index rows hold the other mentions.
            activity_q |= Q(
                pk__in=StatementActivity.objects.filter(activity_id=query.activity).values(
                    "statement_id"
                )
            )
        q &= activity_q
    if query.registration is not None:
        q &= Q(registration=query.registration)
    return q


def _window_q(query: StatementQuery, credential: Credential | None) -> Q:
    """Time, paging and permission conditions: always on the returned statement itself."""
    q = Q(is_voided=False)
    if query.since is not None:
        q &= Q(stored__gt=query.since)
    if query.until is not None:
        q &= Q(stored__lte=query.until)
    if query.after is not None:
        stored, pk = query.after
        if query.ascending:
            q &= Q(stored__gt=stored) | Q(stored=stored, pk__gt=pk)
        else:
            q &= Q(stored__lt=stored) | Q(stored=stored, pk__lt=pk)
    if credential is not None and credential.only_mine:
        q &= Q(client=credential.client)
    return q


def _distinct_head(walk: QuerySet[Any, Any], wanted: int, *, most_rows_per_key: int) -> list[Any]:
    """The first ``wanted`` distinct values of ``walk`` (ordered; a value repeats at most
    ``most_rows_per_key`` times in a row). Reads ``wanted`` rows first, and more only when
    repeats left it short: each row read costs a heap fetch of its statement."""
    rows = list(walk[:wanted])
    distinct = list(dict.fromkeys(rows))
    if len(distinct) < wanted and len(rows) == wanted:
        distinct = list(dict.fromkeys(walk[: wanted * most_rows_per_key]))
    return distinct[:wanted]


def statements_query(
    *, query: StatementQuery, credential: Credential | None = None
) -> tuple[list[Statement], bool]:
    """The statements matching ``query`` (most recently stored first unless ascending), at most
    ``query.limit``, and whether more follow. Voided statements are left out; a statement whose
    StatementRef (directly or by a chain) targets a matching statement matches too."""
    order = ("stored", "pk") if query.ascending else ("-stored", "-pk")
    window = _window_q(query, credential)
    # Page on the keys first, then read the page's rows: the sort carries (stored, id) only, not
    # each candidate's JSON.
    if query.agent_ifi is not None:
        # Walk the agent's index rows newest first (they carry ``stored``) and stop at the limit,
        # rather than fetching every statement of an active learner to sort them. A statement can
        # name the agent in up to three roles: read three times the limit and keep each once.
        sign = "" if query.ascending else "-"
        walk = (
            Statement.objects.filter(window, _filter_q(query, joined_agent=True))
            .filter(
                agent_index__agent_ifi=query.agent_ifi,
                agent_index__relation__in=_agent_relations(query),
            )
            .order_by(f"{sign}agent_index__stored", f"{sign}agent_index__statement_id")
            .values_list("pk", flat=True)
        )
        page = _distinct_head(walk, query.limit + 1, most_rows_per_key=3)
    elif query.activity is not None and query.related_activities:
        # Two walks that stop at the limit, merged: statements with the activity as their object
        # (the statement's own index), and statements that mention it elsewhere (index rows that
        # carry ``stored``) — rather than sorting every statement that mentions a course. A
        # statement found by both walks is kept once.
        sign = "" if query.ascending else "-"
        same = Statement.objects.filter(window, _filter_q(query, joined_activity=True))
        as_object = same.filter(object_activity_id=query.activity).order_by(*order)
        elsewhere = same.filter(activity_index__activity_id=query.activity).order_by(
            f"{sign}activity_index__stored", f"{sign}activity_index__statement_id"
        )
        keys = set(as_object.values_list("stored", "pk")[: query.limit + 1])
        keys |= set(elsewhere.values_list("stored", "pk")[: query.limit + 1])
        page = [pk for _stored, pk in sorted(keys, reverse=not query.ascending)][: query.limit + 1]
    else:
        direct: QuerySet[Statement] = Statement.objects.filter(window, _filter_q(query))
        page = list(direct.order_by(*order).values_list("pk", flat=True)[: query.limit + 1])
    rows = Statement.objects.only("pk", "stored", "data").in_bulk(page)
    found = [rows[pk] for pk in page]
    if query.has_filters:
        # Start from the StatementRef rows (few) and look each target up by its unique id, rather
        # than walking every stored statement in ``stored`` order to test an EXISTS (a full scan
        # on SQLite: ~1 s at a million statements).
        matching_target = Statement.objects.filter(
            _filter_q(query), statement_id=OuterRef("target_uuid")
        )
        referring = Statement.objects.filter(
            window,
            pk__in=StatementRefTarget.objects.filter(Exists(matching_target)).values(
                "statement_id"
            ),
        )
        seen = {s.pk for s in found}
        found += [
            s
            for s in referring.order_by(*order).only("pk", "stored", "data")[: query.limit + 1]
            if s.pk not in seen
        ]
        found.sort(key=lambda s: (s.stored, s.pk), reverse=not query.ascending)
    return found[: query.limit], len(found) > query.limit


def statement_get(
    *, statement_id: uuid.UUID, voided: bool, credential: Credential | None = None
) -> Statement:
    """One statement by id: a voided one only with ``voided``, otherwise 404."""
    statements = Statement.objects.filter(statement_id=statement_id, is_voided=voided)
    if credential is not None and credential.only_mine:
        statements = statements.filter(client=credential.client)
    statement = statements.first()
    if statement is None:
        what = "voided statement" if voided else "statement"
        raise XapiError(f"No {what} with the id {statement_id}.", status=404)
    return statement


def attachment_contents(statements: Iterable[Statement]) -> list[AttachmentContent]:
    """The stored payloads of these statements' attachments, once per hash, in one query."""
    hashes: list[str] = []
    for statement in statements:
        for _path_name, attachment in _attachments_of(statement.data):
            sha2 = str(attachment.get("sha2", "")).lower()
            if sha2 and sha2 not in hashes:
                hashes.append(sha2)
    if not hashes:
        return []
    by_hash = {a.sha2: a for a in AttachmentContent.objects.filter(sha2__in=hashes)}
    return [by_hash[sha2] for sha2 in hashes if sha2 in by_hash]


def cursor_encode(statement: Statement) -> str:
    raw = f"{statement.stored.isoformat()}|{statement.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(token: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stored, pk = raw.split("|")
        moment = datetime.fromisoformat(stored)
        if moment.tzinfo is None:
            raise ValueError
        return moment, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise XapiError(
            "cursor: not a cursor this LRS issued (use the 'more' IRL as given)."
        ) from None
