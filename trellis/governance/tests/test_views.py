from __future__ import annotations

import csv
import io
import json
import types
from typing import Any

import pytest
from django.urls import reverse

from trellis.core.models import AuditEvent
from trellis.core.services import audit_log
from trellis.governance import selectors, services
from trellis.governance.demo import ai_systems_seed
from trellis.governance.models import (
    AISystem,
    OwnershipArea,
    OwnershipAssignment,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
)
from trellis.governance.tests.conftest import aware

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"governance:{name}", args=args)


@pytest.fixture
def policy(personas: Any, make_policy: Any) -> Policy:
    return make_policy(
        rules=[{"departments": [personas.alice.department]}], published_at=aware(2026, 1, 1)
    )


# --- home and policies -------------------------------------------------------------------------------


def test_home_lists_what_i_must_acknowledge(personas: Any, policy: Policy) -> None:
    page = personas.client("alice").get(url("home")).content.decode()
    assert "Our AI strategy" in page and "Overdue" in page
    other = personas.client("charlie").get(url("home")).content.decode()
    assert "Our AI strategy" not in other
    assert "No AI strategy or usage expectations are addressed to you yet." in other


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 403), ("maria", 403), ("lena", 200), ("erin", 200), ("audrey", 200)],
)
def test_policy_list_roles(personas: Any, policy: Policy, who: str, status: int) -> None:
    response = personas.client(who).get(url("policy_list"))
    assert response.status_code == status
    if status == 200:
        assert "Our AI strategy" in response.content.decode()


