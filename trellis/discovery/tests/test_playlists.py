"""Playlists: personal, shared (link / named people), curated by L&D for an audience (the programs'
rules), follow, reorder; who sees and who edits (owner, member, outsider, L&D)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from trellis.catalog.tests.factories import ItemFactory
from trellis.discovery import playlists as service
from trellis.discovery.models import Playlist, PlaylistEntry, PlaylistFollow
from trellis.people.models import Group
from trellis.programs.audience import audience_queryset


@pytest.fixture
def items(db: Any) -> list[Any]:
    return [ItemFactory(title=f"Lesson {n}") for n in range(1, 5)]


def personal(personas, items, *, owner="alice", sharing="private", shared_with=()) -> Playlist:
    who = getattr(personas, owner)
    playlist = service.playlist_create(
        user=who.user, kind="personal", title="My AI reading", sharing=sharing
    )
    for item in items:
        service.playlist_item_add(user=who.user, playlist=playlist, item=item)
    if shared_with:
        service.playlist_update(
            user=who.user,
            playlist=playlist,
            title=playlist.title,
            shared_with=[getattr(personas, n) for n in shared_with],
        )
    return playlist


def curated(personas, items, *, rules=None, publish=True) -> Playlist:
    lena = personas.lena.user
    playlist = service.playlist_create(user=lena, kind="curated", title="Data skills for Tech")
    for item in items[:2]:
        service.playlist_item_add(user=lena, playlist=playlist, item=item)
    service.playlist_audience_set(user=lena, playlist=playlist, rules=rules or [])
    if publish:
        service.playlist_publish(user=lena, playlist=playlist)
    return playlist


def order(playlist: Playlist) -> list[str]:
    return [e.item.title for e in playlist.entries.select_related("item").order_by("position")]


def status(personas, who: str, url: str, method: str = "get", data=None) -> int:
    client = personas.client(who)
    return getattr(client, method)(url, data or {}).status_code


# --- personal playlists -----------------------------------------------------------------------


def test_a_private_playlist_is_its_owners_alone(personas, items):
    playlist = personal(personas, items)
    url = reverse("discovery:playlist", args=[playlist.uid])
    assert status(personas, "alice", url) == 200
    for who in ("bob", "maria", "charlie", "lena", "erin"):
        assert status(personas, who, url) == 404, who
        assert (
            status(
                personas,
                who,
                reverse("discovery:playlist_edit", args=[playlist.uid]),
                "post",
                {"title": "Mine now"},
            )
            == 404
        )
    playlist.refresh_from_db()
    assert playlist.title == "My AI reading"


def test_a_link_shared_playlist_is_seen_by_anyone_signed_in_and_edited_by_its_owner_only(
    personas, items
):
    playlist = personal(personas, items, sharing="link")
    url = reverse("discovery:playlist", args=[playlist.uid])
    for who in ("bob", "charlie", "lena"):
        assert status(personas, who, url) == 200, who
        edit = reverse("discovery:playlist_edit", args=[playlist.uid])
        assert status(personas, who, edit, "post", {"title": "x", "sharing": "private"}) == 403, who
        move = reverse("discovery:playlist_move", args=[playlist.uid, playlist.entries.first().pk])
        assert status(personas, who, move, "post", {"direction": "down"}) == 403, who
    assert order(playlist) == ["Lesson 1", "Lesson 2", "Lesson 3", "Lesson 4"]
    # the link is not a listing: bob finds it nowhere until he follows it
    home = service.playlists_home(user=personas.bob.user)
    assert (home.mine, home.shared_with_me, home.following) == ([], [], [])
    service.playlist_follow(user=personas.bob.user, playlist=playlist)
    assert [p.title for p in service.playlists_home(user=personas.bob.user).following] == [
        "My AI reading"
    ]
    assert client_logged_out_is_redirected(url)


def client_logged_out_is_redirected(url: str) -> bool:
    from django.test import Client

    return Client().get(url).status_code == 302


def test_a_playlist_shared_with_named_people(personas, items):
    playlist = personal(personas, items, sharing="people", shared_with=["bob"])
    url = reverse("discovery:playlist", args=[playlist.uid])
    assert status(personas, "bob", url) == 200
    assert status(personas, "charlie", url) == 404
    assert [p.title for p in service.playlists_home(user=personas.bob.user).shared_with_me] == [
        "My AI reading"
    ]
    assert service.playlists_home(user=personas.charlie.user).shared_with_me == []
    # unsharing takes it away from bob, even from what he follows
    service.playlist_follow(user=personas.bob.user, playlist=playlist)
    service.playlist_update(
        user=personas.alice.user, playlist=playlist, title=playlist.title, sharing="private"
    )
    assert status(personas, "bob", url) == 404
    assert service.playlists_home(user=personas.bob.user).following == []


def test_sharing_by_email_through_the_page(personas, items):
    playlist = personal(personas, items)
    client = personas.client("alice")
    response = client.post(
        reverse("discovery:playlist_edit", args=[playlist.uid]),
        {"title": "Team reading", "sharing": "people", "shared_with": personas.bob.email},
    )
    assert response.status_code == 302
    playlist.refresh_from_db()
    assert playlist.title == "Team reading"
    assert list(playlist.shared_with.all()) == [personas.bob]
    bad = client.post(
        reverse("discovery:playlist_edit", args=[playlist.uid]),
        {"title": "Team reading", "sharing": "people", "shared_with": "nobody@example.com"},
    )
    assert bad.status_code == 400
    assert "No colleague has the email nobody@example.com." in bad.content.decode()
    assert list(playlist.shared_with.all()) == [personas.bob]


# --- curated playlists --------------------------------------------------------------------------


def test_only_ld_makes_curated_playlists(personas, items):
    with pytest.raises(PermissionDenied):
        service.playlist_create(user=personas.alice.user, kind="curated", title="Mine")
    response = personas.client("alice").post(
        reverse("discovery:playlist_new"),
        {"kind": "curated", "title": "Mine", "sharing": "private"},
    )
    assert response.status_code == 403
    assert Playlist.objects.count() == 0


def test_a_curated_playlist_reaches_its_audience_once_published(personas, items):
    tech = personas.alice.department
    playlist = curated(personas, items, rules=[{"departments": [tech]}], publish=False)
    url = reverse("discovery:playlist", args=[playlist.uid])
    assert status(personas, "alice", url) == 404  # draft
    assert status(personas, "lena", url) == 200
    service.playlist_publish(user=personas.lena.user, playlist=playlist)
    for who, expected in [
        ("alice", 200),
        ("bob", 200),
        ("maria", 200),
        ("charlie", 404),
        ("oscar", 404),
        ("lena", 200),
        ("erin", 200),
        ("audrey", 200),
    ]:
        assert status(personas, who, url) == expected, who
    assert [p.title for p in service.playlists_home(user=personas.alice.user).for_me] == [
        "Data skills for Tech"
    ]
    assert service.playlists_home(user=personas.charlie.user).for_me == []
    # learners in the audience read but do not edit; executives neither
    for who in ("alice", "erin"):
        edit = reverse("discovery:playlist_edit", args=[playlist.uid])
        assert status(personas, who, edit, "post", {"title": "Hijacked"}) == 403, who
        add = reverse("discovery:playlist_add", args=[playlist.uid])
        assert status(personas, who, add, "post", {"item": items[3].pk}) == 403, who
    playlist.refresh_from_db()
    assert playlist.title == "Data skills for Tech"
    assert order(playlist) == ["Lesson 1", "Lesson 2"]


def test_a_published_playlist_without_audience_reaches_nobody(personas, items):
    playlist = curated(personas, items, rules=[])
    assert service.playlist_audience_count(playlist=playlist) == 0
    assert status(personas, "alice", reverse("discovery:playlist", args=[playlist.uid])) == 404


def test_a_mover_sees_the_playlists_of_their_new_department_at_once(personas, items):
    from trellis.people.services import employee_update

    playlist = curated(personas, items, rules=[{"departments": [personas.charlie.department]}])
    url = reverse("discovery:playlist", args=[playlist.uid])
    assert status(personas, "alice", url) == 404
    employee_update(
        actor=personas.lena.user, employee=personas.alice, department=personas.charlie.department
    )
    assert status(personas, "alice", url) == 200


def test_who_sees_a_curated_playlist_is_exactly_its_programs_audience(personas, items):
    group = Group.objects.create(name="AI champions")
    group.members.add(personas.bob, personas.charlie)
    personas.alice.hire_date = dt.date(2024, 3, 1)
    personas.alice.save(update_fields=["hire_date"])
    cases = [
        ([{}], [], []),
        ([{"departments": [personas.alice.department]}], [], [personas.bob]),
        ([{"managers": [personas.maria]}], [personas.lena], []),
        ([{"groups": [group]}, {"managers": [personas.oscar]}], [], []),
        ([{"departments": [personas.alice.department], "groups": [group]}], [], []),
        ([{"hired_from": dt.date(2024, 1, 1), "hired_to": dt.date(2024, 12, 31)}], [], []),
        ([], [personas.audrey], []),
    ]
    everyone = [
        personas.alice,
        personas.bob,
        personas.maria,
        personas.charlie,
        personas.oscar,
        personas.lena,
        personas.erin,
        personas.audrey,
    ]
    for rules, include, exclude in cases:
        playlist = curated(personas, items, rules=rules)
        service.playlist_audience_set(
            user=personas.lena.user,
            playlist=playlist,
            rules=rules,
            include=include,
            exclude=exclude,
        )
        expected = set(audience_queryset(playlist).values_list("pk", flat=True))
        readers = {"lena", "erin", "audrey"}  # they read every curated playlist anyway
        seen = {
            e.pk
            for e in everyone
            if e.user.username not in readers
            and status(
                personas, e.user.username, reverse("discovery:playlist", args=[playlist.uid])
            )
            == 200
        }
        in_for_me = {
            e.pk
            for e in everyone
            if any(p.pk == playlist.pk for p in service.playlists_home(user=e.user).for_me)
        }
        assert in_for_me == expected, rules
        assert seen == {
            pk
            for pk in expected
            if pk not in {personas.lena.pk, personas.erin.pk, personas.audrey.pk}
        }, rules


def test_audience_page_is_for_ld(personas, items):
    playlist = curated(personas, items)
    url = reverse("discovery:playlist_audience", args=[playlist.uid])
    assert status(personas, "lena", url) == 200
    assert status(personas, "erin", url) == 403
    response = personas.client("lena").post(url, {"departments": [personas.alice.department.pk]})
    assert response.status_code == 302
    assert service.playlist_audience_count(playlist=playlist) == 3  # maria, alice, bob


# --- reorder, add, remove, follow ---------------------------------------------------------------


def test_move_up_and_down_without_javascript(personas, items):
    playlist = personal(personas, items)
    client = personas.client("alice")
    third = playlist.entries.get(item=items[2])
    url = reverse("discovery:playlist_move", args=[playlist.uid, third.pk])
    response = client.post(url, {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#entry-{third.pk}")
    assert order(playlist) == ["Lesson 1", "Lesson 3", "Lesson 2", "Lesson 4"]
    client.post(url, {"direction": "up"})
    client.post(url, {"direction": "up"})  # already first: stays
    assert order(playlist) == ["Lesson 3", "Lesson 1", "Lesson 2", "Lesson 4"]
    client.post(url, {"direction": "bottom"})
    assert order(playlist) == ["Lesson 1", "Lesson 2", "Lesson 4", "Lesson 3"]
    assert sorted(playlist.entries.values_list("position", flat=True)) == [1, 2, 3, 4]


def test_move_with_htmx_returns_the_list_and_where_the_focus_goes(personas, items):
    playlist = personal(personas, items)
    client = personas.client("alice")
    second = playlist.entries.get(item=items[1])
    response = client.post(
        reverse("discovery:playlist_move", args=[playlist.uid, second.pk]),
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert text.lstrip().startswith('<section id="entries"')
    # now first: "Move up" is disabled, so the focus goes to its "Move down"
    assert f'data-focus="move-down-{second.pk}"' in text
    assert "Moved to position 1 of 4." in text
    assert order(playlist) == ["Lesson 2", "Lesson 1", "Lesson 3", "Lesson 4"]


def test_reorder_after_a_drag_needs_every_entry_once(personas, items):
    playlist = personal(personas, items)
    client = personas.client("alice")
    ids = list(playlist.entries.order_by("position").values_list("pk", flat=True))
    url = reverse("discovery:playlist_reorder", args=[playlist.uid])
    response = client.post(
        url, {"order": ",".join(map(str, [ids[3], ids[0], ids[1], ids[2]]))}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert order(playlist) == ["Lesson 4", "Lesson 1", "Lesson 2", "Lesson 3"]
    for bad in ([ids[0], ids[1]], [ids[0], ids[0], ids[1], ids[2]], [*ids, 999999]):
        response = client.post(url, {"order": ",".join(map(str, bad))}, HTTP_HX_REQUEST="true")
        assert response.status_code == 400
    assert order(playlist) == ["Lesson 4", "Lesson 1", "Lesson 2", "Lesson 3"]
    assert status(personas, "bob", url, "post", {"order": ",".join(map(str, ids))}) == 404


def test_add_and_remove_items(personas, items):
    playlist = service.playlist_create(user=personas.alice.user, kind="personal", title="Reading")
    client = personas.client("alice")
    page = client.get(reverse("discovery:playlist", args=[playlist.uid]), {"q": "Lesson 2"})
    assert [i.title for i in page.context["found"]] == ["Lesson 2"]
    client.post(reverse("discovery:playlist_add", args=[playlist.uid]), {"item": items[1].pk})
    client.post(reverse("discovery:playlist_add", args=[playlist.uid]), {"item": items[0].pk})
    again = client.post(
        reverse("discovery:playlist_add", args=[playlist.uid]), {"item": items[0].pk}, follow=True
    )
    assert "already in the playlist" in again.content.decode()
    assert order(playlist) == ["Lesson 2", "Lesson 1"]
    entry = playlist.entries.get(item=items[1])
    client.post(reverse("discovery:playlist_remove", args=[playlist.uid, entry.pk]))
    assert order(playlist) == ["Lesson 1"]
    assert list(playlist.entries.values_list("position", flat=True)) == [1]


def test_follow_and_unfollow(personas, items):
    playlist = curated(personas, items, rules=[{}])
    client = personas.client("charlie")
    client.post(reverse("discovery:playlist_follow", args=[playlist.uid]), {"follow": "1"})
    assert PlaylistFollow.objects.filter(playlist=playlist, employee=personas.charlie).exists()
    assert [p.title for p in service.playlists_home(user=personas.charlie.user).following] == [
        "Data skills for Tech"
    ]
    client.post(reverse("discovery:playlist_follow", args=[playlist.uid]), {"follow": "0"})
    assert not PlaylistFollow.objects.exists()
    private = personal(personas, items, owner="bob")
    assert (
        status(
            personas,
            "charlie",
            reverse("discovery:playlist_follow", args=[private.uid]),
            "post",
            {"follow": "1"},
        )
        == 404
    )
    assert not PlaylistFollow.objects.exists()


def test_playlists_page_query_count_does_not_grow(personas, items, django_assert_max_num_queries):
    client = personas.client("alice")
    for n in range(3):
        playlist = curated(personas, items, rules=[{"departments": [personas.alice.department]}])
        service.playlist_update(user=personas.lena.user, playlist=playlist, title=f"Curated {n}")
        mine = personal(personas, items[:1])
        service.playlist_follow(user=personas.alice.user, playlist=playlist)
        assert mine.pk
    with django_assert_max_num_queries(22) as captured:
        response = client.get(reverse("discovery:playlists"))
    assert response.status_code == 200
    few = len(captured.captured_queries)
    for _ in range(3):
        curated(personas, items, rules=[{"managers": [personas.maria]}])
        personal(personas, items[:1])
    with django_assert_max_num_queries(few):
        client.get(reverse("discovery:playlists"))
    assert len(response.context["home"].for_me) == 3
    assert PlaylistEntry.objects.count() > 0
