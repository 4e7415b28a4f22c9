from __future__ import annotations

import json

import pytest
from django.test import Client

from trellis.core.services import api_token_create
from trellis.skills.models import RoleSkill, Skill, SkillEvidence
from trellis.skills.services import role_profile_generate

API = "/api/v1/skills"


def token_client(employee, scopes):
    _, secret = api_token_create(
        user=employee.user, name="t", scopes=scopes, created_by=employee.user
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _profile(role):
    return sorted(
        RoleSkill.objects.filter(job_role=role).values_list(
            "skill_id", "target_level", "is_essential", "origin"
        )
    )


def test_skill_search_and_detail(taxonomy, personas):
    client = token_client(personas.alice, ["skills:read"])
    body = client.get(f"{API}/skills", {"q": "teamwork"}).json()
    assert body["count"] == 1
    assert body["items"][0]["uri"] == taxonomy.team.uri
    assert body["items"][0]["is_transversal"] is True
    ai = client.get(f"{API}/skills", {"family": "ai-literacy"}).json()
    assert ai["count"] == 8 and {i["family"] for i in ai["items"]} == {"ai-literacy"}
    esco = client.get(f"{API}/skills", {"source": "esco", "kind": "group"}).json()
    assert [i["label"] for i in esco["items"]] == ["ICT"]
    detail = client.get(f"{API}/skills/{taxonomy.py.pk}").json()
    assert sorted(detail["alt_labels"]) == ["Python", "python programming"]
    assert [p["label"] for p in detail["parents"]] == ["ICT"]
    assert [c["label"] for c in detail["children"]] == ["debug software"]
    assert detail["level_names"] == ["Awareness", "Beginner", "Intermediate", "Advanced", "Expert"]
    assert client.get(f"{API}/skills/999999").status_code == 404
    occ = client.get(f"{API}/occupations", {"q": "developer"}).json()
    assert [(o["label"], o["isco_group"]) for o in occ["items"]] == [("software developer", "2512")]


def test_skill_list_query_count_does_not_grow_with_page_size(
    taxonomy, personas, django_assert_max_num_queries
):
    client = personas.client("alice")
    with django_assert_max_num_queries(12) as first:
        assert client.get(f"{API}/skills").json()["count"] == 12
    Skill.objects.bulk_create(
        [Skill(uri=f"trellis:x:{i}", source="trellis", label=f"extra {i:02d}") for i in range(40)]
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(f"{API}/skills").json()["items"]) == 50


def test_read_needs_a_scope_and_authentication(taxonomy, personas):
    assert Client().get(f"{API}/skills").status_code == 401
    no_scope = token_client(personas.alice, ["people:read"])
    response = no_scope.get(f"{API}/skills")
    assert response.status_code == 403
    assert "skills:read" in response.json()["detail"]


def test_role_profile_read_permissions(taxonomy, personas):
    role_profile_generate(job_role=taxonomy.role, actor=None)
    url = f"{API}/roles/{taxonomy.role.pk}/profile"
    assert token_client(personas.alice, ["skills:read"]).get(url).status_code == 403
    assert token_client(personas.maria, ["skills:read"]).get(url).status_code == 403
    lines = token_client(personas.erin, ["skills:read"]).get(url).json()
    assert len(lines) == 10
    assert {(line["skill"]["uri"], line["target_level"]) for line in lines} >= {
        (taxonomy.py.uri, 3),
        (taxonomy.debug.uri, 3),
    }


def test_role_profile_put_and_delete(taxonomy, personas):
    url = f"{API}/roles/{taxonomy.role.pk}/profile/{taxonomy.team.pk}"
    writer = token_client(personas.lena, ["skills:read", "skills:write"])
    response = writer.put(
        url, json.dumps({"target_level": 4, "is_essential": False}), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "skill": {"id": taxonomy.team.pk, "uri": taxonomy.team.uri, "label": "work in teams"},
        "target_level": 4,
        "is_essential": False,
        "origin": "manual",
    }
    bad = writer.put(url, json.dumps({"target_level": 6}), content_type="application/json")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["body.payload.target_level"]
    assert _profile(taxonomy.role) == [(taxonomy.team.pk, 4, False, "manual")]
    assert writer.delete(url).status_code == 204
    assert _profile(taxonomy.role) == []
    assert writer.delete(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "scopes"),
    [
        ("lena", ["skills:read"]),
        ("erin", ["skills:read", "skills:write"]),
        ("alice", ["skills:write"]),
    ],
)
def test_role_profile_write_forbidden(taxonomy, personas, who, scopes):
    role_profile_generate(job_role=taxonomy.role, actor=None)
    before = _profile(taxonomy.role)
    client = token_client(getattr(personas, who), scopes)
    url = f"{API}/roles/{taxonomy.role.pk}/profile/{taxonomy.py.pk}"
    assert (
        client.put(
            url, json.dumps({"target_level": 1}), content_type="application/json"
        ).status_code
        == 403
    )
    assert client.delete(url).status_code == 403
    assert _profile(taxonomy.role) == before


def test_employee_profile_visibility(taxonomy, personas):
    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    SkillEvidence.objects.create(
        employee=alice, skill=taxonomy.py, level=2, kind="self", observed_on="2026-01-05"
    )
    url = f"{API}/employees/{alice.employee_id}/profile"
    for who in ("alice", "maria", "erin", "lena", "audrey"):
        body = token_client(getattr(personas, who), ["skills:read"]).get(url).json()
        py = next(line for line in body["role_lines"] if line["uri"] == taxonomy.py.uri)
        assert (
            body["employee_id"],
            py["current_level"],
            py["target_level"],
            py["gap"],
            py["level_name"],
        ) == (alice.employee_id, 2, 3, 1, "Beginner")
    for who in ("bob", "charlie", "oscar"):
        assert token_client(getattr(personas, who), ["skills:read"]).get(url).status_code == 403
    assert token_client(alice, ["people:read"]).get(url).status_code == 403
    assert (
        token_client(personas.erin, ["skills:read"])
        .get(f"{API}/employees/NOPE/profile")
        .status_code
        == 403
    )


def test_session_put_needs_csrf(taxonomy, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.lena.user)
    url = f"{API}/roles/{taxonomy.role.pk}/profile/{taxonomy.team.pk}"
    assert client.put(
        url, json.dumps({"target_level": 2}), content_type="application/json"
    ).status_code in (401, 403)
    assert not RoleSkill.objects.exists()
