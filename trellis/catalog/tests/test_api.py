from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trellis.catalog.models import Item, ItemSkill
from trellis.catalog.tests.factories import ItemFactory, ProviderFactory
from trellis.core.models import AuditEvent
from trellis.core.services import api_token_create
from trellis.skills.models import Skill

API = "/api/v1/catalog"


def token_client(personas: Any, who: str, scopes: list[str]) -> Client:
    user = getattr(personas, who).user
    _, secret = api_token_create(
        user=user, name="test", scopes=scopes, created_by=personas.lena.user
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def data(db: Any) -> dict[str, Any]:
    acme = ProviderFactory(slug="acme", name="Acme")
    skill = Skill.objects.create(uri="t:prompting", source="trellis", label="Prompting")
    video = ItemFactory(provider=acme, title="B video", format="video", duration_minutes=5)
    course = ItemFactory(
        provider=acme, title="A course", format="course", duration_minutes=200, level=4
    )
    hidden = ItemFactory(provider=acme, title="Hidden", is_published=False)
    ItemSkill.objects.create(item=video, skill=skill, weight=0.7)
    return {"acme": acme, "skill": skill, "video": video, "course": course, "hidden": hidden}


def test_list_with_filters(personas: Any, data: Any) -> None:
    client = token_client(personas, "alice", ["catalog:read"])
    body = client.get(f"{API}/items").json()
    assert body["count"] == 2
    assert [i["title"] for i in body["items"]] == ["A course", "B video"]
    video = body["items"][1]
    assert video["provider"] == {"slug": "acme", "name": "Acme"}
    assert video["skills"] == [
        {
            "skill_id": data["skill"].pk,
            "uri": "t:prompting",
            "label": "Prompting",
            "weight": 0.7,
            "origin": "manual",
        }
    ]
    assert "body" not in video
    body = client.get(f"{API}/items?format=video&format=podcast").json()
    assert [i["title"] for i in body["items"]] == ["B video"]
    body = client.get(f"{API}/items?duration=180%2B&level=4").json()
    assert [i["title"] for i in body["items"]] == ["A course"]
    body = client.get(f"{API}/items?skill={data['skill'].pk}").json()
    assert [i["title"] for i in body["items"]] == ["B video"]


def test_list_bad_filter_is_422_naming_it(personas: Any, data: Any) -> None:
    response = personas.client("alice").get(f"{API}/items?format=hologram")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "query.format",
            "message": "choose from course, video, article, podcast, interactive, scorm, cmi5, live, book_section",
        }
    ]


def test_list_query_count_constant(personas: Any, db: Any, django_assert_num_queries: Any) -> None:
    provider = ProviderFactory()
    skills = [Skill.objects.create(uri=f"t:{n}", source="trellis", label=f"S{n}") for n in range(2)]
    for item in ItemFactory.create_batch(120, provider=provider):
        for s in skills:
            ItemSkill.objects.create(item=item, skill=s, weight=1)
    client = token_client(personas, "alice", ["catalog:read"])
    client.get(f"{API}/items")  # the first use of a token records last_used_at
    counts = []
    for size in (5, 50, 200):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{API}/items?page_size={size}").json()
        assert len(body["items"]) == min(size, 120)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2]


def test_detail_includes_body_and_skills(personas: Any, data: Any) -> None:
    body = personas.client("charlie").get(f"{API}/items/{data['video'].uid}").json()
    assert (
        body["title"] == "B video"
        and body["body"] == ""
        and body["skills"][0]["uri"] == "t:prompting"
    )
    assert personas.client("charlie").get(f"{API}/items/{data['hidden'].uid}").status_code == 404
    assert personas.client("lena").get(f"{API}/items/{data['hidden'].uid}").status_code == 200


def test_read_needs_scope_and_authentication(personas: Any, data: Any) -> None:
    assert Client().get(f"{API}/items").status_code == 401
    no_scope = token_client(personas, "alice", ["people:read"])
    response = no_scope.get(f"{API}/items")
    assert response.status_code == 403 and "catalog:read" in response.json()["detail"]
    assert no_scope.get(f"{API}/providers").status_code == 403


