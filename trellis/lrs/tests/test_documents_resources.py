"""The document resources, grouped by the sections of xAPI 1.0.3 Communication (§2.2, §2.3, §2.6, §2.7,
§3.1) and what xAPI 2.0 adds (Last-Modified, RFC 3339 timestamps)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils.http import http_date

from trellis.lrs.clients import lrs_client_create, lrs_client_revoke
from trellis.lrs.models import Document

pytestmark = pytest.mark.django_db

ACTIVITY = "http://example.com/activities/course-1"
AGENT = {"objectType": "Agent", "mbox": "mailto:ada@example.com"}
REGISTRATION = "0b6e4ee6-7d5c-4d53-9f4c-2a4f4b1c9e11"


def sha1(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


class Lrs:
    """An xAPI client on the Django test client."""

    def __init__(self, key: str, secret: str, version: str = "1.0.3"):
        self.http = Client()
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.version = version

    def __call__(
        self,
        method: str,
        resource: str,
        params: dict[str, Any],
        body: bytes | str | dict[str, Any] = b"",
        content_type: str = "application/json",
        **headers: str,
    ) -> Any:
        query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
        url = f"/xapi/{resource}?{urlencode(query)}"
        if isinstance(body, dict):
            body = json.dumps(body)
        all_headers = {
            "Authorization": self.auth,
            "X-Experience-API-Version": self.version,
            **{k.replace("_", "-"): v for k, v in headers.items()},
        }
        call = getattr(self.http, method.lower())
        if method in {"GET", "HEAD", "DELETE"}:
            return call(url, headers=all_headers)
        return call(url, data=body, content_type=content_type, headers=all_headers)


@pytest.fixture
def lrs(personas: Any) -> Lrs:
    client, secret = lrs_client_create(
        name="Course tool", scopes=["all"], created_by=personas.lena.user
    )
    return Lrs(client.key, secret)


def state(**extra: Any) -> dict[str, Any]:
    return {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark", **extra}


def activity_profile(**extra: Any) -> dict[str, Any]:
    return {"activityId": ACTIVITY, "profileId": "settings", **extra}


def agent_profile(**extra: Any) -> dict[str, Any]:
    return {"agent": AGENT, "profileId": "preferences", **extra}


ALL_KINDS = [
    ("activities/state", state),
    ("activities/profile", activity_profile),
    ("agents/profile", agent_profile),
]
PROFILES = ALL_KINDS[1:]


def stored() -> list[tuple[str, str, bytes]]:
    return [
        (d.kind, d.document_id, bytes(d.content))
        for d in Document.objects.order_by("kind", "document_id")
    ]


# -- §2.2 Document Resources: storing, fetching, deleting any content ------------------------------


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_put_then_get_returns_the_bytes_with_their_content_type_etag_and_last_modified(
    lrs, resource, params
):
    content = b"\x89PNG\r\n\x1a\n binary \x00 data"
    response = lrs("PUT", resource, params(), content, content_type="image/png")
    assert response.status_code == 204
    assert response.content == b""
    response = lrs("GET", resource, params())
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == "image/png"
    assert response["ETag"] == f'"{sha1(content)}"'
    updated = Document.objects.get().updated
    assert response["Last-Modified"] == http_date(updated.timestamp())
    assert response["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_documents_of_unknown_activities_and_agents_are_accepted(lrs, resource, params):
    # No statement has mentioned ACTIVITY or AGENT.
    response = lrs("POST", resource, params(), {"x": 1}, If_None_Match="*")
    assert response.status_code == 204
    document = Document.objects.get()
    assert (document.activity_id, document.agent_ifi, bytes(document.content)) == (
        ACTIVITY if "activityId" in params() else "",
        "mbox:mailto:ada@example.com" if "agent" in params() else "",
        b'{"x": 1}',
    )


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_get_of_a_missing_document_is_404(lrs, resource, params):
    response = lrs("GET", resource, params())
    assert response.status_code == 404
    assert "error" in response.json()


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_head_answers_the_headers_of_get_without_the_body(lrs, resource, params):
    lrs("PUT", resource, params(), {"a": 1}, If_None_Match="*")
    response = lrs("HEAD", resource, params())
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == '"' + sha1(b'{"a": 1}') + '"'
    assert response["Content-Length"] == str(len(b'{"a": 1}'))


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_delete_removes_the_document(lrs, resource, params):
    lrs("PUT", resource, params(), {"a": 1}, If_None_Match="*")
    response = lrs("DELETE", resource, params())
    assert response.status_code == 204
    assert stored() == []
    assert lrs("GET", resource, params()).status_code == 404


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_delete_of_a_missing_document_is_204(lrs, resource, params):
    assert lrs("DELETE", resource, params()).status_code == 204


# -- §2.2 JSON Procedure: POST merges JSON objects ------------------------------------------------


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_post_merges_top_level_properties(lrs, resource, params):
    lrs("PUT", resource, params(), {"x": "foo", "y": "bar", "o": {"a": 1}}, If_None_Match="*")
    etag = lrs("GET", resource, params())["ETag"]
    response = lrs(
        "POST", resource, params(), {"x": "bash", "z": "faz", "o": {"b": 2}}, If_Match=etag
    )
    assert response.status_code == 204
    fetched = lrs("GET", resource, params())
    assert fetched.json() == {"x": "bash", "y": "bar", "z": "faz", "o": {"b": 2}}
    assert fetched["Content-Type"] == "application/json"
    assert fetched["ETag"] == f'"{sha1(fetched.content)}"'


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_post_creates_a_missing_document(lrs, resource, params):
    assert lrs("POST", resource, params(), {"x": 1}).status_code == 204
    assert lrs("GET", resource, params()).json() == {"x": 1}


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_post_of_non_json_onto_a_json_document_is_400_and_changes_nothing(lrs, resource, params):
    lrs("PUT", resource, params(), {"x": 1}, If_None_Match="*")
    before = stored()
    response = lrs("POST", resource, params(), b"plain words", content_type="text/plain")
    assert response.status_code == 400
    assert "application/json" in response.json()["error"]
    assert stored() == before


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_post_of_json_onto_a_non_json_document_is_400_and_changes_nothing(lrs, resource, params):
    lrs("PUT", resource, params(), b"plain words", content_type="text/plain", If_None_Match="*")
    before = stored()
    response = lrs("POST", resource, params(), {"x": 1})
    assert response.status_code == 400
    assert "not application/json" in response.json()["error"]
    assert stored() == before


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_post_of_a_json_array_is_400_and_changes_nothing(lrs, resource, params):
    lrs("PUT", resource, params(), {"x": 1}, If_None_Match="*")
    before = stored()
    response = lrs("POST", resource, params(), "[1, 2]")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The posted document is not a JSON object, so the documents cannot be merged."
    )
    assert stored() == before


def test_post_onto_a_stored_json_array_is_400_and_changes_nothing(lrs):
    lrs("PUT", "activities/state", state(), "[1]")
    before = stored()
    response = lrs("POST", "activities/state", state(), {"x": 1})
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The stored document is not a JSON object, so the documents cannot be merged."
    )
    assert stored() == before


# -- §2.3 State Resource ----------------------------------------------------------------------------


def test_state_documents_are_separate_per_registration(lrs):
    lrs("PUT", "activities/state", state(), {"where": "none"})
    lrs("PUT", "activities/state", state(registration=REGISTRATION), {"where": "reg"})
    assert lrs("GET", "activities/state", state()).json() == {"where": "none"}
    assert lrs("GET", "activities/state", state(registration=REGISTRATION)).json() == {
        "where": "reg"
    }


def test_state_put_without_concurrency_headers_replaces_an_existing_document(lrs):
    lrs("PUT", "activities/state", state(), {"v": 1})
    response = lrs("PUT", "activities/state", state(), {"v": 2})
    assert response.status_code == 204
    assert lrs("GET", "activities/state", state()).json() == {"v": 2}


def test_state_multiple_get_lists_state_ids(lrs):
    base = {"activityId": ACTIVITY, "agent": AGENT}
    for state_id in ("b", "a", "c"):
        lrs("PUT", "activities/state", {**base, "stateId": state_id}, {"id": state_id})
    lrs("PUT", "activities/state", {**base, "stateId": "r", "registration": REGISTRATION}, {})
    other = {"activityId": ACTIVITY + "/other", "agent": AGENT, "stateId": "elsewhere"}
    lrs("PUT", "activities/state", other, {})
    response = lrs("GET", "activities/state", base)
    assert response.status_code == 200
    assert response.json() == ["a", "b", "c", "r"]
    assert response["ETag"] == f'"{sha1(response.content)}"'
    latest = Document.objects.filter(activity_id=ACTIVITY).order_by("-updated").first()
    assert response["Last-Modified"] == http_date(latest.updated.timestamp())
    only_reg = lrs("GET", "activities/state", {**base, "registration": REGISTRATION})
    assert only_reg.json() == ["r"]


def test_state_multiple_get_with_nothing_stored_is_an_empty_array(lrs):
    response = lrs("GET", "activities/state", {"activityId": ACTIVITY, "agent": AGENT})
    assert response.status_code == 200
    assert response.json() == []


def test_state_multiple_get_since_is_exclusive(lrs):
    base = {"activityId": ACTIVITY, "agent": AGENT}
    lrs("PUT", "activities/state", {**base, "stateId": "old"}, {})
    lrs("PUT", "activities/state", {**base, "stateId": "new"}, {})
    old = Document.objects.get(document_id="old")
    Document.objects.filter(pk=old.pk).update(updated=datetime(2024, 1, 1, 12, tzinfo=UTC))
    new = Document.objects.get(document_id="new")
    cutoff = datetime(2024, 1, 1, 12, tzinfo=UTC)
    response = lrs("GET", "activities/state", {**base, "since": cutoff.isoformat()})
    assert response.json() == ["new"]
    exactly_new = new.updated.isoformat()
    assert lrs("GET", "activities/state", {**base, "since": exactly_new}).json() == []
    earlier = (cutoff - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert lrs("GET", "activities/state", {**base, "since": earlier}).json() == ["new", "old"]


def test_state_delete_without_state_id_deletes_every_state_of_the_context(lrs):
    base = {"activityId": ACTIVITY, "agent": AGENT}
    lrs("PUT", "activities/state", {**base, "stateId": "a"}, {})
    lrs("PUT", "activities/state", {**base, "stateId": "b", "registration": REGISTRATION}, {})
    other_agent = {**base, "agent": {"mbox": "mailto:bo@example.com"}, "stateId": "a"}
    lrs("PUT", "activities/state", other_agent, {})
    lrs("PUT", "activities/profile", activity_profile(), {}, If_None_Match="*")
    response = lrs("DELETE", "activities/state", base)
    assert response.status_code == 204
    assert stored() == [
        ("activity_profile", "settings", b"{}"),
        ("state", "a", b"{}"),
    ]
    assert Document.objects.get(kind="state").agent_ifi == "mbox:mailto:bo@example.com"


def test_state_delete_with_registration_deletes_only_that_registration(lrs):
    base = {"activityId": ACTIVITY, "agent": AGENT}
    lrs("PUT", "activities/state", {**base, "stateId": "a"}, {})
    lrs("PUT", "activities/state", {**base, "stateId": "b", "registration": REGISTRATION}, {})
    assert (
        lrs("DELETE", "activities/state", {**base, "registration": REGISTRATION}).status_code == 204
    )
    assert stored() == [("state", "a", b"{}")]


# -- §2.6 Agent Profile and §2.7 Activity Profile: multiple GET ----------------------------------


def test_activity_profile_multiple_get_lists_profile_ids_with_since(lrs):
    for profile_id in ("one", "two"):
        lrs(
            "PUT",
            "activities/profile",
            activity_profile(profileId=profile_id),
            {},
            If_None_Match="*",
        )
    Document.objects.filter(document_id="one").update(updated=datetime(2020, 5, 1, tzinfo=UTC))
    response = lrs("GET", "activities/profile", {"activityId": ACTIVITY})
    assert response.json() == ["one", "two"]
    since = lrs(
        "GET", "activities/profile", {"activityId": ACTIVITY, "since": "2021-01-01T00:00:00Z"}
    )
    assert since.json() == ["two"]


def test_agent_profile_multiple_get_lists_profile_ids_with_since(lrs):
    for profile_id in ("one", "two"):
        lrs("PUT", "agents/profile", agent_profile(profileId=profile_id), {}, If_None_Match="*")
    Document.objects.filter(document_id="two").update(updated=datetime(2020, 5, 1, tzinfo=UTC))
    response = lrs("GET", "agents/profile", {"agent": AGENT})
    assert response.json() == ["one", "two"]
    since = lrs("GET", "agents/profile", {"agent": AGENT, "since": "2021-01-01T00:00:00+02:00"})
    assert since.json() == ["one"]


def test_agent_profile_agent_is_matched_by_its_identifier_not_its_name(lrs):
    lrs("PUT", "agents/profile", agent_profile(), {"v": 1}, If_None_Match="*")
    named = {"name": "Ada", "mbox": "mailto:ada@example.com"}
    assert lrs("GET", "agents/profile", agent_profile(agent=named)).json() == {"v": 1}


def test_profile_delete_without_profile_id_is_400(lrs):
    lrs("PUT", "agents/profile", agent_profile(), {}, If_None_Match="*")
    response = lrs("DELETE", "agents/profile", {"agent": AGENT})
    assert response.status_code == 400
    assert response.json()["property"] == "profileId"
    assert len(stored()) == 1


# -- Parameters: validation with 400 naming the parameter (§2.3, §2.6, §2.7, §3.2) ---------------


@pytest.mark.parametrize(
    ("resource", "params", "prop"),
    [
        ("activities/state", {"agent": AGENT, "stateId": "s"}, "activityId"),
        ("activities/state", {"activityId": ACTIVITY, "stateId": "s"}, "agent"),
        (
            "activities/state",
            {"activityId": "not an iri", "agent": AGENT, "stateId": "s"},
            "activityId",
        ),
        ("activities/state", state(agent="{not json"), "agent"),
        ("activities/state", state(agent={"name": "no identifier"}), "agent"),
        ("activities/state", state(agent={"mbox": "ada@example.com"}), "agent.mbox"),
        (
            "activities/state",
            state(agent={"objectType": "Group", "mbox": "mailto:g@example.com"}),
            "agent.objectType",
        ),
        ("activities/state", state(registration="not-a-uuid"), "registration"),
        ("activities/state", state(stateid="s"), "stateid"),
        ("activities/state", state(extra="1"), "extra"),
        ("activities/profile", {"profileId": "p"}, "activityId"),
        ("activities/profile", activity_profile(registration=REGISTRATION), "registration"),
        ("agents/profile", {"profileId": "p"}, "agent"),
        (
            "agents/profile",
            agent_profile(agent={"objectType": "Group", "member": []}),
            "agent.objectType",
        ),
        ("agents/profile", agent_profile(activityId=ACTIVITY), "activityId"),
    ],
)
def test_bad_parameters_on_put_are_400_naming_the_parameter_and_store_nothing(
    lrs, resource, params, prop
):
    response = lrs("PUT", resource, params, {"x": 1}, If_None_Match="*")
    assert response.status_code == 400
    assert response.json()["property"] == prop
    assert stored() == []


@pytest.mark.parametrize(
    ("resource", "params", "prop"),
    [
        ("activities/state", state(), "since"),  # since only with the multiple form
        (
            "activities/state",
            {"activityId": ACTIVITY, "agent": AGENT, "since": "yesterday"},
            "since",
        ),
        ("activities/profile", {"activityId": ACTIVITY, "since": "2024-13-01T00:00:00Z"}, "since"),
        (
            "activities/state",
            {"activityId": ACTIVITY, "agent": AGENT, "Since": "2024-01-01T00:00:00Z"},
            "Since",
        ),
    ],
)
def test_bad_since_is_400_naming_it(lrs, resource, params, prop):
    params = dict(params)
    if prop == "since" and "since" not in params:
        params["since"] = "2024-01-01T00:00:00Z"
    response = lrs("GET", resource, params)
    assert response.status_code == 400
    assert response.json()["property"] == prop


def test_put_without_a_document_id_is_400(lrs):
    response = lrs("PUT", "activities/state", {"activityId": ACTIVITY, "agent": AGENT}, {})
    assert response.status_code == 400
    assert response.json() == {"error": "stateId: is required", "property": "stateId"}
    assert stored() == []


# -- §3.1 Concurrency --------------------------------------------------------------------------------


@pytest.mark.parametrize(("resource", "params"), PROFILES)
def test_profile_put_without_headers_on_an_existing_document_is_409_and_changes_nothing(
    lrs, resource, params
):
    lrs("PUT", resource, params(), {"v": 1}, If_None_Match="*")
    before = stored()
    response = lrs("PUT", resource, params(), {"v": 2})
    assert response.status_code == 409
    assert "If-Match" in response.json()["error"]
    assert stored() == before


@pytest.mark.parametrize(("resource", "params"), PROFILES)
def test_profile_put_without_headers_creates_a_missing_document(lrs, resource, params):
    assert lrs("PUT", resource, params(), {"v": 1}).status_code == 204
    assert lrs("GET", resource, params()).json() == {"v": 1}


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_put_with_the_current_etag_in_if_match_succeeds(lrs, resource, params):
    lrs("PUT", resource, params(), {"v": 1}, If_None_Match="*")
    etag = lrs("GET", resource, params())["ETag"]
    assert lrs("PUT", resource, params(), {"v": 2}, If_Match=etag).status_code == 204
    assert lrs("GET", resource, params()).json() == {"v": 2}


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_write_with_a_stale_etag_is_412_and_changes_nothing(lrs, resource, params, method):
    lrs("PUT", resource, params(), {"v": 1}, If_None_Match="*")
    stale = f'"{sha1(b"something else")}"'
    before = stored()
    response = lrs(method, resource, params(), {"v": 2}, If_Match=stale)
    assert response.status_code == 412
    assert stored() == before


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_if_none_match_star_on_an_existing_document_is_412_and_changes_nothing(
    lrs, resource, params, method
):
    lrs("PUT", resource, params(), {"v": 1}, If_None_Match="*")
    before = stored()
    response = lrs(method, resource, params(), {"v": 2}, If_None_Match="*")
    assert response.status_code == 412
    assert stored() == before


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_if_match_on_a_missing_document_is_412_and_creates_nothing(lrs, resource, params):
    response = lrs("PUT", resource, params(), {"v": 1}, If_Match=f'"{sha1(b"x")}"')
    assert response.status_code == 412
    assert stored() == []


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_if_match_star_needs_an_existing_document(lrs, resource, params):
    assert lrs("PUT", resource, params(), {"v": 1}, If_Match="*").status_code == 412
    lrs("PUT", resource, params(), {"v": 1}, If_None_Match="*")
    assert lrs("PUT", resource, params(), {"v": 2}, If_Match="*").status_code == 204


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_delete_with_a_stale_etag_is_412_and_keeps_the_document(lrs, resource, params):
    lrs("PUT", resource, params(), {"v": 1}, If_None_Match="*")
    before = stored()
    response = lrs("DELETE", resource, params(), If_Match=f'"{sha1(b"old")}"')
    assert response.status_code == 412
    assert stored() == before
    etag = lrs("GET", resource, params())["ETag"]
    assert lrs("DELETE", resource, params(), If_Match=etag).status_code == 204
    assert stored() == []


def test_if_match_accepts_a_list_and_unquoted_or_weak_tags(lrs):
    lrs("PUT", "activities/profile", activity_profile(), {"v": 1}, If_None_Match="*")
    current = sha1(b'{"v": 1}')
    header = f'"{sha1(b"a")}", W/"{current}"'
    assert (
        lrs("PUT", "activities/profile", activity_profile(), {"v": 2}, If_Match=header).status_code
        == 204
    )
    current = sha1(b'{"v": 2}')
    assert (
        lrs("PUT", "activities/profile", activity_profile(), {"v": 3}, If_Match=current).status_code
        == 204
    )


def test_two_writers_with_the_same_etag_only_the_first_wins(lrs):
    lrs("PUT", "agents/profile", agent_profile(), {"v": "start"}, If_None_Match="*")
    etag_a = lrs("GET", "agents/profile", agent_profile())["ETag"]
    etag_b = lrs("GET", "agents/profile", agent_profile())["ETag"]
    assert etag_a == etag_b
    first = lrs("PUT", "agents/profile", agent_profile(), {"v": "first"}, If_Match=etag_a)
    second = lrs("PUT", "agents/profile", agent_profile(), {"v": "second"}, If_Match=etag_b)
    assert (first.status_code, second.status_code) == (204, 412)
    assert lrs("GET", "agents/profile", agent_profile()).json() == {"v": "first"}
    assert Document.objects.count() == 1


# -- xAPI 2.0 ------------------------------------------------------------------------------------------


def test_v2_get_has_last_modified_and_the_2_0_version_header(personas):
    client, secret = lrs_client_create(name="v2", scopes=["all"], created_by=personas.lena.user)
    lrs2 = Lrs(client.key, secret, version="2.0.0")
    assert lrs2("PUT", "activities/state", state(), {"a": 1}).status_code == 204
    response = lrs2("GET", "activities/state", state())
    assert response["X-Experience-API-Version"] == "2.0.0"
    assert response["Last-Modified"] == http_date(Document.objects.get().updated.timestamp())


def test_v2_since_needs_a_time_zone(personas):
    client, secret = lrs_client_create(name="v2", scopes=["all"], created_by=personas.lena.user)
    lrs2 = Lrs(client.key, secret, version="2.0.0")
    base = {"activityId": ACTIVITY, "agent": AGENT}
    response = lrs2("GET", "activities/state", {**base, "since": "2024-01-01T00:00:00"})
    assert response.status_code == 400
    assert response.json()["property"] == "since"
    assert (
        lrs2("GET", "activities/state", {**base, "since": "2024-01-01T00:00:00+01:00"}).json() == []
    )


def test_v1_alternate_request_syntax_puts_a_state_document(lrs):
    form = {
        "Authorization": lrs.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "activityId": ACTIVITY,
        "agent": json.dumps(AGENT),
        "stateId": "alt",
        "content": '{"via": "form"}',
    }
    response = Client().post(
        "/xapi/activities/state?method=PUT",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204
    assert lrs("GET", "activities/state", state(stateId="alt")).json() == {"via": "form"}


# -- Authorisation ----------------------------------------------------------------------------------


def test_a_client_without_the_state_scope_gets_403_on_state(personas):
    client, secret = lrs_client_create(
        name="Profiles only", scopes=["profile", "statements/write"], created_by=personas.lena.user
    )
    other = Lrs(client.key, secret)
    assert other("PUT", "activities/state", state(), {"x": 1}).status_code == 403
    assert other("GET", "activities/state", state()).status_code == 403
    assert stored() == []
    assert other("PUT", "activities/profile", activity_profile(), {"x": 1}).status_code == 204


def test_a_read_only_client_cannot_write_documents(personas):
    client, secret = lrs_client_create(
        name="Reader", scopes=["all/read"], created_by=personas.lena.user
    )
    reader = Lrs(client.key, secret)
    assert reader("PUT", "agents/profile", agent_profile(), {"x": 1}).status_code == 403
    assert reader("GET", "agents/profile", {"agent": AGENT}).json() == []
    assert stored() == []


def test_a_revoked_client_gets_401(lrs, personas):
    from trellis.lrs.models import LrsClient

    lrs("PUT", "activities/state", state(), {"x": 1})
    before = stored()
    lrs_client_revoke(client=LrsClient.objects.get(), actor=personas.lena.user)
    response = lrs("PUT", "activities/state", state(), {"x": 2})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Trellis LRS"'
    assert lrs("GET", "activities/state", state()).status_code == 401
    assert stored() == before


def test_no_credentials_is_401(client):
    response = client.get(
        "/xapi/activities/state?" + urlencode({"activityId": ACTIVITY, "agent": json.dumps(AGENT)}),
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(("resource", "params"), ALL_KINDS)
def test_a_document_over_the_size_limit_is_413_and_stores_nothing(lrs, resource, params, settings):
    # xAPI-Communication.md §3.2: a document larger than the LRS allows MUST be rejected with 413.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = lrs("PUT", resource, params(), b"x" * 1001, content_type="text/plain")
    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["error"]
    assert Document.objects.count() == 0
    assert lrs("PUT", resource, params(), b"x" * 1000, content_type="text/plain").status_code == 204
