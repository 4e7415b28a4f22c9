from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from trellis.core.models import AuditEvent
from trellis.governance import selectors, services
from trellis.governance.models import Policy, PolicyAcknowledgement, PolicyVersion
from trellis.governance.tests.conftest import aware
from trellis.notify.models import Notification

TODAY = dt.date(2026, 1, 16)


def test_create_names_the_field_and_writes_nothing(personas: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.policy_create(actor=personas.lena.user, title="  ", body="", due_days=0)
    assert set(exc.value.message_dict) == {"title", "body", "due_days"}
    assert Policy.objects.count() == 0
    assert AuditEvent.objects.filter(code__startswith="trellis.governance").count() == 0


def test_publish_needs_sponsor_and_audience(personas: Any, make_policy: Any) -> None:
    policy = make_policy(sponsor=None, rules=[])
    with pytest.raises(ValidationError) as exc:
        services.policy_publish(actor=personas.lena.user, policy=policy)
    assert set(exc.value.message_dict) == {"sponsor", "audience"}
    assert PolicyVersion.objects.count() == 0
    policy.refresh_from_db()
    assert policy.status == Policy.Status.DRAFT


def test_publish_notifies_the_audience_once(
    personas: Any, make_policy: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_policy(
            rules=[{"departments": [personas.alice.department]}], published_at=aware(2026, 1, 1)
        )
    keys = sorted(Notification.objects.values_list("recipient__user__username", "category"))
    assert keys == [("alice", "policy"), ("bob", "policy"), ("maria", "policy")]
    event = AuditEvent.objects.get(code="trellis.governance.policy_published")
    assert event.data["before"] == {"version": None}
    assert event.data["after"] == {"version": 1}


def test_new_version_needs_a_new_acknowledgement(personas: Any, make_policy: Any) -> None:
    policy = make_policy(published_at=aware(2026, 1, 1))
    first = services.policy_acknowledge(
        employee=personas.alice, policy=policy, now=aware(2026, 1, 3)
    )
    again = services.policy_acknowledge(
        employee=personas.alice, policy=policy, now=aware(2026, 1, 5)
    )
    assert again.pk == first.pk and again.acknowledged_at == aware(2026, 1, 3)
    with pytest.raises(ValidationError) as exc:
        services.policy_publish(actor=personas.lena.user, policy=policy)
    assert "body" in exc.value.message_dict
    services.policy_update(actor=personas.lena.user, policy=policy, body="# Why\nBecause, v2.")
    v2 = services.policy_publish(
        actor=personas.lena.user, policy=policy, change_note="clearer", now=aware(2026, 1, 10)
    )
    assert v2.number == 2
    rows = selectors.policies_for_employee(employee=personas.alice, today=TODAY)
    assert [
        (r["version"].number, r["status"], r["acknowledged_earlier_version"]) for r in rows
    ] == [(2, "to_do", True)]
    assert rows[0]["due_on"] == dt.date(2026, 2, 9)
    services.policy_acknowledge(employee=personas.alice, policy=policy, now=aware(2026, 1, 12))
    assert sorted(
        PolicyAcknowledgement.objects.filter(employee=personas.alice).values_list(
            "version__number", flat=True
        )
    ) == [1, 2]
    rows = selectors.policies_for_employee(employee=personas.alice, today=TODAY)
    assert rows[0]["status"] == "acknowledged"


def test_outside_the_audience_cannot_acknowledge(personas: Any, make_policy: Any) -> None:
    policy = make_policy(
        rules=[{"departments": [personas.alice.department]}], published_at=aware(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.policy_acknowledge(employee=personas.charlie, policy=policy)
    assert "policy" in exc.value.message_dict
    assert PolicyAcknowledgement.objects.count() == 0
    assert selectors.policies_for_employee(employee=personas.charlie) == []


def test_planned_vs_actual_by_department(personas: Any, make_policy: Any) -> None:
    policy = make_policy(published_at=aware(2026, 1, 1))
    for who in (personas.alice, personas.bob, personas.lena):
        services.policy_acknowledge(employee=who, policy=policy, now=aware(2026, 1, 5))
    dash = selectors.policy_dashboard(policy=policy, today=TODAY)
    assert dash["overall"] == {
        "audience": 8,
        "acknowledged": 3,
        "overdue": 0,
        "to_do": 5,
        "acknowledged_share": 0.375,
        "planned_share": 0.5,
        "gap_points": -12,
    }
    by = {
        d["department"]: (d["audience"], d["acknowledged"], d["gap_points"])
        for d in dash["departments"]
    }
    assert by == {
        "Technology & Data": (3, 2, 17),
        "Sales": (2, 0, -50),
        "People & HR": (2, 1, 0),
        "Executive Office": (1, 0, -50),
    }
    assert [d["department"] for d in dash["departments"]][:2] == ["Executive Office", "Sales"]


def test_a_joiner_is_due_after_joining(personas: Any, make_policy: Any) -> None:
    personas.charlie.hire_date = dt.date(2026, 1, 10)
    personas.charlie.save(update_fields=["hire_date"])
    policy = make_policy(published_at=aware(2026, 1, 1))
    rows = {
        r["name"]: r
        for r in selectors.policy_people_rows(
            policy=policy, version=policy.versions.get(), today=dt.date(2026, 2, 1)
        )
    }
    assert rows[personas.charlie.full_name]["due_on"] == dt.date(2026, 2, 9)
    assert rows[personas.charlie.full_name]["status"] == "to_do"
    assert rows[personas.alice.full_name]["status"] == "overdue"


def test_acknowledgement_summary_for_insights(personas: Any, make_policy: Any) -> None:
    policy = make_policy(published_at=aware(2026, 1, 1))
    make_policy(title="Draft only")
    services.policy_acknowledge(employee=personas.alice, policy=policy, now=aware(2026, 1, 5))
    summary = selectors.acknowledgement_summary(today=dt.date(2026, 2, 5))
    assert len(summary) == 1
    s = summary[0]
    assert (s["policy_id"], s["version"], s["audience"], s["acknowledged"], s["overdue"]) == (
        policy.pk,
        1,
        8,
        1,
        7,
    )
    tech = next(d for d in s["by_department"] if d["department"] == "Technology & Data")
    assert (tech["audience"], tech["acknowledged"], tech["overdue"]) == (3, 1, 2)
    mine = selectors.acknowledgement_summary(
        policy_id=policy.pk,
        employee_ids=[personas.alice.pk, personas.bob.pk],
        today=dt.date(2026, 2, 5),
    )
    assert (mine[0]["audience"], mine[0]["acknowledged"], mine[0]["overdue"]) == (2, 1, 1)


def test_reminders_due_soon_then_overdue_are_idempotent(personas: Any, make_policy: Any) -> None:
    policy = make_policy(
        rules=[{"departments": [personas.alice.department]}], published_at=aware(2026, 1, 1)
    )
    services.policy_acknowledge(employee=personas.alice, policy=policy, now=aware(2026, 1, 5))
    before = Notification.objects.count()
    first = services.policy_reminders_send(now=aware(2026, 1, 25))
    assert first == {"notices": 2, "sent": 2, "overdue": 0, "due_soon": 2}
    assert services.policy_reminders_send(now=aware(2026, 1, 25)) == {
        "notices": 2,
        "sent": 0,
        "overdue": 0,
        "due_soon": 2,
    }
    subjects = sorted(
        Notification.objects.filter(key__contains=":due_soon:").values_list(
            "recipient__user__username", "subject"
        )
    )
    assert subjects == [
        ("bob", "Due in 6 days: acknowledge Our AI strategy"),
        ("maria", "Due in 6 days: acknowledge Our AI strategy"),
    ]
    late = services.policy_reminders_send(now=aware(2026, 2, 2))
    assert late == {"notices": 2, "sent": 2, "overdue": 2, "due_soon": 0}
    assert services.policy_reminders_send(now=aware(2026, 2, 3))["sent"] == 0
    assert Notification.objects.count() == before + 4


def test_reminder_job_is_registered() -> None:
    from trellis.core.scheduler import registered_jobs

    assert "governance.reminders" in registered_jobs()
