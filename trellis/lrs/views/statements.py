"""The Statement resource, /xapi/statements (xAPI-Communication.md §2.1): PUT, POST, GET (single and
queries), HEAD, with attachments in multipart/mixed."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from trellis.lrs.http import XapiRequest, xapi_view
from trellis.lrs.models import Statement
from trellis.lrs.multipart import build_multipart, parse_multipart
from trellis.lrs.statements import (
    MAX_LIMIT,
    StatementQuery,
    attachment_contents,
    cursor_decode,
    cursor_encode,
    statement_get,
    statements_query,
    statements_store,
)
from trellis.lrs.xapi.agents import agent_ifi
from trellis.lrs.xapi.errors import XapiError, XapiValidationError
from trellis.lrs.xapi.formats import format_statement, parse_accept_language
from trellis.lrs.xapi.timefmt import format_timestamp, parse_timestamp

SINGLE_PARAMS = {"statementId", "voidedStatementId"}
QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
}
FORMATS = {"ids", "exact", "canonical"}
CONSISTENCY_MARGIN = timedelta(seconds=1)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _uuid_param(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise XapiValidationError(name, "must be a UUID") from None


def _bool_param(params: dict[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise XapiValidationError(name, "must be true or false")
    return value == "true"


def _iri_param(value: str, name: str) -> str:
    scheme, colon, rest = value.partition(":")
    if not colon or not scheme or not rest or not scheme[0].isalpha() or " " in value:
        raise XapiValidationError(name, "must be an IRI with a scheme")
    return value


# --- writing ------------------------------------------------------------------------------------


def _read_statements(xreq: XapiRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The JSON of the statement(s) and the attachment parts (SHA-2 → (content type, bytes))."""
    content_type = xreq.content_type
    if content_type == "multipart/mixed":
        parts = parse_multipart(xreq.body, xreq.header("content-type") or "")
        first, rest = parts[0], parts[1:]
        if first.content_type != "application/json":
            raise XapiError(
                "multipart/mixed: the first part must be the statements, as application/json."
            )
        try:
            body = json.loads(first.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise XapiError(
                f"multipart/mixed: the statements part is not valid JSON ({exc})"
            ) from None
        attachments: dict[str, tuple[str, bytes]] = {}
        for number, part in enumerate(rest, start=2):
            sha2 = part.headers.get("x-experience-api-hash")
            if not sha2:
                raise XapiError(
                    f"multipart/mixed: part {number} has no X-Experience-API-Hash header."
                )
            encoding = part.headers.get("content-transfer-encoding", "").lower()
            if encoding != "binary":
                raise XapiError(
                    f"multipart/mixed: part {number} needs Content-Transfer-Encoding: binary."
                )
            attachments[sha2] = (part.content_type or "application/octet-stream", part.body)
        return body, attachments
    if content_type not in ("application/json", ""):
        raise XapiError(
            f"Content-Type: statements are sent as application/json or multipart/mixed, not {content_type}."
        )
    return xreq.json(what="statements"), {}


def _put(xreq: XapiRequest) -> HttpResponse:
    if set(xreq.params) != {"statementId"}:
        extra = sorted(set(xreq.params) - {"statementId"})
        if extra:
            raise XapiError(f"PUT statements takes only statementId (not {', '.join(extra)}).")
        raise XapiValidationError("statementId", "is required to PUT a statement")
    statement_id = _uuid_param(xreq.params["statementId"], "statementId")
    body, attachments = _read_statements(xreq)
    if not isinstance(body, dict):
        raise XapiError("PUT statements takes one statement (a JSON object).")
    if "id" in body:
        try:
            same = uuid.UUID(str(body["id"])) == statement_id
        except ValueError:
            raise XapiValidationError("id", "must be a UUID") from None
        if not same:
            raise XapiValidationError("id", "must be the same as the statementId parameter")
    statement = {**body, "id": str(statement_id)}
    statements_store(
        [statement],
        version=xreq.version,
        credential=xreq.credential,
        attachments=attachments,
        single=True,
    )
    return HttpResponse(status=204)


def _post(xreq: XapiRequest) -> HttpResponse:
    if xreq.params:
        raise XapiError(
            f"POST statements takes no parameters (got {', '.join(sorted(xreq.params))})."
        )
    body, attachments = _read_statements(xreq)
    if isinstance(body, dict):
        statements, single = [body], True
    elif isinstance(body, list):
        statements, single = body, False
    else:
        raise XapiError("POST statements takes a statement or an array of statements.")
    ids = statements_store(
        statements,
        version=xreq.version,
        credential=xreq.credential,
        attachments=attachments,
        single=single,
    )
    return HttpResponse(_json_bytes(ids), content_type="application/json", status=200)


# --- reading ------------------------------------------------------------------------------------


def _respond(
    xreq: XapiRequest, payload: Any, statements: list[Statement], *, with_attachments: bool
) -> HttpResponse:
    if with_attachments:
        parts = [({"Content-Type": "application/json"}, _json_bytes(payload))]
        parts += [
            (
                {
                    "Content-Type": content.content_type,
                    "Content-Transfer-Encoding": "binary",
                    "X-Experience-API-Hash": content.sha2,
                },
                bytes(content.content),
            )
            for content in attachment_contents(statements)
        ]
        content_type, body = build_multipart(parts)
        response = HttpResponse(body, content_type=content_type)
    else:
        response = HttpResponse(_json_bytes(payload), content_type="application/json")
    if statements:
        latest = max(s.stored for s in statements)
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def _get_single(xreq: XapiRequest) -> HttpResponse:
    params = xreq.params
    if set(params) >= SINGLE_PARAMS:
        raise XapiError("Use statementId or voidedStatementId, not both.")
    extra = sorted(set(params) - SINGLE_PARAMS - {"attachments", "format"})
    if extra:
        raise XapiError(
            f"With statementId or voidedStatementId only attachments and format are allowed (not {', '.join(extra)})."
        )
    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise XapiValidationError("format", "must be ids, exact or canonical")
    with_attachments = _bool_param(params, "attachments")
    voided = "voidedStatementId" in params
    name = "voidedStatementId" if voided else "statementId"
    statement = statement_get(
        statement_id=_uuid_param(params[name], name), voided=voided, credential=xreq.credential
    )
    languages = parse_accept_language(xreq.header("accept-language"))
    payload = format_statement(statement.data, fmt=fmt, languages=languages)
    return _respond(xreq, payload, [statement], with_attachments=with_attachments)


def _parse_query(xreq: XapiRequest) -> StatementQuery:
    params = xreq.params
    unknown = sorted(set(params) - QUERY_PARAMS)
    if unknown:
        raise XapiError(f"Unknown parameters for GET statements: {', '.join(unknown)}.")
    agent = None
    if "agent" in params:
        try:
            agent_json = json.loads(params["agent"])
        except json.JSONDecodeError:
            raise XapiValidationError(
                "agent", "must be an Agent or identified Group as JSON"
            ) from None
        agent = agent_ifi(agent_json, path="agent")
    limit = MAX_LIMIT
    if "limit" in params:
        if not params["limit"].isdigit():
            raise XapiValidationError("limit", "must be a nonnegative integer")
        limit = int(params["limit"]) or MAX_LIMIT
    return StatementQuery(
        agent_ifi=agent,
        verb=_iri_param(params["verb"], "verb") if "verb" in params else None,
        activity=_iri_param(params["activity"], "activity") if "activity" in params else None,
        registration=(
            _uuid_param(params["registration"], "registration")
            if "registration" in params
            else None
        ),
        related_activities=_bool_param(params, "related_activities"),
        related_agents=_bool_param(params, "related_agents"),
        since=(
            parse_timestamp(params["since"], path="since", version=xreq.version)
            if "since" in params
            else None
        ),
        until=(
            parse_timestamp(params["until"], path="until", version=xreq.version)
            if "until" in params
            else None
        ),
        limit=min(limit, MAX_LIMIT),
        ascending=_bool_param(params, "ascending"),
        after=cursor_decode(params["cursor"]) if "cursor" in params else None,
    )


def _get_query(xreq: XapiRequest) -> HttpResponse:
    query = _parse_query(xreq)
    fmt = xreq.params.get("format", "exact")
    if fmt not in FORMATS:
        raise XapiValidationError("format", "must be ids, exact or canonical")
    with_attachments = _bool_param(xreq.params, "attachments")
    statements, more = statements_query(query=query, credential=xreq.credential)
    languages = parse_accept_language(xreq.header("accept-language"))
    more_link = ""
    if more:
        carried = {k: v for k, v in xreq.params.items() if k != "cursor"}
        carried["cursor"] = cursor_encode(statements[-1])
        more_link = f"{xreq.request.path}?{urlencode(carried)}"
    payload = {
        "statements": [format_statement(s.data, fmt=fmt, languages=languages) for s in statements],
        "more": more_link,
    }
    return _respond(xreq, payload, statements, with_attachments=with_attachments)


@xapi_view("statements", methods={"GET", "PUT", "POST"})
def _statements(xreq: XapiRequest) -> HttpResponse:
    if xreq.method == "PUT":
        return _put(xreq)
    if xreq.method == "POST":
        return _post(xreq)
    if SINGLE_PARAMS & set(xreq.params):
        return _get_single(xreq)
    return _get_query(xreq)


@csrf_exempt
def statements(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """/xapi/statements. Every answer (errors included) carries X-Experience-API-Consistent-Through.
    Statements are stored synchronously; a batch whose ``stored`` time was taken just before this
    request began may still be committing, so the header is the request's start less a margin."""
    consistent_through = timezone.now() - CONSISTENCY_MARGIN
    response = _statements(request, *args, **kwargs)
    response["X-Experience-API-Consistent-Through"] = format_timestamp(consistent_through)
    return response
