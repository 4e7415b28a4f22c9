"""The Activities resource (/xapi/activities, §2.5) and the Agents resource (/xapi/agents, §2.4)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.http import http_date

from trellis.lrs.documents import (
    activity_object,
    check_params,
    etag_of,
    parse_agent_param,
    parse_iri,
    person_object,
    required_param,
)
from trellis.lrs.http import XapiRequest, xapi_view


def _json(value: Any) -> HttpResponse:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = f'"{etag_of(body)}"'
    return response


@xapi_view("activities", methods={"GET"})
def activities(xreq: XapiRequest) -> HttpResponse:
    """The Activity object with its canonical definition, merged from the statements that used it."""
    check_params(xreq.params, {"activityId"})
    activity_id = parse_iri(required_param(xreq.params, "activityId"), path="activityId")
    activity, updated = activity_object(activity_id=activity_id)
    response = _json(activity)
    if updated is not None:
        response["Last-Modified"] = http_date(updated.timestamp())
    return response


@xapi_view("agents", methods={"GET"})
def agents(xreq: XapiRequest) -> HttpResponse:
    """The Person object: what Trellis knows about an Agent."""
    check_params(xreq.params, {"agent"})
    agent, _ifi = parse_agent_param(required_param(xreq.params, "agent"))
    return _json(person_object(agent=agent))