def test_policy_new_validates_and_writes_nothing(personas: Any) -> None:
    response = personas.client("lena").post(
        url("policy_new"),
        {"title": "", "kind": "strategy", "body": "x", "sponsor": "nobody", "due_days": "30"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Title</a>: This field is required." in page
    assert "No active person with the id, username or email “nobody”." in page
    assert Policy.objects.count() == 0


def test_policy_new_creates_a_draft_with_its_audience(personas: Any) -> None:
    response = personas.client("lena").post(
        url("policy_new"),
        {
            "title": "Usage",
            "kind": "usage",
            "body": "- Be careful",
            "sponsor": "erin",
            "due_days": "14",
            "reminder_days": "3, 1",
            "departments": [personas.alice.department.pk],
        },
    )
    policy = Policy.objects.get()
    assert response.status_code == 302 and response["Location"] == url("policy", policy.pk)
    assert (policy.kind, policy.sponsor, policy.due_days, policy.reminder_days) == (
        "usage",
        personas.erin,
        14,
        [3, 1],
    )
    assert list(policy.rules.get().departments.all()) == [personas.alice.department]


@pytest.mark.parametrize("who", ["alice", "maria", "erin", "audrey"])
def test_only_ld_admins_write_policies(personas: Any, policy: Policy, who: str) -> None:
    client = personas.client(who)
    assert client.post(url("policy_new"), {"title": "x"}).status_code == 403
    assert client.post(url("policy_publish", policy.pk)).status_code == 403
    assert client.post(url("policy_retire", policy.pk)).status_code == 403
    assert client.get(url("policy_edit", policy.pk)).status_code == 403
    assert Policy.objects.count() == 1 and PolicyVersion.objects.count() == 1


def test_policy_page_per_persona(personas: Any, policy: Policy) -> None:
    alice = personas.client("alice").get(url("policy", policy.pk)).content.decode()
    assert "I have read and acknowledge version 1" in alice
    assert "Planned vs actual by department" not in alice
    assert personas.client("charlie").get(url("policy", policy.pk)).status_code == 404
    erin = personas.client("erin").get(url("policy", policy.pk)).content.decode()
    assert "Planned vs actual by department" in erin and "Publish as version 2" not in erin
    lena = personas.client("lena").get(url("policy", policy.pk)).content.decode()
    assert "Publish as version 2" in lena


def test_draft_is_hidden_from_learners(personas: Any, make_policy: Any) -> None:
    draft = make_policy(title="Draft")
    assert personas.client("alice").get(url("policy", draft.pk)).status_code == 404
    assert personas.client("audrey").get(url("policy", draft.pk)).status_code == 200


def test_acknowledge_from_the_page(personas: Any, policy: Policy) -> None:
    response = personas.client("alice").post(url("policy_acknowledge", policy.pk))
    assert response.status_code == 302
    assert PolicyAcknowledgement.objects.get().employee == personas.alice
    assert personas.client("charlie").post(url("policy_acknowledge", policy.pk)).status_code == 404
    assert PolicyAcknowledgement.objects.count() == 1


def test_publish_a_new_version_from_the_page(personas: Any, policy: Policy) -> None:
    services.policy_update(actor=personas.lena.user, policy=policy, body="new text")
    client = personas.client("lena")
    response = client.post(url("policy_publish", policy.pk), {"change_note": "shorter"})
    assert response.status_code == 302
    assert list(policy.versions.values_list("number", "change_note")) == [(2, "shorter"), (1, "")]
    again = client.post(url("policy_publish", policy.pk), follow=True).content.decode()
    assert "body: Nothing changed since version 2." in again
    assert policy.versions.count() == 2


# --- ownership ----------------------------------------------------------------------------------------


def test_registry_for_everyone_with_gaps_and_no_survey(personas: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(
        __import__("sys").modules, "trellis.surveys.selectors", types.ModuleType("empty")
    )
    area = services.ownership_area_create(actor=personas.lena.user, name="Model risk")
    services.ownership_assign(actor=personas.lena.user, area=area, employee=personas.bob, role="R")
    page = personas.client("alice").get(url("ownership")).content.decode()
    assert "Model risk" in page and "nobody accountable" in page
    assert "No survey yet" in page
    assert personas.client("alice").get(url("ownership_edit")).status_code == 403


def test_registry_shows_the_survey_clarity(personas: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(
        selectors,
        "ownership_clarity",
        lambda: {"wave_id": 2, "respondents": 412, "shares": {"very_clear": 0.23}, "score": 48.5},
    )
    page = personas.client("charlie").get(url("ownership")).content.decode()
    assert "48.5</span> out of 100" in page
    assert "from 412 answers" in page and "Very clear: 23 %" in page


def test_one_accountable_per_area(personas: Any) -> None:
    area = services.ownership_area_create(actor=personas.lena.user, name="Data and privacy")
    client = personas.client("lena")
    data = {
        "action": "assign",
        "assign-area": area.pk,
        "assign-employee": "audrey",
        "assign-role": "A",
    }
    assert client.post(url("ownership_edit"), data).status_code == 302
    response = client.post(url("ownership_edit"), {**data, "assign-employee": "bob"})
    assert response.status_code == 422
    assert "is already accountable for Data and privacy" in response.content.decode()
    assert list(OwnershipAssignment.objects.values_list("employee__user__username", "role")) == [
        ("audrey", "A")
    ]


def test_people_who_left_are_flagged(personas: Any) -> None:
    from trellis.people.services import employee_deactivate

    area = services.ownership_area_create(actor=personas.lena.user, name="Tool selection")
    services.ownership_assign(actor=personas.lena.user, area=area, employee=personas.bob, role="A")
    employee_deactivate(actor=personas.lena.user, employee=personas.bob)
    row = selectors.ownership_registry()["gaps"][0]
    assert row["problems"] == [
        "nobody accountable",
        "nobody responsible",
        "Bob Peer (accountable) has left",
    ]


# --- AI systems -------------------------------------------------------------------------------------


def test_inventory_and_model_card_for_every_learner(personas: Any) -> None:
    ai_systems_seed(actor=personas.lena.user)
    page = personas.client("alice").get(url("ai_systems")).content.decode()
    assert "“For you” recommendations" in page and "Text embeddings model" in page
    card = personas.client("alice").get(url("ai_system", "recommender")).content.decode()
    assert "Recall@10" in card and "0.526" in card and "Control your feed" in card
    assert personas.client("alice").get(url("ai_system_edit", "recommender")).status_code == 403
    assert personas.client("erin").get(url("ai_system_edit", "recommender")).status_code == 403
    assert personas.client("alice").get(url("ai_system", "nope")).status_code == 404


def test_ld_admin_edits_a_system(personas: Any) -> None:
    ai_systems_seed(actor=personas.lena.user)
    client = personas.client("lena")
    response = client.post(
        url("ai_system_edit", "search"),
        {"owner": "maria", "status": "pilot", "model_version": "v2", "evaluated_on": "2026-01-05"},
    )
    assert response.status_code == 302
    system = AISystem.objects.get(slug="search")
    assert (system.owner, system.status, system.model_version) == (personas.maria, "pilot", "v2")
    event = AuditEvent.objects.filter(code="trellis.governance.ai_system_updated").get()
    assert event.data["after"]["status"] == "pilot" and event.data["before"]["status"] == "in_use"
    bad = client.post(url("ai_system_edit", "search"), {"owner": "ghost", "status": "in_use"})
    assert bad.status_code == 422 and "No active person" in bad.content.decode()


# --- audit ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 403), ("maria", 403), ("erin", 403), ("lena", 200), ("audrey", 200)],
)
def test_audit_page_roles(personas: Any, who: str, status: int) -> None:
    assert personas.client(who).get(url("audit")).status_code == status
    assert personas.client(who).get(url("audit_export")).status_code == status


def test_audit_search_and_before_after(personas: Any) -> None:
    audit_log(
        actor=personas.lena.user,
        code="trellis.governance.policy_updated",
        target=personas.alice,
        data={"before": {"title": "Old"}, "after": {"title": "New"}},
    )
    audit_log(actor=None, code="trellis.people.moved", data={"manager": [1, 2], "reason": "x"})
    client = personas.client("audrey")
    page = client.get(
        url("audit"), {"actor": "lena", "code": "trellis.governance"}
    ).content.decode()
    assert "1 entry" in page and "Old → New" in page
    page = client.get(url("audit"), {"actor": "system", "q": "reason"}).content.decode()
    assert "1 entry" in page and "1 → 2" in page
    page = client.get(
        url("audit"), {"target": f"people.employee:{personas.alice.pk}"}
    ).content.decode()
    assert "1 entry" in page
    bad = client.get(url("audit"), {"date_from": "yesterday"})
    assert bad.status_code == 422 and "Give a date as YYYY-MM-DD." in bad.content.decode()


def test_audit_export_streams_csv_and_is_itself_audited(personas: Any) -> None:
    audit_log(actor=personas.lena.user, code="trellis.x.one", data={"n": 1})
    audit_log(actor=personas.lena.user, code="trellis.y.two", data={"n": 2})
    response = personas.client("audrey").get(url("audit_export"), {"code": "trellis.x"})
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "actor", "code", "target_type", "target_id", "data"]
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [("lena", "trellis.x.one", '{"n": 1}')]
    logged = AuditEvent.objects.get(code="trellis.audit.exported")
    assert (logged.actor, logged.data) == (personas.audrey.user, {"filters": {"code": "trellis.x"}})


# --- personal data ------------------------------------------------------------------------------------


def test_my_data_export_is_mine_only(personas: Any, policy: Policy) -> None:
    services.policy_acknowledge(employee=personas.alice, policy=policy)
    response = personas.client("alice").get(url("my_data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="trellis-my-data-')
    data = json.loads(response.content)
    assert data["person"] == personas.alice.employee_id
    assert data["sections"]["people"]["profile"]["email"] == personas.alice.email
    assert [a["policy"] for a in data["sections"]["governance"]["policy_acknowledgements"]] == [
        "Our AI strategy"
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 403), ("maria", 403), ("erin", 403), ("lena", 200), ("audrey", 200)],
)
def test_someone_elses_export(personas: Any, who: str, status: int) -> None:
    response = personas.client(who).get(url("person_export", personas.alice.employee_id))
    assert response.status_code == status
    viewed = AuditEvent.objects.filter(code="trellis.privacy.viewed")
    assert viewed.count() == (1 if status == 200 else 0)
    if status == 200:
        assert json.loads(response.content)["person"] == personas.alice.employee_id


def test_erasure_page_confirms_and_names_the_field(personas: Any) -> None:
    target = url("person_erase", personas.charlie.employee_id)
    assert personas.client("maria").post(target, {"reason": "x"}).status_code == 403
    client = personas.client("audrey")
    assert "You are about to erase" in client.get(target).content.decode()
    bad = client.post(target, {"reason": "request", "confirm": "wrong"})
    assert bad.status_code == 422
    assert "This is not the person&#x27;s HRIS id; nothing was erased." in bad.content.decode()
    personas.charlie.refresh_from_db()
    assert personas.charlie.full_name == "Charlie Outsider"
    ok = client.post(target, {"reason": "request", "confirm": personas.charlie.employee_id})
    assert ok.status_code == 302
    personas.charlie.refresh_from_db()
    assert personas.charlie.full_name.startswith("Erased person anon-")
    assert AuditEvent.objects.filter(code="trellis.privacy.erased").count() == 1


def test_rename_and_delete_an_area(personas: Any) -> None:
    area = services.ownership_area_create(actor=personas.lena.user, name="Tools")
    services.ownership_area_create(actor=personas.lena.user, name="Model risk")
    client = personas.client("lena")
    clash = client.post(
        url("ownership_edit"), {"action": "rename_area", "area": area.pk, "name": "model risk"}
    )
    assert clash.status_code == 422
    assert "There is already an area called “model risk”." in clash.content.decode()
    ok = client.post(
        url("ownership_edit"), {"action": "rename_area", "area": area.pk, "name": "Tool selection"}
    )
    assert ok.status_code == 302
    area.refresh_from_db()
    assert area.name == "Tool selection"
    event = AuditEvent.objects.get(code="trellis.governance.area_updated")
    assert (event.data["before"]["name"], event.data["after"]["name"]) == (
        "Tools",
        "Tool selection",
    )
    assert (
        personas.client("erin")
        .post(url("ownership_edit"), {"action": "delete_area", "area": area.pk})
        .status_code
        == 403
    )
    assert (
        client.post(url("ownership_edit"), {"action": "delete_area", "area": area.pk}).status_code
        == 302
    )
    assert list(OwnershipArea.objects.values_list("name", flat=True)) == ["Model risk"]


def test_no_survey_wave_yet_says_so(personas: Any) -> None:
    assert selectors.ownership_clarity() is None
    page = personas.client("maria").get(url("ownership")).content.decode()
    assert "No survey yet" in page


def test_manager_follows_their_line(personas: Any, make_policy: Any) -> None:
    # only Maria's reports are in the audience; Maria herself is not
    policy = make_policy(rules=[{"managers": [personas.maria]}], published_at=aware(2026, 1, 1))
    services.policy_acknowledge(employee=personas.alice, policy=policy, now=aware(2026, 1, 3))
    page = personas.client("maria").get(url("policy", policy.pk)).content.decode()
    assert "1 of 2 acknowledged version 1" in page
    assert "Alice Learner" in page and "Bob Peer" in page
    assert "I have read and acknowledge" not in page  # not in the audience herself
    assert personas.client("oscar").get(url("policy", policy.pk)).status_code == 404
    bob = personas.client("bob").get(url("policy", policy.pk)).content.decode()
    assert "Your team" not in bob and "Alice Learner" not in bob


def test_edit_form_warns_about_several_rules(personas: Any, make_policy: Any) -> None:
    policy = make_policy(
        rules=[{"departments": [personas.alice.department]}, {"managers": [personas.oscar]}]
    )
    page = personas.client("lena").get(url("policy_edit", policy.pk)).content.decode()
    assert "This document's audience has 2 rules" in page