def _payload(**changes: Any) -> dict[str, Any]:
    payload = {
        "provider": "acme",
        "external_id": "api-1",
        "title": "Made by API",
        "format": "podcast",
        "duration_minutes": 20,
        "level": 3,
        "language": "en-GB",
        "launch_url": "https://learn.example.com/api-1",
        "license": "CC BY 4.0",
        "skills": [{"uri": "t:prompting", "weight": 0.4}],
    }
    payload.update(changes)
    return payload


def test_create_and_update_item(personas: Any, data: Any) -> None:
    client = token_client(personas, "lena", ["catalog:read", "catalog:write"])
    response = client.post(f"{API}/items", json.dumps(_payload()), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["title"], created["format"], created["language"]) == (
        "Made by API",
        "podcast",
        "en-GB",
    )
    assert [(s["uri"], s["weight"]) for s in created["skills"]] == [("t:prompting", 0.4)]
    response = client.put(
        f"{API}/items/{created['uid']}",
        json.dumps(_payload(title="Renamed", skills=[])),
        content_type="application/json",
    )
    assert response.status_code == 200
    item = Item.objects.get(uid=created["uid"])
    assert item.title == "Renamed" and not item.skill_links.exists()
    assert AuditEvent.objects.get(code="trellis.catalog.item.updated").data == {
        "fields": ["title", "skills"]
    }


def test_create_errors_name_fields_and_write_nothing(personas: Any, data: Any) -> None:
    client = token_client(personas, "lena", ["catalog:write"])
    bad = _payload(provider="nope", skills=[{"uri": "t:unknown", "weight": 0.5}])
    response = client.post(f"{API}/items", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.provider", "body.skills.0.uri"}
    bad = _payload(format="hologram", duration_minutes=5, launch_url="not a url", level=9)
    response = client.post(f"{API}/items", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "body.format",
        "body.launch_url",
        "body.level",
    }
    response = client.post(
        f"{API}/items",
        json.dumps(_payload(external_id=data["video"].external_id)),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert Item.objects.count() == 3


@pytest.mark.parametrize(
    ("who", "scopes"),
    [("alice", ["catalog:write"]), ("maria", ["catalog:write"]), ("lena", ["catalog:read"])],
)
def test_write_needs_role_and_scope(personas: Any, data: Any, who: str, scopes: list[str]) -> None:
    client = token_client(personas, who, scopes)
    response = client.post(f"{API}/items", json.dumps(_payload()), content_type="application/json")
    assert response.status_code == 403
    response = client.put(
        f"{API}/items/{data['video'].uid}",
        json.dumps(_payload(title="x")),
        content_type="application/json",
    )
    assert response.status_code == 403
    f = io.BytesIO(b"provider,external_id,title,format\nacme,z,Z,video\n")
    f.name = "x.csv"
    assert client.post(f"{API}/import", {"file": f}).status_code == 403
    assert Item.objects.count() == 3 and Item.objects.get(pk=data["video"].pk).title == "B video"


def test_import_endpoint(personas: Any, data: Any) -> None:
    client = token_client(personas, "lena", ["catalog:write"])
    good = io.BytesIO(
        b"provider,external_id,title,format,skills\nacme,imp-1,Imported,article,t:prompting:0.5\n"
    )
    good.name = "items.csv"
    response = client.post(f"{API}/import", {"file": good})
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["created"], body["errors"]) == (True, 1, [])
    bad = io.BytesIO(
        b"provider,external_id,title,format\nacme,imp-2,,article\nacme,imp-3,T,vinyl\n"
    )
    bad.name = "items.csv"
    response = client.post(f"{API}/import", {"file": bad})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [
        (2, "title"),
        (3, "format"),
    ]
    assert not Item.objects.filter(external_id__in=["imp-2", "imp-3"]).exists()


def test_providers(personas: Any, data: Any) -> None:
    body = personas.client("bob").get(f"{API}/providers").json()
    assert body == [
        {"slug": "acme", "name": "Acme", "url": "", "description": "", "default_license": ""}
    ]
