"""Personal data: the export gathers every app's ``privacy.py``; erasure leaves nothing that
identifies the person anywhere in the database and keeps the aggregates."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils import timezone

from trellis.catalog.tests.factories import ItemFactory
from trellis.core.models import AppendOnlyError, AuditEvent
from trellis.core.services import audit_log
from trellis.discovery.models.playlists import Playlist
from trellis.governance import services
from trellis.governance.models import OwnershipArea, PolicyAcknowledgement
from trellis.governance.personal_data import (
    personal_data_erase,
    personal_data_export,
    privacy_modules,
)
from trellis.governance.tests.conftest import aware
from trellis.lrs.models import Document, Progress, Statement, StatementAgent
from trellis.lrs.projection import item_activity_id, reproject_all
from trellis.lrs.statements import statements_store
from trellis.notify.models import Notification
from trellis.people.models import Employee
from trellis.people.tests.factories import EmployeeFactory, UserFactory
from trellis.programs import services as program_services
from trellis.programs.models import Enrollment
from trellis.skills.models import Skill, SkillEvidence

NAME = "Zephyrine Quillborne"
EMAIL = "Zephyrine.Quillborne@Example.org"
USERNAME = "zquill77"
HRIS = "HR-ZQ-0042"
AUTHORITY = {
    "objectType": "Agent",
    "name": "Test tool",
    "account": {"homePage": "https://tools.example", "name": "tool"},
}
VERB_DONE = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}


def sha1_mailto(email: str) -> str:
    return hashlib.sha1(f"mailto:{email}".encode()).hexdigest()


def identifying_terms() -> list[str]:
    return [
        NAME,
        EMAIL,
        EMAIL.lower(),
        USERNAME,
        HRIS,
        sha1_mailto(EMAIL),
        sha1_mailto(EMAIL.lower()),
    ]


def everything_that_names_the_person() -> list[tuple[str, str, str]]:
    """Every text column (CharField, TextField, JSONField) of every model, searched for each term."""
    found = []
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for f in fields:
            for term in identifying_terms():
                hits = model._base_manager.filter(**{f"{f.name}__icontains": term})
                found += [(model._meta.label, f.name, term) for _ in hits.values("pk")]
    return found


@pytest.fixture
def zephyrine(personas: Any) -> Employee:
    user = UserFactory(
        username=USERNAME, first_name="Zephyrine", last_name="Quillborne", email=EMAIL
    )
    return EmployeeFactory(
        user=user,
        employee_id=HRIS,
        full_name=NAME,
        email=EMAIL,
        department=personas.alice.department,
        manager=personas.maria,
    )


def statement(actor: dict[str, Any], activity: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": VERB_DONE,
        "object": {"objectType": "Activity", "id": activity},
        "result": {"completion": True},
        "timestamp": "2026-01-05T10:00:00Z",
        **extra,
    }


@pytest.fixture
def records(
    personas: Any, zephyrine: Employee, make_policy: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    """Data about Zephyrine in every app (and mentions of her in other people's data)."""
    items = [ItemFactory(title=f"Course {n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        statements_store(
            [
                statement(
                    {"objectType": "Agent", "name": NAME, "mbox": f"mailto:{EMAIL}"},
                    item_activity_id(items[0]),
                ),
                statement(
                    {"account": {"homePage": settings.SITE_URL, "name": USERNAME}},
                    item_activity_id(items[1]),
                ),
                statement(
                    {"name": NAME, "mbox_sha1sum": sha1_mailto(EMAIL.lower())},
                    item_activity_id(items[2]),
                ),
                # Alice's statement with Zephyrine as the instructor
                statement(
                    {"name": personas.alice.full_name, "mbox": f"mailto:{personas.alice.email}"},
                    item_activity_id(items[0]),
                    context={"instructor": {"name": NAME, "mbox": f"mailto:{EMAIL.lower()}"}},
                ),
            ],
            version="1.0.3",
            authority=AUTHORITY,
        )
    Document.objects.create(
        kind=Document.Kind.AGENT_PROFILE,
        agent_ifi="mbox:mailto:Zephyrine.Quillborne@example.org",
        document_id="preferences",
        content_type="application/json",
        content=json.dumps({"name": NAME}).encode(),
        etag="0" * 40,
        updated=timezone.now(),
    )
    SkillEvidence.objects.create(
        employee=zephyrine,
        skill=Skill.objects.create(uri="test:skill:1", source="esco", label="Prompting"),
        level=3,
        observed_on=timezone.localdate(),
        note=f"{NAME} taught the team",
    )
    Notification.objects.create(
        recipient=zephyrine,
        category="digest",
        key="k1",
        subject="Hello",
        body=f"Hi {NAME}",
        created_at=timezone.now(),
    )
    Notification.objects.create(
        recipient=personas.maria,
        category="escalation",
        key="k2",
        subject="1 overdue",
        body=f"- {NAME}: AI fluency (3 days overdue)",
        created_at=timezone.now(),
    )
    program = program_services.program_create(actor=personas.lena.user, name="AI fluency")
    program_services.audience_set(actor=personas.lena.user, program=program, rules=[{}])
    program_services.requirement_add(actor=personas.lena.user, program=program, item=items[0])
    program_services.program_activate(actor=personas.lena.user, program=program)
    enrollment = Enrollment.objects.get(program=program, employee=zephyrine)
    program_services.enrollment_exempt(
        actor=personas.lena.user, enrollment=enrollment, reason=f"{NAME} is on leave"
    )
    Playlist.objects.create(
        kind="personal", title=f"{NAME}'s picks", description=USERNAME, owner=zephyrine
    )
    policy = make_policy(published_at=aware(2026, 1, 1))
    services.policy_acknowledge(employee=zephyrine, policy=policy, now=aware(2026, 1, 2))
    area = services.ownership_area_create(actor=personas.lena.user, name="Model risk")
    services.ownership_assign(actor=personas.lena.user, area=area, employee=zephyrine, role="R")
    audit_log(
        actor=personas.lena.user,
        code="trellis.test.note",
        data={"note": f"called {NAME} at {EMAIL}", "who": USERNAME},
    )
    return {"items": items, "program": program, "policy": policy, "area": area}


def aggregates() -> dict[str, Any]:
    return {
        "statements": Statement.objects.count(),
        "agent_index": StatementAgent.objects.count(),
        "progress": Progress.objects.count(),
        "completions_by_department": sorted(
            Progress.objects.filter(status="completed")
            .values_list("employee__department__name")
            .annotate(n=Count("id"))
        ),
        "enrollments_by_department": sorted(
            Enrollment.objects.values_list("employee__department__name").annotate(n=Count("id"))
        ),
        "acknowledgements": PolicyAcknowledgement.objects.count(),
        "employees": Employee.objects.count(),
    }


def test_every_app_with_personal_data_has_a_privacy_module() -> None:
    labels = {label for label, _ in privacy_modules()}
    assert {
        "core",
        "people",
        "skills",
        "lrs",
        "programs",
        "notify",
        "discovery",
        "governance",
    } <= labels


def test_export_holds_every_part(personas: Any, zephyrine: Employee, records: Any) -> None:
    data = personal_data_export(employee=zephyrine, actor=zephyrine.user)
    json.dumps(data)  # serialisable
    sections = data["sections"]
    assert sections["people"]["profile"]["email"] == EMAIL
    assert sections["people"]["employment"]["employee_id"] == HRIS
    assert len(sections["lrs"]["statements"]) == 4
    assert sorted(p["item__title"] for p in sections["lrs"]["progress"]) == [
        "Course 0",
        "Course 1",
        "Course 2",
    ]
    assert sections["lrs"]["documents"][0]["content"] == json.dumps({"name": NAME})
    assert sections["skills"]["skill_evidence"][0]["note"] == f"{NAME} taught the team"
    assert [e["program"] for e in sections["programs"]["enrollments"]] == ["AI fluency"]
    assert [n["body"] for n in sections["notify"]["notifications"]] == [f"Hi {NAME}"]
    assert [p["title"] for p in sections["discovery"]["playlists"]] == [f"{NAME}'s picks"]
    assert sections["governance"]["policy_acknowledgements"][0]["version"] == 1
    assert sections["governance"]["ownership_roles"] == [
        {"area": "Model risk", "role": "Responsible"}
    ]
    assert AuditEvent.objects.filter(code="trellis.privacy.exported").count() == 1
    assert AuditEvent.objects.filter(code="trellis.privacy.viewed").count() == 0  # own data


def test_export_by_an_auditor_is_recorded_as_viewed(
    personas: Any, zephyrine: Employee, records: Any
) -> None:
    personal_data_export(employee=zephyrine, actor=personas.audrey.user)
    viewed = AuditEvent.objects.get(code="trellis.privacy.viewed")
    assert (viewed.actor, viewed.target_id, viewed.data) == (
        personas.audrey.user,
        str(zephyrine.pk),
        {"employee": zephyrine.pk, "what": "data export"},
    )


def test_erasure_leaves_nothing_identifying_and_keeps_aggregates(
    personas: Any, zephyrine: Employee, records: Any
) -> None:
    assert len(everything_that_names_the_person()) > 10  # the fixture really put it everywhere
    before = aggregates()
    progress_before = Progress.objects.filter(employee=zephyrine).count()
    assert progress_before == 3

    result = personal_data_erase(
        actor=personas.audrey.user,
        employee=zephyrine,
        reason=f"Request from {NAME} ({EMAIL}) on 3 March",
    )

    assert everything_that_names_the_person() == []
    assert Document.objects.filter(kind=Document.Kind.AGENT_PROFILE).count() == 0
    after = aggregates()
    assert after == before
    pseudonym = result["pseudonym"]
    anonymous = {"account": {"homePage": settings.SITE_URL, "name": pseudonym}}
    stored = [s.data for s in Statement.objects.order_by("id")]
    agents = [d["actor"] for d in stored[:3]] + [stored[3]["context"]["instructor"]]
    assert [{k: v for k, v in a.items() if k != "objectType"} for a in agents] == [anonymous] * 4
    assert stored[3]["actor"]["name"] == personas.alice.full_name  # other people untouched
    assert (
        StatementAgent.objects.filter(agent_ifi=f"account:{settings.SITE_URL}|{pseudonym}").count()
        == 4
    )
    # the anonymous account still maps to the anonymised person: a rebuild keeps their progress
    reproject_all()
    assert Progress.objects.filter(employee=zephyrine).count() == progress_before
    zephyrine.refresh_from_db()
    assert (zephyrine.full_name, zephyrine.is_active, zephyrine.department) == (
        f"Erased person {pseudonym}",
        False,
        personas.alice.department,
    )
    assert not zephyrine.user.is_active and not zephyrine.user.has_usable_password()
    assert SkillEvidence.objects.get(employee=zephyrine).note == ""
    assert Notification.objects.filter(recipient=zephyrine).count() == 0
    assert Notification.objects.get(key="k2").body == f"- {pseudonym}: AI fluency (3 days overdue)"
    assert OwnershipArea.objects.get().assignments.count() == 0
    event = AuditEvent.objects.get(code="trellis.privacy.erased")
    assert event.actor == personas.audrey.user
    assert event.data["reason"] == f"Request from {pseudonym} ({pseudonym}) on 3 March"
    assert event.data["counts"]["lrs"] == {"statements": 4, "agent_index_rows": 4, "documents": 1}


def test_erasure_validation_writes_nothing(
    personas: Any, zephyrine: Employee, records: Any
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        personal_data_erase(actor=personas.audrey.user, employee=zephyrine, reason="  ")
    assert set(exc.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as exc:
        personal_data_erase(actor=personas.audrey.user, employee=personas.audrey, reason="mine")
    assert set(exc.value.message_dict) == {"employee"}
    zephyrine.refresh_from_db()
    assert (zephyrine.full_name, zephyrine.is_active) == (NAME, True)
    assert AuditEvent.objects.count() == before


def test_erasing_twice_is_refused(personas: Any, zephyrine: Employee) -> None:
    personal_data_erase(actor=personas.lena.user, employee=zephyrine, reason="request")
    zephyrine.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        personal_data_erase(actor=personas.lena.user, employee=zephyrine, reason="again")
    assert exc.value.message_dict == {"employee": ["This person's data has already been erased."]}


def test_audit_log_refuses_changes_through_the_orm(personas: Any) -> None:
    event = audit_log(actor=personas.lena.user, code="trellis.test.x", data={"a": 1})
    event.code = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(code="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).code == "trellis.test.x"


def test_personal_data_viewed_is_logged_for_others_only(personas: Any) -> None:
    services.personal_data_viewed(
        actor=personas.alice.user, employee=personas.alice, what="profile"
    )
    services.personal_data_viewed(
        actor=personas.maria.user, employee=personas.alice, what="profile"
    )
    events = list(AuditEvent.objects.filter(code="trellis.privacy.viewed"))
    assert [(e.actor, e.data) for e in events] == [
        (personas.maria.user, {"employee": personas.alice.pk, "what": "profile"})
    ]


def test_deleting_a_user_keeps_their_audit_entries(personas: Any) -> None:
    from trellis.people.tests.factories import UserFactory

    user = UserFactory(username="temp")
    event = audit_log(actor=user, code="trellis.test.by_temp")
    user.delete()  # the foreign key is set to NULL by Django's collector (base manager)
    assert AuditEvent.objects.get(pk=event.pk).actor is None
