"""The Activities resource (xAPI 1.0.3 Communication §2.5, Data §2.4.4.1 definitions) and the Agents
resource (§2.4, the Person object)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils.http import http_date

from trellis.lrs.clients import lrs_client_create
from trellis.lrs.documents import activity_definitions_merge
from trellis.lrs.models import ActivityDefinition

pytestmark = pytest.mark.django_db

ACTIVITY = "http://example.com/activities/quiz-1"


@pytest.fixture
def get(personas: Any, client: Any) -> Any:
    lrs_client, secret = lrs_client_create(
        name="Reader", scopes=["all/read"], created_by=personas.lena.user
    )
    auth = "Basic " + base64.b64encode(f"{lrs_client.key}:{secret}".encode()).decode()

    def call(resource: str, params: dict[str, Any], version: str = "1.0.3") -> Any:
        query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
        return client.get(
            f"/xapi/{resource}?{urlencode(query)}",
            headers={"Authorization": auth, "X-Experience-API-Version": version},
        )

    return call


# -- Activity definitions merged from statements ---------------------------------------------------


def test_the_first_definition_is_recorded_even_without_the_define_scope():
    activity_definitions_merge(
        [{"id": ACTIVITY, "definition": {"name": {"en-US": "Quiz"}}}], can_define=False
    )
    assert ActivityDefinition.objects.get().definition == {"name": {"en-US": "Quiz"}}


def test_newer_definitions_merge_language_maps_extensions_and_components_and_replace_the_rest():
    activity_definitions_merge(
        [
            {
                "id": ACTIVITY,
                "definition": {
                    "name": {"en-US": "Quiz", "fr-FR": "Quiz"},
                    "type": "http://adlnet.gov/expapi/activities/assessment",
                    "extensions": {"http://example.com/x": 1},
                    "interactionType": "choice",
                    "correctResponsesPattern": ["a"],
                    "choices": [
                        {"id": "a", "description": {"en-US": "A"}},
                        {"id": "b", "description": {"en-US": "B"}},
                    ],
                },
            }
        ],
        can_define=True,
    )
    activity_definitions_merge(
        [
            {"id": ACTIVITY},  # no definition: nothing to merge
            {
                "id": ACTIVITY,
                "definition": {
                    "name": {"en-US": "Final quiz"},
                    "description": {"en-US": "Ten questions"},
                    "extensions": {"http://example.com/y": 2},
                    "moreInfo": "http://example.com/quiz",
                    "choices": [
                        {"id": "b", "description": {"de-DE": "B"}},
                        {"id": "c", "description": {"en-US": "C"}},
                    ],
                },
            },
        ],
        can_define=True,
    )
    assert ActivityDefinition.objects.get().definition == {
        "name": {"en-US": "Final quiz", "fr-FR": "Quiz"},
        "description": {"en-US": "Ten questions"},
        "type": "http://adlnet.gov/expapi/activities/assessment",
        "extensions": {"http://example.com/x": 1, "http://example.com/y": 2},
        "moreInfo": "http://example.com/quiz",
        "interactionType": "choice",
        "correctResponsesPattern": ["a"],
        "choices": [
            {"id": "a", "description": {"en-US": "A"}},
            {"id": "b", "description": {"en-US": "B", "de-DE": "B"}},
            {"id": "c", "description": {"en-US": "C"}},
        ],
    }


def test_without_the_define_scope_an_existing_definition_is_not_changed():
    activity_definitions_merge(
        [{"id": ACTIVITY, "definition": {"name": {"en-US": "Quiz"}}}], can_define=True
    )
    before = ActivityDefinition.objects.values("definition", "updated").get()
    activity_definitions_merge(
        [{"id": ACTIVITY, "definition": {"name": {"en-US": "Hijacked"}}}], can_define=False
    )
    assert ActivityDefinition.objects.values("definition", "updated").get() == before


def test_a_batch_merges_in_order_in_a_fixed_number_of_queries(django_assert_num_queries):
    activities = [
        {"id": f"{ACTIVITY}/{i % 10}", "definition": {"name": {"en-US": f"Item {i}"}}}
        for i in range(100)
    ]
    # SELECT … FOR UPDATE, INSERT (bulk), plus the savepoint pair of the atomic block
    with django_assert_num_queries(4):
        activity_definitions_merge(activities, can_define=True)
    assert ActivityDefinition.objects.count() == 10
    assert ActivityDefinition.objects.get(activity_id=f"{ACTIVITY}/3").definition == {
        "name": {"en-US": "Item 93"}
    }


# -- GET /xapi/activities ----------------------------------------------------------------------------


def test_get_activity_returns_the_canonical_definition(get):
    activity_definitions_merge(
        [{"id": ACTIVITY, "definition": {"name": {"en-US": "Quiz"}}}], can_define=True
    )
    ActivityDefinition.objects.update(updated=datetime(2024, 3, 1, 9, 30, tzinfo=UTC))
    response = get("activities", {"activityId": ACTIVITY})
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"en-US": "Quiz"}},
    }
    assert response["ETag"] == f'"{hashlib.sha1(response.content).hexdigest()}"'
    assert response["Last-Modified"] == http_date(
        datetime(2024, 3, 1, 9, 30, tzinfo=UTC).timestamp()
    )


def test_get_unknown_activity_still_returns_an_activity_object(get):
    response = get("activities", {"activityId": "http://example.com/never-seen"})
    assert response.status_code == 200
    assert response.json() == {"objectType": "Activity", "id": "http://example.com/never-seen"}


@pytest.mark.parametrize(
    ("params", "prop"),
    [
        ({}, "activityId"),
        ({"activityId": "no iri"}, "activityId"),
        ({"activityId": ACTIVITY, "x": "1"}, "x"),
    ],
)
def test_get_activity_with_bad_parameters_is_400_naming_them(get, params, prop):
    response = get("activities", params)
    assert response.status_code == 400
    assert response.json()["property"] == prop


# -- GET /xapi/agents -------------------------------------------------------------------------------


def test_person_of_a_trellis_employee_includes_their_name(get, personas):
    email = personas.alice.email
    response = get("agents", {"agent": {"objectType": "Agent", "mbox": f"mailto:{email.upper()}"}})
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Person",
        "name": [personas.alice.full_name],
        "mbox": [f"mailto:{email.upper()}"],
    }
    assert response["ETag"] == f'"{hashlib.sha1(response.content).hexdigest()}"'


def test_person_of_an_unknown_agent_is_the_agent_itself(get):
    account = {"homePage": "https://lms.example.com", "name": "u-42"}
    response = get("agents", {"agent": {"name": "Someone", "account": account}})
    assert response.json() == {"objectType": "Person", "name": ["Someone"], "account": [account]}
    response = get("agents", {"agent": {"openid": "https://id.example.com/u"}})
    assert response.json() == {"objectType": "Person", "openid": ["https://id.example.com/u"]}


@pytest.mark.parametrize(
    ("params", "prop"),
    [
        ({}, "agent"),
        ({"agent": "nope"}, "agent"),
        ({"agent": {"objectType": "Group", "member": []}}, "agent.objectType"),
        ({"agent": {"mbox": "mailto:a@example.com", "openid": "https://x"}}, "agent"),
    ],
)
def test_get_agents_with_bad_parameters_is_400_naming_them(get, params, prop):
    response = get("agents", params)
    assert response.status_code == 400
    assert response.json()["property"] == prop


def test_activities_and_agents_need_credentials(client):
    response = client.get(
        "/xapi/activities?" + urlencode({"activityId": ACTIVITY}),
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 401


def test_a_write_only_client_cannot_read_activities(personas, client):
    lrs_client, secret = lrs_client_create(
        name="Writer", scopes=["statements/write"], created_by=personas.lena.user
    )
    auth = "Basic " + base64.b64encode(f"{lrs_client.key}:{secret}".encode()).decode()
    response = client.get(
        "/xapi/activities?" + urlencode({"activityId": ACTIVITY}),
        headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 403


def test_statements_define_activities_for_the_activities_resource(client, personas):
    """Storing a statement records its activity's definition; GET /xapi/activities returns it (§2.5)."""
    import base64

    from trellis.lrs.clients import lrs_client_create

    lrs_client, secret = lrs_client_create(name="tool", scopes=["all"], created_by=None)
    auth = "Basic " + base64.b64encode(f"{lrs_client.key}:{secret}".encode()).decode()
    headers = {"HTTP_AUTHORIZATION": auth, "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    statement = {
        "actor": {"mbox": "mailto:ada@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {
            "id": "https://courses.example.com/a1",
            "definition": {"name": {"en-US": "Module 1"}},
        },
        "context": {
            "contextActivities": {
                "parent": {
                    "id": "https://courses.example.com/c",
                    "definition": {"name": {"en-US": "Course"}},
                }
            }
        },
    }
    assert (
        client.post(
            "/xapi/statements", statement, content_type="application/json", **headers
        ).status_code
        == 200
    )
    got = client.get(
        "/xapi/activities", {"activityId": "https://courses.example.com/a1"}, **headers
    )
    assert got.status_code == 200
    assert got.json() == {
        "objectType": "Activity",
        "id": "https://courses.example.com/a1",
        "definition": {"name": {"en-US": "Module 1"}},
    }
    parent = client.get(
        "/xapi/activities", {"activityId": "https://courses.example.com/c"}, **headers
    ).json()
    assert parent["definition"] == {"name": {"en-US": "Course"}}
