from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trellis.core.services import api_token_create, api_token_revoke
from trellis.people.models import Employee
from trellis.people.tests.factories import EmployeeFactory

BASE = "/api/v1/people"


def token_for(employee: Employee, scopes: list[str]) -> tuple[object, dict[str, str]]:
    token, secret = api_token_create(
        user=employee.user, name="test", scopes=scopes, created_by=employee.user
    )
    return token, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def ids(response) -> set[str]:
    return {item["employee_id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", {"alice"}),
        ("maria", {"maria", "alice", "bob"}),
        ("lena", {"alice", "bob", "maria", "charlie", "oscar", "lena", "erin", "audrey"}),
    ],
)
def test_list_scoped_by_persona(personas, who, expected):
    _, auth = token_for(getattr(personas, who), ["people:read"])
    response = Client().get(f"{BASE}/employees", **auth)
    assert response.status_code == 200
    assert ids(response) == {getattr(personas, name).employee_id for name in expected}
    assert response.json()["count"] == len(expected)


def test_list_filters(personas):
    _, auth = token_for(personas.erin, ["people:read"])
    response = Client().get(f"{BASE}/employees", {"department": "sales"}, **auth)
    assert ids(response) == {personas.oscar.employee_id, personas.charlie.employee_id}
    response = Client().get(f"{BASE}/employees", {"q": "bob"}, **auth)
    item = response.json()["items"][0]
    assert response.json()["count"] == 1
    assert (
        item["manager_employee_id"] == personas.maria.employee_id
        and item["department_code"] == "technology-data"
    )


def test_scope_and_token_state(personas):
    token, auth = token_for(personas.lena, ["skills:read"])
    assert Client().get(f"{BASE}/employees", **auth).status_code == 403
    token, auth = token_for(personas.lena, ["people:read"])
    assert Client().get(f"{BASE}/employees", **auth).status_code == 200
    api_token_revoke(token=token, actor=personas.lena.user)
    assert Client().get(f"{BASE}/employees", **auth).status_code == 401
    assert Client().get(f"{BASE}/employees").status_code == 401
    # a browser session works too, scoped by role
    assert ids(personas.client("bob").get(f"{BASE}/employees")) == {personas.bob.employee_id}


def test_get_employee_404_outside_scope(personas):
    _, auth = token_for(personas.maria, ["people:read"])
    response = Client().get(f"{BASE}/employees/{personas.alice.employee_id}", **auth)
    assert response.status_code == 200 and response.json()["full_name"] == "Alice Learner"
    assert (
        Client().get(f"{BASE}/employees/{personas.charlie.employee_id}", **auth).status_code == 404
    )
    assert Client().get(f"{BASE}/employees/NOPE", **auth).status_code == 404


def test_org_lists_for_org_readers_only(personas):
    _, auth = token_for(personas.audrey, ["people:read"])
    response = Client().get(f"{BASE}/departments", **auth)
    assert [d["code"] for d in response.json()] == [
        "technology-data",
        "sales",
        "people",
        "executive",
    ]
    assert len(Client().get(f"{BASE}/locations", **auth).json()) == 8
    assert len(Client().get(f"{BASE}/job-roles", **auth).json()) == 8
    _, auth = token_for(personas.maria, ["people:read"])
    for path in ("departments", "locations", "job-roles"):
        assert Client().get(f"{BASE}/{path}", **auth).status_code == 403


def test_list_query_count_constant(personas, django_assert_num_queries):
    _, auth = token_for(personas.lena, ["people:read"])
    client = Client()
    client.get(f"{BASE}/employees", **auth)
    with django_assert_num_queries(6) as ctx:
        client.get(f"{BASE}/employees", **auth)
    n = len(ctx.captured_queries)
    for _ in range(60):
        EmployeeFactory(manager=personas.erin)
    with django_assert_num_queries(n):
        response = client.get(f"{BASE}/employees", **auth)
    assert len(response.json()["items"]) == 50 and response.json()["count"] == 68


