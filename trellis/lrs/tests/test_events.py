"""Trellis's own events become statements (stored like any client's) and progress; the learner's pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns
from trellis.catalog.models import Item, Provider
from trellis.lrs import events
from trellis.lrs.models import Progress, Statement
from trellis.lrs.projection import item_activity_id
from trellis.lrs.xapi.validation import validate_statement

pytestmark = [pytest.mark.django_db, pytest.mark.urls("trellis.lrs.tests.test_events")]

# /learning/ as the lead mounts it (kept here until config/urls.py includes it)
urlpatterns = [
    *site_urlpatterns,
    *(
        []
        if any(
            getattr(p, "pattern", None) and str(p.pattern) == "learning/" for p in site_urlpatterns
        )
        else [path("learning/", include("trellis.lrs.progress_urls"))]
    ),
]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def item(db: Any) -> Item:
    provider = Provider.objects.create(slug="academy", name="Academy")
    return Item.objects.create(
        provider=provider,
        external_id="video-1",
        title="What a language model does",
        description="A ten-minute video.",
        format="video",
        duration_minutes=10,
        launch_url="https://videos.example.com/llm",
    )


@pytest.fixture
def unpublished(item: Item) -> Item:
    return Item.objects.create(
        provider=item.provider,
        external_id="draft",
        title="Draft",
        format="article",
        is_published=False,
    )


def test_each_event_builds_a_valid_statement(personas: Any, item: Item) -> None:
    for verb, result in [
        (events.VIEWED, None),
        (events.LAUNCHED, None),
        (events.COMPLETED, {"completion": True, "duration": "PT10M0S"}),
        (events.RATED, {"score": {"raw": 4, "min": 1, "max": 5, "scaled": 0.8}}),
    ]:
        statement = events.build_statement(
            employee=personas.alice, item=item, verb=verb, result=result
        )
        validate_statement(statement, version="1.0.3")
        validate_statement(statement, version="2.0.0")
        assert statement["actor"] == {
            "objectType": "Agent",
            "name": "Alice Learner",
            "mbox": f"mailto:{personas.alice.email}",
        }
        assert statement["object"] == {
            "objectType": "Activity",
            "id": item_activity_id(item),
            "definition": {
                "name": {"en": "What a language model does"},
                "description": {"en": "A ten-minute video."},
                "type": "https://w3id.org/xapi/video/activity-type/video",
                "moreInfo": "https://videos.example.com/llm",
            },
        }


def test_events_are_stored_with_trellis_authority_and_projected(
    personas: Any, item: Item, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        viewed = events.record_item_viewed(employee=personas.alice, item=item)
    assert Progress.objects.get().status == "launched"
    with django_capture_on_commit_callbacks(execute=True):
        events.record_item_launched(employee=personas.alice, item=item)
        done = events.record_item_completed(
            employee=personas.alice, item=item, duration_seconds=754
        )
        events.record_item_rated(employee=personas.alice, item=item, rating=5)
    stored = Statement.objects.get(statement_id=done)
    assert stored.data["authority"] == events.trellis_authority()
    assert stored.data["result"] == {"completion": True, "duration": "PT12M34S"}
    assert Statement.objects.filter(statement_id=viewed).exists()
    row = Progress.objects.get()
    assert (row.employee_id, row.item_id, row.status, row.time_spent_seconds, row.attempts) == (
        personas.alice.pk,
        item.pk,
        "completed",
        754,
        1,
    )
    assert row.score_scaled is None  # a rating is not a score


@pytest.mark.parametrize("rating", [0, 6, True, "4"])
def test_a_rating_outside_1_to_5_is_refused(personas: Any, item: Item, rating: Any) -> None:
    with pytest.raises(ValidationError, match="rating"):
        events.record_item_rated(employee=personas.alice, item=item, rating=rating)
    assert Statement.objects.count() == 0


# --- pages ------------------------------------------------------------------------------------


def test_launch_records_and_redirects_to_the_item(
    personas: Any, item: Item, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client("alice").post(f"/learning/item/{item.uid}/launch")
    assert response.status_code == 302 and response["Location"] == "https://videos.example.com/llm"
    assert Statement.objects.get().verb_id == "http://adlnet.gov/expapi/verbs/launched"
    assert Progress.objects.get().employee_id == personas.alice.pk


def test_done_and_rate_record_statements(
    personas: Any, item: Item, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client("alice")
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/learning/item/{item.uid}/done")
        rated = client.post(f"/learning/item/{item.uid}/rate", {"rating": "4"})
        panel = client.post(
            f"/learning/item/{item.uid}/rate", {"rating": "3"}, HTTP_HX_REQUEST="true"
        )
    assert done.status_code == 302 and done["Location"] == f"/catalog/item/{item.uid}/"
    assert rated.status_code == 302
    assert panel.status_code == 200 and b"Your progress" in panel.content
    assert [
        s.data["result"].get("score", {}).get("raw") for s in Statement.objects.order_by("pk")
    ] == [
        None,
        4,
        3,
    ]
    assert Progress.objects.get().status == "completed"


def test_bad_rating_answers_400_and_records_nothing(personas: Any, item: Item) -> None:
    response = personas.client("alice").post(f"/learning/item/{item.uid}/rate", {"rating": "9"})
    assert response.status_code == 400 and b"rating" in response.content
    assert Statement.objects.count() == 0


def test_learners_cannot_record_on_unpublished_items(personas: Any, unpublished: Item) -> None:
    response = personas.client("alice").post(f"/learning/item/{unpublished.uid}/done")
    assert response.status_code == 404
    assert Statement.objects.count() == 0


def test_actions_need_post_and_sign_in(personas: Any, item: Item, client: Any) -> None:
    assert personas.client("alice").get(f"/learning/item/{item.uid}/done").status_code == 405
    response = client.post(f"/learning/item/{item.uid}/done")
    assert response.status_code == 302 and "login" in response["Location"]
    assert Statement.objects.count() == 0


def test_my_learning_shows_only_my_own_progress(
    personas: Any, item: Item, django_capture_on_commit_callbacks: Any
) -> None:
    other = Item.objects.create(
        provider=item.provider, external_id="bob-only", title="Bob's secret course", format="course"
    )
    with django_capture_on_commit_callbacks(execute=True):
        events.record_item_completed(employee=personas.alice, item=item)
        events.record_item_launched(employee=personas.bob, item=other)
    alice_page = personas.client("alice").get("/learning/")
    assert alice_page.status_code == 200
    assert b"What a language model does" in alice_page.content
    assert b"Bob&#x27;s secret course" not in alice_page.content
    assert b"Completed (1)" in alice_page.content and b"In progress (0)" in alice_page.content
    bob_page = personas.client("bob").get("/learning/").content
    assert b"Bob&#x27;s secret course" in bob_page and b"What a language model does" not in bob_page
    # a manager sees only their own record here, not their reports'
    maria_page = personas.client("maria").get("/learning/").content
    assert b"In progress (0)" in maria_page and b"Completed (0)" in maria_page


def test_my_learning_is_one_query_for_the_rows(
    personas: Any,
    item: Item,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            extra = Item.objects.create(
                provider=item.provider, external_id=f"x{n}", title=f"Item {n}", format="article"
            )
            events.record_item_viewed(employee=personas.alice, item=extra)
    client = personas.client("alice")
    client.get("/learning/")  # warm the session
    with django_assert_max_num_queries(8):
        response = client.get("/learning/")
    assert response.content.count(b"<tr>") == 1 + 5


def test_mark_as_done_with_htmx_answers_the_panel_already_completed(
    personas: Any, item: Item, settings: Any
) -> None:
    # Tasks go to the database queue here (nobody runs them): the panel must not depend on the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = personas.client("alice")
    response = client.post(f"/learning/item/{item.uid}/done", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="learning-panel"' in html and "Completed" in html
    assert Progress.objects.get(employee=personas.alice).status == Progress.Status.COMPLETED
    # no flash message is left behind for the next full page
    assert "Marked" not in client.get("/learning/").content.decode()
