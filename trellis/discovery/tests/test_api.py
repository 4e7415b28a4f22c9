"""The discovery API (/api/v1/discovery/): search, ask, paths, playlists and personalization, with
the owner, a member without the right, and an outsider for each; token scopes; 422 naming fields."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trellis.catalog.tests.factories import ItemFactory
from trellis.core.models import AuditEvent
from trellis.core.services import api_token_create
from trellis.discovery import playlists as playlist_service
from trellis.discovery import search
from trellis.discovery.models import (
    ConsentRecord,
    LearnerInterest,
    LearningPath,
    PathStep,
    Playlist,
    PlaylistFollow,
    RecommendationFeedback,
)
from trellis.discovery.tests.searchkit import make_catalog, use_hashing
from trellis.discovery.tests.test_paths import World, build_world, make_path
from trellis.notify.models import Notification

API = "/api/v1/discovery"


@pytest.fixture
def world(personas: Any) -> World:
    return build_world(personas)


def call(client: Client, method: str, url: str, body: Any = None, **kw: Any) -> Any:
    if body is None:
        return getattr(client, method)(API + url, **kw)
    return getattr(client, method)(
        API + url, data=json.dumps(body), content_type="application/json", **kw
    )


def token(employee: Any, scopes: list[str]) -> dict[str, str]:
    """A bearer token of ``employee`` with ``scopes``."""
    _, secret = api_token_create(
        user=employee.user, name="t", scopes=scopes, created_by=employee.user
    )
    return {"Authorization": f"Bearer {secret}"}


# --- search and ask ---------------------------------------------------------------------------


@pytest.fixture
def catalog(settings: Any, db: Any) -> Any:
    use_hashing(settings)
    items = make_catalog()
    yield items
    search.search_state_reset()


@pytest.mark.parametrize("who", ["alice", "maria", "lena"])
def test_search_answers_everyone_signed_in(personas, catalog, who):
    body = call(personas.client(who), "get", "/search?q=median").json()
    assert [h["item"]["title"] for h in body["hits"]] == ["Introduction to statistics"]
    hit = body["hits"][0]
    assert hit["matched_by"] == "words and meaning"
    assert hit["provider"] == "Acme Learning"
    assert hit["item"]["url"] == reverse(
        "catalog:item", args=[catalog["Introduction to statistics"].uid]
    )
    assert "median" in hit["snippet"].lower()
    assert (body["query"], body["total"], body["page"], body["per_page"]) == ("median", 1, 1, 20)


def test_search_corrects_filters_and_names_bad_input(personas, catalog):
    client = personas.client("alice")
    body = call(client, "get", "/search?q=pyhton").json()
    assert body["corrections"] == {"pyhton": "python"}
    assert body["showing"] == "python"
    assert body["hits"][0]["item"]["title"] == "Python for data analysis"
    exact = call(client, "get", "/search?q=pyhton&exact=true").json()
    assert exact["corrections"] == {}
    filtered = call(client, "get", "/search?q=data&format=video").json()
    assert [h["item"]["title"] for h in filtered["hits"]] == ["Machine learning basics"]
    bad = call(client, "get", "/search?q=data&level=9&format=hologram")
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["query.format", "query.level"]
    empty = call(client, "get", "/search?q=")
    assert [e["field"] for e in empty.json()["errors"]] == ["query.q"]


def test_search_queries_are_bounded(personas, catalog, django_assert_max_num_queries):
    client = personas.client("alice")
    call(client, "get", "/search?q=data")  # the in-process index is loaded once
    with django_assert_max_num_queries(10):
        body = call(client, "get", "/search?q=data").json()
    assert body["total"] == 3


def test_search_needs_a_login_and_a_read_scope(personas, catalog):
    assert Client().get(API + "/search?q=median").status_code == 401
    headers = token(personas.alice, ["people:read"])
    response = Client().get(API + "/search?q=median", headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "This token lacks the scope 'discovery:read'."}
    headers = token(personas.alice, ["discovery:read"])
    assert Client().get(API + "/search?q=median", headers=headers).json()["total"] == 1


@pytest.mark.parametrize("who", ["alice", "charlie", "lena"])
def test_ask_answers_with_citations(personas, catalog, who):
    body = call(personas.client(who), "get", "/ask?q=What is the median?").json()
    assert body["answer"].startswith("The median is the middle value")
    assert (body["answer_source"], body["answer_citation"], body["confident"]) == (
        "extractive",
        1,
        True,
    )
    first = body["citations"][0]
    assert first["item"]["title"] == "Introduction to statistics"
    assert first["section"] == "Introductory Statistics · 1 Sampling and Data"
    assert first["heading"] == "Descriptive statistics"
    assert first["passage_url"] == reverse("discovery:passage", args=[first["passage_id"]])


def test_ask_needs_a_question(personas, catalog):
    response = call(personas.client("alice"), "get", "/ask?q=%20")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "query.q", "message": "ask a question"}]


# --- learning paths ----------------------------------------------------------------------------


def test_my_paths_list_is_mine_only_in_constant_queries(
    world: World, django_assert_num_queries: Any
):
    make_path(world)
    make_path(world, target_kind="next_role", target_role=world.senior)
    make_path(world, who="bob")
    client = world.personas.client("alice")
    call(client, "get", "/paths")  # warm the session and roles
    with django_assert_num_queries(6):  # session, user, groups, employee, manager?, paths
        body = call(client, "get", "/paths").json()
    assert [p["title"] for p in body] == ["Toward Senior Data Analyst", "Toward Data Analyst"]
    first = body[1]
    assert (first["owner"], first["status"], first["done_steps"], first["planned_steps"]) == (
        world.personas.alice.employee_id,
        "active",
        0,
        4,
    )
    assert first["remaining_minutes"] == 20 + 30 + 45 + 90
    assert [
        p["title"] for p in call(world.personas.client("charlie"), "get", "/paths").json()
    ] == []
    # someone without an employee record
    from trellis.people.tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="robot"))
    assert call(client, "get", "/paths").status_code == 404


def test_create_a_path_and_read_it_owner_only(world: World):
    client = world.personas.client("alice")
    response = call(client, "post", "/paths", {"target_kind": "role", "weekly_minutes": 60})
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Toward Data Analyst"
    assert body["can_edit"] is True
    assert [s["item"]["title"] for s in body["steps"]] == [
        "SQL first steps",
        "Python basics",
        "SQL joins",
        "Python for analysis",
    ]
    assert body["steps"][0]["reason"] == "Covers SQL to level 1, a gap for your Data Analyst role."
    assert [(g["label"], g["current"], g["target"]) for g in body["gap"]] == [
        ("Python", 1, 3),
        ("SQL", 0, 2),
    ]
    url = f"/paths/{body['id']}"
    assert call(client, "get", url).json()["id"] == body["id"]
    for who in ("bob", "maria", "lena", "erin"):
        assert call(world.personas.client(who), "get", url).status_code == 404, who


def test_a_path_toward_chosen_skills(world: World):
    body = call(
        world.personas.client("alice"),
        "post",
        "/paths",
        {
            "target_kind": "skills",
            "target_skills": [{"skill_id": world.stats.pk, "level": 2}],
            "weekly_minutes": 60,
        },
    ).json()
    assert (body["title"], body["target_skills"]) == (
        "Statistics",
        [{"skill_id": world.stats.pk, "level": 2}],
    )
    assert [s["item"]["title"] for s in body["steps"]] == ["Averages", "Distributions"]


def test_creating_a_path_with_bad_input_names_the_fields_and_writes_nothing(world: World):
    client = world.personas.client("alice")
    tomorrow_but_past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = call(
        client,
        "post",
        "/paths",
        {
            "target_kind": "role",
            "weekly_minutes": 1,
            "deadline": tomorrow_but_past,
            "preferred_formats": ["hologram"],
        },
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "body.deadline",
        "body.preferred_formats",
        "body.weekly_minutes",
    ]
    response = call(client, "post", "/paths", {"target_kind": "next_role", "target_role_id": 999})
    assert response.json()["errors"] == [
        {"field": "body.target_role_id", "message": "No job role 999."}
    ]
    response = call(client, "post", "/paths", {"target_kind": "next_role"})
    assert response.json()["errors"] == [
        {"field": "body.target_role_id", "message": "Choose the role to aim at."}
    ]
    assert LearningPath.objects.count() == 0


def test_skip_swap_replan_and_settings_through_the_api(world: World):
    path = make_path(world)
    client = world.personas.client("alice")
    step = path.steps.get(item=world.items["py2_course"])
    body = call(client, "post", f"/paths/{path.pk}/steps/{step.pk}/skip").json()
    assert "Python basics" not in [
        s["item"]["title"] for s in body["steps"] if s["status"] == "planned"
    ]
    assert [s["item"]["title"] for s in body["steps"] if s["status"] == "skipped"] == [
        "Python basics"
    ]
    again = call(client, "post", f"/paths/{path.pk}/steps/{step.pk}/skip")
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "body.step", "message": "Only a planned step can be skipped."}
    ]
    sql = path.steps.get(item=world.items["sql1"])
    alternatives = call(client, "get", f"/paths/{path.pk}/steps/{sql.pk}/alternatives").json()
    assert [a["item"]["title"] for a in alternatives] == ["SQL in a day"]
    assert alternatives[0]["covers"] == ["SQL level 1"]
    refused = call(
        client,
        "post",
        f"/paths/{path.pk}/steps/{sql.pk}/swap",
        {"item_id": world.items["too_hard"].pk},
    )
    assert refused.json()["errors"] == [
        {"field": "body.item_id", "message": "Choose one of the alternatives offered."}
    ]
    swapped = call(
        client,
        "post",
        f"/paths/{path.pk}/steps/{sql.pk}/swap",
        {"item_id": world.items["sql12"].pk},
    ).json()
    assert "SQL in a day" in [
        s["item"]["title"] for s in swapped["steps"] if s["status"] == "planned"
    ]
    pace = call(
        client,
        "put",
        f"/paths/{path.pk}/settings",
        {"weekly_minutes": 30, "deadline": None, "preferred_formats": []},
    ).json()
    assert pace["weekly_minutes"] == 30
    assert call(client, "post", f"/paths/{path.pk}/replan").status_code == 200
    # nobody else changes it, and they learn nothing about it
    for who in ("bob", "maria", "lena"):
        other = world.personas.client(who)
        assert call(other, "post", f"/paths/{path.pk}/replan").status_code == 404, who
        assert call(other, "post", f"/paths/{path.pk}/steps/{sql.pk}/skip").status_code == 404
    assert PathStep.objects.get(pk=sql.pk).status == PathStep.Status.REPLACED


def test_every_path_change_is_the_owners_alone(world: World):
    path = make_path(world)
    step = path.steps.get(item=world.items["sql1"])
    changes = [
        ("get", f"/paths/{path.pk}/steps/{step.pk}/alternatives", None),
        ("post", f"/paths/{path.pk}/steps/{step.pk}/swap", {}),
        ("put", f"/paths/{path.pk}/settings", {"weekly_minutes": 30}),
        ("post", f"/paths/{path.pk}/accept", None),
        ("post", f"/paths/{path.pk}/decline", {}),
        ("post", f"/paths/{path.pk}/stop", None),
    ]
    for who in ("bob", "maria", "erin"):  # a peer, their manager, an executive
        client = world.personas.client(who)
        for method, url, body in changes:
            assert call(client, method, url, body).status_code == 404, (who, url)
    path.refresh_from_db()
    assert (path.status, path.weekly_minutes) == ("active", 60)
    assert PathStep.objects.get(pk=step.pk).status == PathStep.Status.PLANNED
    # the owner: accepting an active path is refused, naming the field; stopping works
    alice = world.personas.client("alice")
    refused = call(alice, "post", f"/paths/{path.pk}/accept")
    assert refused.json()["errors"] == [
        {"field": "body.status", "message": "Only a suggested path can be accepted."}
    ]
    assert call(alice, "post", f"/paths/{path.pk}/stop").json()["status"] == "archived"
    assert [p["status"] for p in call(alice, "get", "/paths").json()] == ["archived"]
    assert call(world.personas.client("bob"), "get", "/paths/suggested-by-me").json() == []


def test_writing_needs_the_discovery_write_scope(world: World):
    read_only = token(world.personas.alice, ["discovery:read"])
    response = Client().post(
        API + "/paths",
        data=json.dumps({"target_kind": "role"}),
        content_type="application/json",
        headers=read_only,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "This token lacks the scope 'discovery:write'."}
    assert LearningPath.objects.count() == 0
    writer = token(world.personas.alice, ["discovery:read", "discovery:write"])
    response = Client().post(
        API + "/paths",
        data=json.dumps({"target_kind": "role"}),
        content_type="application/json",
        headers=writer,
    )
    assert response.status_code == 201
    assert LearningPath.objects.get().owner == world.personas.alice


def test_a_manager_suggests_a_path_within_their_line_only(
    world: World, django_capture_on_commit_callbacks
):
    maria = world.personas.client("maria")
    alice_id = world.personas.alice.employee_id
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            maria,
            "post",
            f"/people/{alice_id}/paths",
            {"target_kind": "role", "note": "For the Q3 project"},
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["suggested_by"], body["can_edit"]) == (
        "suggested",
        world.personas.maria.employee_id,
        False,
    )
    assert Notification.objects.filter(recipient=world.personas.alice).count() == 1
    mine = call(maria, "get", "/paths/suggested-by-me").json()
    assert [(p["owner"], p["status"]) for p in mine] == [(alice_id, "suggested")]
    # the manager reads but does not change it
    assert call(maria, "get", f"/paths/{body['id']}").json()["suggestion_note"] == (
        "For the Q3 project"
    )
    assert call(maria, "post", f"/paths/{body['id']}/accept").status_code == 404
    # outside the line (and for non-managers): 404 whether the person exists or not
    for who, target in (
        ("oscar", alice_id),
        ("bob", alice_id),
        ("lena", alice_id),
        ("maria", world.personas.charlie.employee_id),
        ("maria", "NOBODY"),
    ):
        response = call(
            world.personas.client(who), "post", f"/people/{target}/paths", {"target_kind": "role"}
        )
        assert response.status_code == 404, (who, target)
    assert LearningPath.objects.count() == 1
    # the learner accepts
    alice = world.personas.client("alice")
    accepted = call(alice, "post", f"/paths/{body['id']}/accept").json()
    assert accepted["status"] == "active"


def test_my_suggestions_list_is_constant_in_queries(world: World, django_assert_num_queries):
    maria = world.personas.client("maria")
    for who in ("alice", "bob"):
        call(
            maria,
            "post",
            f"/people/{getattr(world.personas, who).employee_id}/paths",
            {"target_kind": "next_role", "target_role_id": world.senior.pk},
        )
    call(maria, "get", "/paths/suggested-by-me")
    with django_assert_num_queries(6):  # session, user, groups, employee, manager?, paths
        body = call(maria, "get", "/paths/suggested-by-me").json()
    assert sorted((p["owner"], p["title"], p["status"]) for p in body) == [
        (world.personas.alice.employee_id, "Toward Senior Data Analyst", "suggested"),
        (world.personas.bob.employee_id, "Toward Senior Data Analyst", "suggested"),
    ]


def test_the_learner_declines_a_suggestion_with_a_reason(world: World):
    created = call(
        world.personas.client("maria"),
        "post",
        f"/people/{world.personas.alice.employee_id}/paths",
        {"target_kind": "role"},
    ).json()
    response = call(
        world.personas.client("alice"),
        "post",
        f"/paths/{created['id']}/decline",
        {"reason": "Not now"},
    )
    assert (response.json()["status"], response.json()["decline_reason"]) == ("declined", "Not now")
    assert (
        call(world.personas.client("bob"), "post", f"/paths/{created['id']}/accept").status_code
        == 404
    )
    assert LearningPath.objects.get(pk=created["id"]).status == "declined"


# --- playlists ---------------------------------------------------------------------------------


@pytest.fixture
def items(db: Any) -> list[Any]:
    return [ItemFactory(title=f"Lesson {n}") for n in range(1, 5)]


def test_playlists_list_what_each_person_may_see_in_constant_queries(
    personas, items, django_assert_num_queries
):
    lena = personas.lena.user
    tech = playlist_service.playlist_create(user=lena, kind="curated", title="Data for Tech")
    playlist_service.playlist_item_add(user=lena, playlist=tech, item=items[0])
    playlist_service.playlist_audience_set(
        user=lena, playlist=tech, rules=[{"departments": [personas.alice.department]}]
    )
    playlist_service.playlist_publish(user=lena, playlist=tech)
    playlist_service.playlist_create(user=lena, kind="curated", title="Draft for all")
    mine = playlist_service.playlist_create(
        user=personas.alice.user, kind="personal", title="Alice reads", sharing="people"
    )
    playlist_service.playlist_update(
        user=personas.alice.user, playlist=mine, title=mine.title, shared_with=[personas.bob]
    )
    playlist_service.playlist_follow(user=personas.bob.user, playlist=tech)

    def lists(who: str) -> dict[str, list[str]]:
        body = call(personas.client(who), "get", "/playlists").json()
        return {k: [p["title"] for p in v] for k, v in body.items()}

    assert lists("alice") == {
        "for_me": ["Data for Tech"],
        "mine": ["Alice reads"],
        "shared_with_me": [],
        "following": [],
        "curated_all": [],
    }
    assert lists("bob") == {
        "for_me": ["Data for Tech"],
        "mine": [],
        "shared_with_me": ["Alice reads"],
        "following": ["Data for Tech"],
        "curated_all": [],
    }
    assert lists("charlie") == {
        "for_me": [],
        "mine": [],
        "shared_with_me": [],
        "following": [],
        "curated_all": [],
    }
    assert lists("lena")["curated_all"] == ["Data for Tech", "Draft for all"]
    bob = personas.client("bob")
    body = call(bob, "get", "/playlists").json()
    assert body["following"][0]["following"] is True
    assert body["following"][0]["entry_count"] == 1
    assert body["following"][0]["can_edit"] is False
    with django_assert_num_queries(17):
        call(bob, "get", "/playlists")
    for n in range(5):  # more playlists, the same number of queries
        extra = playlist_service.playlist_create(user=lena, kind="curated", title=f"More {n}")
        playlist_service.playlist_audience_set(user=lena, playlist=extra, rules=[{}])
        playlist_service.playlist_publish(user=lena, playlist=extra)
        playlist_service.playlist_follow(user=personas.bob.user, playlist=extra)
    with django_assert_num_queries(17):
        assert len(call(bob, "get", "/playlists").json()["for_me"]) == 6


def test_a_personal_playlist_is_edited_by_its_owner_only(personas, items):
    alice = personas.client("alice")
    response = call(alice, "post", "/playlists", {"title": "AI reading", "sharing": "link"})
    assert response.status_code == 201
    uid = response.json()["uid"]
    for item in items[:3]:
        assert (
            call(alice, "post", f"/playlists/{uid}/entries", {"item_id": item.pk}).status_code
            == 201
        )
    body = call(alice, "get", f"/playlists/{uid}").json()
    assert [e["item"]["title"] for e in body["entries"]] == ["Lesson 1", "Lesson 2", "Lesson 3"]
    ids = [e["id"] for e in body["entries"]]
    moved = call(alice, "post", f"/playlists/{uid}/entries/{ids[2]}/move", {"direction": "top"})
    assert [e["item"]["title"] for e in moved.json()["entries"]] == [
        "Lesson 3",
        "Lesson 1",
        "Lesson 2",
    ]
    reordered = call(
        alice, "put", f"/playlists/{uid}/order", {"entry_ids": [ids[1], ids[0], ids[2]]}
    )
    assert [e["item"]["title"] for e in reordered.json()["entries"]] == [
        "Lesson 2",
        "Lesson 1",
        "Lesson 3",
    ]
    bad = call(alice, "put", f"/playlists/{uid}/order", {"entry_ids": [ids[0]]})
    assert bad.json()["errors"] == [
        {
            "field": "body.entry_ids",
            "message": "The order must list every item of the playlist once.",
        }
    ]
    removed = call(alice, "delete", f"/playlists/{uid}/entries/{ids[0]}")
    assert [e["position"] for e in removed.json()["entries"]] == [1, 2]
    # bob has the link: he reads it, follows it, cannot change it
    bob = personas.client("bob")
    assert call(bob, "get", f"/playlists/{uid}").json()["can_edit"] is False
    assert call(bob, "put", f"/playlists/{uid}/follow").json() == {"following": True}
    assert (
        call(bob, "post", f"/playlists/{uid}/entries", {"item_id": items[3].pk}).status_code == 403
    )
    assert call(bob, "put", f"/playlists/{uid}", {"title": "Bob's now"}).status_code == 403
    assert call(bob, "delete", f"/playlists/{uid}").status_code == 403
    assert call(bob, "delete", f"/playlists/{uid}/follow").json() == {"following": False}
    # made private: bob no longer sees it at all
    call(alice, "put", f"/playlists/{uid}", {"title": "AI reading", "sharing": "private"})
    assert call(bob, "get", f"/playlists/{uid}").status_code == 404
    assert call(bob, "put", f"/playlists/{uid}/follow").status_code == 404
    assert call(personas.client("lena"), "get", f"/playlists/{uid}").status_code == 404
    playlist = Playlist.objects.get(uid=uid)
    assert (playlist.title, playlist.entries.count()) == ("AI reading", 2)
    assert PlaylistFollow.objects.count() == 0


def test_only_the_owner_deletes_a_personal_playlist(personas, items):
    alice = personas.client("alice")
    uid = call(alice, "post", "/playlists", {"title": "Shared", "sharing": "link"}).json()["uid"]
    assert call(personas.client("bob"), "delete", f"/playlists/{uid}").status_code == 403
    assert call(personas.client("lena"), "delete", f"/playlists/{uid}").status_code == 403
    assert Playlist.objects.filter(uid=uid).exists()
    assert call(alice, "delete", f"/playlists/{uid}").status_code == 204
    assert not Playlist.objects.filter(uid=uid).exists()
    assert call(alice, "get", f"/playlists/{uid}").status_code == 404


def test_sharing_with_named_people_checks_their_emails(personas):
    alice = personas.client("alice")
    uid = call(alice, "post", "/playlists", {"title": "For Bob"}).json()["uid"]
    bad = call(
        alice,
        "put",
        f"/playlists/{uid}",
        {"title": "For Bob", "sharing": "people", "shared_with": ["nobody@example.com"]},
    )
    assert bad.json()["errors"] == [
        {"field": "body.shared_with", "message": "No colleague has the email nobody@example.com."}
    ]
    assert Playlist.objects.get(uid=uid).sharing == "private"
    ok = call(
        alice,
        "put",
        f"/playlists/{uid}",
        {"title": "For Bob", "sharing": "people", "shared_with": [personas.bob.email]},
    ).json()
    assert ok["shared_with"] == [personas.bob.email]
    assert call(personas.client("bob"), "get", f"/playlists/{uid}").status_code == 200
    assert call(personas.client("charlie"), "get", f"/playlists/{uid}").status_code == 404


def test_curated_playlists_are_made_and_published_by_ld_only(personas, items):
    for who in ("alice", "maria", "erin"):
        response = call(
            personas.client(who), "post", "/playlists", {"kind": "curated", "title": "X"}
        )
        assert response.status_code == 403, who
    assert not Playlist.objects.filter(kind="curated").exists()
    lena = personas.client("lena")
    uid = call(lena, "post", "/playlists", {"kind": "curated", "title": "Data"}).json()["uid"]
    call(lena, "post", f"/playlists/{uid}/entries", {"item_id": items[0].pk})
    dept = personas.alice.department
    bad = call(
        lena,
        "put",
        f"/playlists/{uid}/audience",
        {"rules": [{"departments": [dept.pk, 99999]}]},
    )
    assert bad.json()["errors"] == [
        {"field": "body.rules.0.departments", "message": "Unknown id(s): [99999]."}
    ]
    body = call(
        lena,
        "put",
        f"/playlists/{uid}/audience",
        {"rules": [{"departments": [dept.pk]}], "exclude": [personas.bob.employee_id]},
    ).json()
    # Technology & Data: maria and alice (bob excluded)
    assert body["audience_count"] == 2
    assert call(personas.client("alice"), "get", f"/playlists/{uid}").status_code == 404  # draft
    assert call(lena, "put", f"/playlists/{uid}/status", {"published": True}).json()["status"] == (
        "published"
    )
    assert call(personas.client("alice"), "get", f"/playlists/{uid}").status_code == 200
    for who in ("bob", "charlie"):
        assert call(personas.client(who), "get", f"/playlists/{uid}").status_code == 404, who
    # a member of the audience cannot change it; an executive reads it, cannot change it
    for who in ("alice", "erin"):
        client = personas.client(who)
        assert (
            call(client, "put", f"/playlists/{uid}/status", {"published": False}).status_code == 403
        )
        assert call(client, "put", f"/playlists/{uid}/audience", {"rules": [{}]}).status_code == 403
    assert Playlist.objects.get(uid=uid).status == "published"


# --- personalization controls -------------------------------------------------------------------


def test_my_controls_are_mine_and_changes_apply_at_once(personas, items):
    alice = personas.client("alice")
    body = call(alice, "get", "/personalization").json()
    assert body["enabled"] is True
    assert [(c["signal"], c["granted"], c["decided"]) for c in body["consent"]] == [
        ("hr_data", True, False),
        ("activity", True, False),
        ("skills", True, False),
        ("surveys", False, False),
    ]
    body = call(alice, "put", "/personalization/consent/activity", {"granted": False}).json()
    activity = next(c for c in body["consent"] if c["signal"] == "activity")
    assert (activity["granted"], activity["decided"], activity["version"]) == (
        False,
        True,
        body["consent_version"],
    )
    assert [(r["signal"], r["granted"]) for r in body["consent_history"]] == [("activity", False)]
    assert ConsentRecord.objects.filter(employee=personas.alice).count() == 1
    assert AuditEvent.objects.filter(code="trellis.discovery.consent.withdrawn").count() == 1
    bad = call(alice, "put", "/personalization/consent/horoscope", {"granted": True})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "path.signal"
    assert ConsentRecord.objects.count() == 1
    off = call(alice, "put", "/personalization/enabled", {"enabled": False}).json()
    assert off["enabled"] is False
    feed = Client()
    feed.force_login(personas.alice.user)
    assert feed.get("/api/v1/recommendations/").json()["personalised"] is False
    # bob's controls are untouched
    assert call(personas.client("bob"), "get", "/personalization").json()["enabled"] is True


def test_interests_goal_formats_feedback_and_reset(personas, items):
    from trellis.people.models import JobRole
    from trellis.skills.models import Skill

    skill = Skill.objects.create(uri="t:py", source="trellis", label="Python")
    role = JobRole.objects.create(title="Data Engineer")
    alice = personas.client("alice")
    body = call(alice, "post", "/personalization/interests", {"skill_id": skill.pk}).json()
    assert body["interests"] == [{"skill_id": skill.pk, "label": "Python"}]
    assert call(alice, "post", "/personalization/interests", {"skill_id": 0}).json()["errors"] == [
        {"field": "body.skill_id", "message": "No skill 0."}
    ]
    body = call(alice, "put", "/personalization/target-role", {"job_role_id": role.pk}).json()
    assert body["target_role_id"] == role.pk
    body = call(
        alice, "put", "/personalization/target-skills", {"skill_id": skill.pk, "level": 4}
    ).json()
    assert body["target_skills"] == [{"skill_id": skill.pk, "label": "Python", "level": 4}]
    bad = call(alice, "put", "/personalization/target-skills", {"skill_id": skill.pk, "level": 9})
    assert bad.json()["errors"] == [
        {"field": "body.level", "message": "Choose a level from 1 to 5."}
    ]
    body = call(alice, "put", "/personalization/formats", {"formats": ["video"]}).json()
    assert body["preferred_formats"] == ["video"]
    bad = call(alice, "put", "/personalization/formats", {"formats": ["hologram"]})
    assert bad.json()["errors"] == [
        {"field": "body.formats", "message": "Unknown format(s): hologram."}
    ]
    body = call(
        alice, "post", "/personalization/feedback", {"item_id": items[0].pk, "kind": "not_for_me"}
    ).json()
    assert [(f["item"]["title"], f["kind"]) for f in body["feedback"]] == [
        ("Lesson 1", "not_for_me")
    ]
    body = call(
        alice,
        "post",
        "/personalization/feedback",
        {"item_id": items[0].pk, "kind": "more_like_this"},
    ).json()
    assert [f["kind"] for f in body["feedback"]] == ["more_like_this"]
    bad = call(alice, "post", "/personalization/feedback", {"item_id": items[0].pk, "kind": "meh"})
    assert bad.json()["errors"][0]["field"] == "body.kind"
    assert (
        call(alice, "delete", f"/personalization/feedback/{items[0].pk}").json()["feedback"] == []
    )
    call(alice, "post", "/personalization/feedback", {"item_id": items[1].pk, "kind": "dismissed"})
    body = call(alice, "post", "/personalization/reset").json()
    assert body["feedback"] == []
    assert body["history_reset_at"] is not None
    assert call(alice, "delete", f"/personalization/interests/{skill.pk}").json()["interests"] == []
    assert (
        call(alice, "delete", f"/personalization/target-skills/{skill.pk}").json()["target_skills"]
        == []
    )
    # another person's controls are theirs: bob sees none of this
    bob = call(personas.client("bob"), "get", "/personalization").json()
    assert (bob["interests"], bob["target_role_id"], bob["preferred_formats"]) == ([], None, [])
    assert RecommendationFeedback.objects.filter(employee=personas.bob).count() == 0
    assert LearnerInterest.objects.count() == 0


def test_personalization_needs_an_employee_and_a_login(personas):
    from trellis.people.tests.factories import UserFactory

    assert Client().get(API + "/personalization").status_code == 401
    client = Client()
    client.force_login(UserFactory(username="robot"))
    assert call(client, "get", "/personalization").status_code == 404
    assert call(client, "put", "/personalization/enabled", {"enabled": False}).status_code == 404


def test_the_openapi_schema_lists_the_discovery_endpoints(personas):
    schema = personas.client("alice").get("/api/v1/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith(API)}
    assert {
        API + "/search",
        API + "/ask",
        API + "/paths",
        API + "/paths/{path_id}/steps/{step_id}/swap",
        API + "/people/{employee_id}/paths",
        API + "/playlists",
        API + "/playlists/{uid}/order",
        API + "/playlists/{uid}/follow",
        API + "/personalization/consent/{signal}",
        API + "/personalization/reset",
    } <= paths
    assert "PathIn" in schema["components"]["schemas"]
    assert "PlaylistDetailOut" in schema["components"]["schemas"]
