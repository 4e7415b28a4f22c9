from __future__ import annotations

import json

from django.test import Client

from trellis.core.services import api_token_create
from trellis.notify.models import Category, Channel, Notification, Preference
from trellis.notify.services import notification_send

BASE = "/api/v1/notifications"


def send(who, key, **kw):
    return notification_send(
        recipient=who,
        category=kw.pop("category", Category.ASSIGNED),
        key=key,
        subject=kw.pop("subject", f"About {key}"),
        body=kw.pop("body", "Body text"),
        **kw,
    )


def bearer(employee, scopes):
    _, secret = api_token_create(
        user=employee.user, name="test", scopes=scopes, created_by=employee.user
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_list_is_only_mine_newest_first(personas, django_assert_num_queries):
    send(personas.alice, "a1", subject="One")
    send(personas.alice, "a2", subject="Two", url="/programs/assigned/")
    send(personas.bob, "b1", subject="For Bob")
    client = personas.client("alice")
    client.get(f"{BASE}/unread")  # warm the session and role caches
    with django_assert_num_queries(5):
        data = client.get(f"{BASE}/").json()
    assert data["count"] == 2
    assert [
        (n["subject"], n["category"], n["category_label"], n["url"]) for n in data["items"]
    ] == [
        ("Two", "assigned", "Assigned to you", "/programs/assigned/"),
        ("One", "assigned", "Assigned to you", ""),
    ]
    # an L&D admin reads only their own inbox too
    assert personas.client("lena").get(f"{BASE}/").json()["count"] == 0


def test_mark_read_one_and_all(personas):
    send(personas.alice, "a1")
    send(personas.alice, "a2")
    send(personas.bob, "b1")
    client = personas.client("alice")
    note = Notification.objects.get(key="a1")
    assert client.get(f"{BASE}/unread").json() == {"unread": 2}
    read = client.post(f"{BASE}/{note.pk}/read").json()
    assert read["id"] == note.pk and read["read_at"] is not None
    assert client.get(f"{BASE}/?unread=true").json()["count"] == 1
    assert client.post(f"{BASE}/read-all").json() == {"marked": 1}
    assert client.get(f"{BASE}/unread").json() == {"unread": 0}
    # Bob's notification stays unread
    assert Notification.objects.get(key="b1").read_at is None


def test_someone_elses_notification_is_404_and_unchanged(personas):
    note = send(personas.alice, "a1")
    note = Notification.objects.get(key="a1")
    bob = personas.client("bob")
    assert bob.get(f"{BASE}/{note.pk}").status_code == 404
    assert bob.post(f"{BASE}/{note.pk}/read").status_code == 404
    assert personas.client("lena").post(f"{BASE}/{note.pk}/read").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_preferences_read_and_partial_update(personas):
    client = personas.client("alice")
    matrix = client.get(f"{BASE}/preferences").json()
    assert len(matrix) == len(Category.values) * len(Channel.values)
    nudge_email = next(c for c in matrix if c["category"] == "nudge" and c["channel"] == "email")
    assert nudge_email == {
        "category": "nudge",
        "category_label": "Nudges",
        "channel": "email",
        "enabled": True,
        "available": True,
    }
    response = client.patch(
        f"{BASE}/preferences",
        json.dumps({"preferences": [{"category": "nudge", "channel": "email", "enabled": False}]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    cell = next(c for c in response.json() if c["category"] == "nudge" and c["channel"] == "email")
    assert cell["enabled"] is False
    assert (
        Preference.objects.get(employee=personas.alice, category="nudge", channel="email").enabled
        is False
    )
    assert not Preference.objects.filter(employee=personas.bob).exists()


def test_preferences_bad_pairs_named_and_nothing_written(personas):
    response = personas.client("alice").patch(
        f"{BASE}/preferences",
        json.dumps(
            {
                "preferences": [
                    {"category": "nudge", "channel": "email", "enabled": False},
                    {"category": "gossip", "channel": "email", "enabled": False},
                    {"category": "digest", "channel": "fax", "enabled": True},
                ]
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "body.preferences.1.category",
        "body.preferences.2.channel",
    ]
    assert not Preference.objects.exists()


def test_token_scopes(personas):
    send(personas.alice, "a1")
    note = Notification.objects.get(key="a1")
    reader = bearer(personas.alice, ["notifications:read"])
    client = Client()
    assert client.get(f"{BASE}/", **reader).json()["count"] == 1
    assert client.post(f"{BASE}/{note.pk}/read", **reader).status_code == 403
    note.refresh_from_db()
    assert note.read_at is None
    other = bearer(personas.alice, ["programs:read"])
    assert client.get(f"{BASE}/", **other).status_code == 403
    writer = bearer(personas.alice, ["notifications:write"])
    assert client.post(f"{BASE}/{note.pk}/read", **writer).status_code == 200
    assert Client().get(f"{BASE}/").status_code == 401