def test_patch_employee(personas):
    _, auth = token_for(personas.lena, ["people:read", "people:write"])
    alice = personas.alice
    body = json.dumps(
        {"manager_employee_id": personas.oscar.employee_id, "timezone": "Europe/Lisbon"}
    )
    response = Client().patch(
        f"{BASE}/employees/{alice.employee_id}", body, content_type="application/json", **auth
    )
    assert response.status_code == 200, response.content
    assert response.json()["manager_employee_id"] == personas.oscar.employee_id
    alice.refresh_from_db()
    assert (
        alice.timezone == "Europe/Lisbon"
        and alice.manager_path == f"/{personas.erin.pk}/{personas.oscar.pk}/{alice.pk}/"
    )


def test_patch_errors_name_fields_and_change_nothing(personas):
    _, auth = token_for(personas.lena, ["people:write"])
    maria = personas.maria
    body = json.dumps({"manager_employee_id": personas.alice.employee_id, "timezone": "Bad/Zone"})
    response = Client().patch(
        f"{BASE}/employees/{maria.employee_id}", body, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.timezone"}
    body = json.dumps({"manager_employee_id": personas.alice.employee_id})
    response = Client().patch(
        f"{BASE}/employees/{maria.employee_id}", body, content_type="application/json", **auth
    )
    assert [e["field"] for e in response.json()["errors"]] == ["body.manager_employee_id"]
    body = json.dumps({"department_code": "nope", "hire_date": "31/12/2020"})
    response = Client().patch(
        f"{BASE}/employees/{maria.employee_id}", body, content_type="application/json", **auth
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.payload.hire_date"]
    maria.refresh_from_db()
    assert (maria.manager_id, maria.timezone) == (personas.erin.pk, "UTC")


@pytest.mark.parametrize(
    ("who", "scopes"), [("erin", ["people:read", "people:write"]), ("lena", ["people:read"])]
)
def test_patch_forbidden(personas, who, scopes):
    _, auth = token_for(getattr(personas, who), scopes)
    body = json.dumps({"full_name": "Changed"})
    response = Client().patch(
        f"{BASE}/employees/{personas.alice.employee_id}",
        body,
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    personas.alice.refresh_from_db()
    assert personas.alice.full_name == "Alice Learner"


CSV = (
    "employee_id,name,email,department,job_title,manager_employee_id,location,hire_date\n"
    "N1,Nia New,nia.new@acme.example,Sales,Sales Manager,{oscar},London,2025-01-06\n"
)


def test_import_endpoint(personas):
    _, auth = token_for(personas.lena, ["people:write"])
    data = CSV.format(oscar=personas.oscar.employee_id).encode()
    f = SimpleUploadedFile("hris.csv", data, content_type="text/csv")
    response = Client().post(f"{BASE}/import", {"file": f, "dry_run": "true"}, **auth)
    assert (
        response.status_code == 200
        and response.json()["created"] == 1
        and response.json()["dry_run"] is True
    )
    assert not Employee.objects.filter(employee_id="N1").exists()
    f = SimpleUploadedFile("hris.csv", data, content_type="text/csv")
    response = Client().post(f"{BASE}/import", {"file": f}, **auth)
    assert response.status_code == 200 and response.json()["ok"] is True
    assert Employee.objects.get(employee_id="N1").manager == personas.oscar


def test_import_endpoint_rejects_with_every_error(personas):
    _, auth = token_for(personas.lena, ["people:write"])
    data = (CSV.format(oscar="NOPE") + "N2,,bad,Sales,Rep,,London,2025-13-01\n").encode()
    before = Employee.objects.count()
    response = Client().post(
        f"{BASE}/import", {"file": SimpleUploadedFile("hris.csv", data)}, **auth
    )
    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} == {
        (2, "manager_employee_id"),
        (3, "name"),
        (3, "email"),
        (3, "hire_date"),
    }
    assert Employee.objects.count() == before


@pytest.mark.parametrize(("who", "scopes"), [("erin", ["people:write"]), ("lena", ["people:read"])])
def test_import_endpoint_forbidden(personas, who, scopes):
    _, auth = token_for(getattr(personas, who), scopes)
    data = CSV.format(oscar=personas.oscar.employee_id).encode()
    response = Client().post(
        f"{BASE}/import", {"file": SimpleUploadedFile("hris.csv", data)}, **auth
    )
    assert response.status_code == 403
    assert not Employee.objects.filter(employee_id="N1").exists()
