"""The document resources: State (/xapi/activities/state), Activity Profile (/xapi/activities/profile)
and Agent Profile (/xapi/agents/profile). xAPI 1.0.3 Communication §2.2, §2.3, §2.6, §2.7 and §3.1."""

from __future__ import annotations

import json
from datetime import datetime

from django.http import HttpResponse
from django.utils.http import http_date

from trellis.lrs.documents import (
    Preconditions,
    document_delete,
    document_get,
    document_ids,
    document_key_from_params,
    document_post,
    document_put,
    documents_delete,
    etag_of,
)
from trellis.lrs.http import XapiRequest, xapi_view
from trellis.lrs.models import Document
from trellis.lrs.xapi.errors import XapiError

METHODS = {"GET", "PUT", "POST", "DELETE"}


def _last_modified(response: HttpResponse, when: datetime | None) -> None:
    if when is not None:
        response["Last-Modified"] = http_date(when.timestamp())


def _handle(kind: str, xreq: XapiRequest) -> HttpResponse:
    key, since = document_key_from_params(
        kind, xreq.params, method=xreq.method, version=xreq.version
    )
    preconditions = Preconditions(
        if_match=xreq.header("If-Match"), if_none_match=xreq.header("If-None-Match")
    )
    if xreq.method == "GET":
        if key.document_id is None:
            ids, last = document_ids(key=key, since=since)
            body = json.dumps(ids).encode("utf-8")
            response = HttpResponse(body, content_type="application/json")
            response["ETag"] = f'"{etag_of(body)}"'
            _last_modified(response, last)
            return response
        document = document_get(key=key)
        if document is None:
            raise XapiError(f"No document with this {_id_param(kind)} here.", status=404)
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
        response["ETag"] = f'"{document.etag}"'
        _last_modified(response, document.updated)
        return response
    if xreq.method == "DELETE":
        if key.document_id is None:
            documents_delete(key=key)
        else:
            document_delete(key=key, preconditions=preconditions)
        return HttpResponse(status=204)
    write = document_put if xreq.method == "PUT" else document_post
    document = write(
        key=key,
        content=xreq.body,
        content_type=xreq.headers.get("content-type", ""),
        preconditions=preconditions,
    )
    response = HttpResponse(status=204)
    response["ETag"] = f'"{document.etag}"'
    return response


def _id_param(kind: str) -> str:
    return "stateId" if kind == Document.Kind.STATE else "profileId"


@xapi_view("activities/state", methods=METHODS)
def state(xreq: XapiRequest) -> HttpResponse:
    """State documents of an Activity and Agent (and registration)."""
    return _handle(Document.Kind.STATE, xreq)


@xapi_view("activities/profile", methods=METHODS)
def activity_profile(xreq: XapiRequest) -> HttpResponse:
    """Profile documents of an Activity."""
    return _handle(Document.Kind.ACTIVITY_PROFILE, xreq)


@xapi_view("agents/profile", methods=METHODS)
def agent_profile(xreq: XapiRequest) -> HttpResponse:
    """Profile documents of an Agent."""
    return _handle(Document.Kind.AGENT_PROFILE, xreq)
