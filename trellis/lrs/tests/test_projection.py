"""The progress projection: status precedence, mapping, idempotence, voiding, reprojection, evidence.

Statements are written as ``Statement`` rows directly (the fields storage fills), so these tests
exercise the projection alone.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings

from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.lrs.models import ActivityAlias, Progress, Statement
from trellis.lrs.projection import (
    activity_alias_set,
    duration_seconds,
    evidence_level,
    item_activity_id,
    project_statements,
    project_statements_later,
    reproject_all,
)
from trellis.lrs.xapi.agents import agent_ifi
from trellis.skills.models import Skill, SkillEvidence, SkillFamily

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ROW_FIELDS = [
    "employee_id",
    "activity_id",
    "item_id",
    "status",
    "score_scaled",
    "score_raw",
    "time_spent_seconds",
    "attempts",
    "first_activity_at",
    "last_activity_at",
    "completed_at",
    "passed_at",
    "last_statement_id",
]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def mbox(employee: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "name": employee.full_name, "mbox": f"mailto:{employee.email}"}


_clock = iter(range(1, 1_000_000))


def stmt(
    actor: dict[str, Any],
    verb: str,
    activity: str,
    *,
    minutes: int = 0,
    result: dict[str, Any] | None = None,
    registration: uuid.UUID | None = None,
) -> Statement:
    """Store a statement row the way storage does (index columns beside the full JSON)."""
    statement_id = uuid.uuid4()
    timestamp = T0 + timedelta(minutes=minutes)
    data: dict[str, Any] = {
        "id": str(statement_id),
        "actor": actor,
        "verb": {"id": verb if "://" in verb else ADL + verb},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": timestamp.isoformat(),
    }
    if result is not None:
        data["result"] = result
    if registration is not None:
        data["context"] = {"registration": str(registration)}
    return Statement.objects.create(
        statement_id=statement_id,
        data=data,
        version="1.0.0",
        actor_ifi="" if actor.get("objectType") == "Group" else agent_ifi(actor),
        verb_id=data["verb"]["id"],
        object_type="Activity",
        object_activity_id=activity,
        registration=registration,
        timestamp=timestamp,
        stored=T0 + timedelta(days=30, seconds=next(_clock)),
    )


def void(target: Statement, actor: dict[str, Any]) -> Statement:
    target.is_voided = True
    target.save(update_fields=["is_voided"])
    statement_id = uuid.uuid4()
    return Statement.objects.create(
        statement_id=statement_id,
        data={
            "id": str(statement_id),
            "actor": actor,
            "verb": {"id": ADL + "voided"},
            "object": {"objectType": "StatementRef", "id": str(target.statement_id)},
        },
        actor_ifi=agent_ifi(actor),
        verb_id=ADL + "voided",
        object_type="StatementRef",
        object_statement_ref=target.statement_id,
        timestamp=T0 + timedelta(days=40),
        stored=T0 + timedelta(days=40, seconds=next(_clock)),
    )


def rows() -> list[dict[str, Any]]:
    return list(Progress.objects.order_by("employee_id", "activity_id").values(*ROW_FIELDS))


def evidence() -> list[tuple[Any, ...]]:
    return list(
        SkillEvidence.objects.filter(kind="learning")
        .order_by("employee_id", "skill_id", "source_ref")
        .values_list("employee_id", "skill_id", "level", "observed_on", "source_ref")
    )


def project_all() -> dict[str, int]:
    return project_statements(list(Statement.objects.values_list("pk", flat=True)))


@pytest.fixture
def item(db: Any) -> Item:
    provider = Provider.objects.create(slug="academy", name="Academy")
    return Item.objects.create(
        provider=provider, external_id="prompting", title="Prompting well", format="course", level=3
    )


@pytest.fixture
def skills(item: Item) -> tuple[Skill, Skill]:
    family = SkillFamily.objects.create(slug="ai-literacy", name="AI literacy")
    core = Skill.objects.create(
        uri="urn:test:prompting", label="Prompting", family=family, source="trellis"
    )
    side = Skill.objects.create(
        uri="urn:test:evaluation", label="Evaluating output", family=family, source="trellis"
    )
    ItemSkill.objects.create(item=item, skill=core, weight=1.0)
    ItemSkill.objects.create(item=item, skill=side, weight=0.3)
    return core, side


# --- pure helpers -----------------------------------------------------------------------------


def test_duration_seconds_parses_iso8601() -> None:
    assert duration_seconds("PT1H2M3.5S") == 3723.5
    assert duration_seconds("P1DT1S") == 86401
    assert duration_seconds("PT") is None
    assert duration_seconds("90") is None
    assert duration_seconds(None) is None


def test_evidence_level_is_capped_by_tag_weight() -> None:
    assert evidence_level(item_level=3, weight=1.0) == 3
    assert evidence_level(item_level=5, weight=0.6) == 3
    assert evidence_level(item_level=4, weight=0.3) == 2
    assert evidence_level(item_level=4, weight=0.0) == 1
    assert evidence_level(item_level=1, weight=1.0) == 1


# --- status and values ------------------------------------------------------------------------


def test_a_session_becomes_one_row_with_its_values(personas: Any, item: Item) -> None:
    alice, activity = mbox(personas.alice), item_activity_id(item)
    reg = uuid.uuid4()
    stmt(alice, "http://id.tincanapi.com/verb/viewed", activity, minutes=0)
    stmt(alice, "launched", activity, minutes=1, registration=reg)
    stmt(alice, "progressed", activity, minutes=10, registration=reg, result={"duration": "PT9M"})
    last = stmt(
        alice,
        "completed",
        activity,
        minutes=25,
        registration=reg,
        result={"duration": "PT24M", "completion": True},
    )
    stats = project_all()
    assert stats == {
        "statements": 4,
        "rows": 1,
        "deleted": 0,
        "unmapped_statements": 0,
        "evidence_created": 0,
        "evidence_removed": 0,
    }
    assert rows() == [
        {
            "employee_id": personas.alice.pk,
            "activity_id": activity,
            "item_id": item.pk,
            "status": "completed",
            "score_scaled": None,
            "score_raw": None,
            "time_spent_seconds": 24 * 60,
            "attempts": 1,
            "first_activity_at": T0,
            "last_activity_at": T0 + timedelta(minutes=25),
            "completed_at": T0 + timedelta(minutes=25),
            "passed_at": None,
            "last_statement_id": last.statement_id,
        }
    ]


@pytest.mark.parametrize(
    ("verbs", "expected"),
    [
        (["http://id.tincanapi.com/verb/viewed"], "launched"),
        (["launched", "initialized"], "launched"),
        (["experienced"], "launched"),
        (["launched", "progressed"], "in_progress"),
        (["attempted"], "in_progress"),
        (["progressed", "completed"], "completed"),
        (["completed", "progressed"], "completed"),  # order does not lower a status
        (["completed", "failed"], "failed"),
        (["failed", "passed"], "passed"),
        (["passed", "failed"], "passed"),  # cmi5: a pass stays a pass
        (["launched", "terminated"], "launched"),
    ],
)
def test_status_precedence(personas: Any, verbs: list[str], expected: str) -> None:
    for minute, verb in enumerate(verbs):
        stmt(mbox(personas.alice), verb, "https://lms.example.com/au/1", minutes=minute)
    project_all()
    assert list(Progress.objects.values_list("status", flat=True)) == [expected]


def test_experienced_with_a_result_is_in_progress_and_completion_true_completes(
    personas: Any,
) -> None:
    alice = mbox(personas.alice)
    stmt(alice, "experienced", "https://x.example.com/a", result={"duration": "PT1M"})
    stmt(alice, "experienced", "https://x.example.com/b", result={"completion": True})
    project_all()
    assert dict(Progress.objects.values_list("activity_id", "status")) == {
        "https://x.example.com/a": "in_progress",
        "https://x.example.com/b": "completed",
    }


def test_verbs_without_progress_meaning_create_no_row(personas: Any) -> None:
    alice = mbox(personas.alice)
    stmt(
        alice,
        "http://id.tincanapi.com/verb/rated",
        "https://x.example.com/a",
        result={"score": {"raw": 4}},
    )
    stmt(alice, "terminated", "https://x.example.com/a")
    assert project_all()["rows"] == 0
    assert Progress.objects.count() == 0


def test_score_time_and_attempts_across_registrations(personas: Any) -> None:
    alice, activity = mbox(personas.alice), "https://lms.example.com/quiz"
    first, second = uuid.uuid4(), uuid.uuid4()
    stmt(alice, "launched", activity, minutes=0, registration=first)
    stmt(
        alice,
        "failed",
        activity,
        minutes=5,
        registration=first,
        result={"score": {"scaled": 0.4, "raw": 40}, "duration": "PT5M", "success": False},
    )
    stmt(alice, "terminated", activity, minutes=6, registration=first, result={"duration": "PT6M"})
    stmt(alice, "launched", activity, minutes=60, registration=second)
    stmt(
        alice,
        "passed",
        activity,
        minutes=70,
        registration=second,
        result={"score": {"scaled": 0.9, "raw": 90}, "duration": "PT10M", "success": True},
    )
    stmt(
        alice,
        "failed",
        activity,
        minutes=80,
        registration=second,
        result={"score": {"scaled": 0.5, "raw": 50}, "duration": "PT20M", "success": False},
    )
    stmt(
        alice,
        "http://id.tincanapi.com/verb/rated",
        activity,
        minutes=81,
        result={"score": {"raw": 2}},
    )
    project_all()
    row = Progress.objects.get()
    assert (row.status, row.score_scaled, row.score_raw) == ("passed", 0.9, 90.0)
    assert row.time_spent_seconds == 6 * 60 + 20 * 60  # largest per registration, summed
    assert row.attempts == 2
    assert row.passed_at == T0 + timedelta(minutes=70)
    assert row.completed_at == T0 + timedelta(minutes=70)
    assert row.last_activity_at == T0 + timedelta(minutes=81)


def test_launches_without_registration_count_as_attempts(personas: Any) -> None:
    alice = mbox(personas.alice)
    for minute in (0, 100, 200):
        stmt(alice, "launched", "https://x.example.com/a", minutes=minute)
    stmt(alice, "completed", "https://x.example.com/a", minutes=201, result={"duration": "PT3M"})
    stmt(alice, "progressed", "https://x.example.com/a", minutes=150, result={"duration": "PT2M"})
    project_all()
    assert Progress.objects.values_list("attempts", "time_spent_seconds").get() == (3, 300)


# --- mapping ----------------------------------------------------------------------------------


def test_actors_map_by_mbox_sha1_and_account(personas: Any, settings: Any) -> None:
    activity = "https://x.example.com/a"
    stmt({"mbox": f"mailto:{personas.alice.email.upper()}"}, "launched", activity)
    sha = hashlib.sha1(f"mailto:{personas.bob.email}".encode()).hexdigest()
    stmt({"mbox_sha1sum": sha}, "launched", activity)
    stmt(
        {"account": {"homePage": settings.SITE_URL, "name": personas.charlie.user.username}},
        "launched",
        activity,
    )
    stmt(
        {"account": {"homePage": settings.SITE_URL + "/", "name": personas.maria.employee_id}},
        "launched",
        activity,
    )
    project_all()
    assert sorted(Progress.objects.values_list("employee_id", flat=True)) == sorted(
        [personas.alice.pk, personas.bob.pk, personas.charlie.pk, personas.maria.pk]
    )


def test_identifiers_of_one_person_share_one_row(personas: Any, settings: Any) -> None:
    activity = "https://x.example.com/a"
    stmt(mbox(personas.alice), "launched", activity, minutes=0)
    stmt(
        {"account": {"homePage": settings.SITE_URL, "name": "alice"}},
        "completed",
        activity,
        minutes=5,
    )
    project_statements([Statement.objects.order_by("pk").last().pk])  # the second one alone
    row = Progress.objects.get()
    assert (row.employee_id, row.status, row.first_activity_at) == (
        personas.alice.pk,
        "completed",
        T0,
    )


def test_unmapped_actors_are_skipped_and_counted(personas: Any) -> None:
    activity = "https://x.example.com/a"
    stmt({"mbox": "mailto:stranger@elsewhere.example"}, "completed", activity)
    stmt(
        {"account": {"homePage": "https://other.example.com", "name": "alice"}},
        "completed",
        activity,
    )
    stmt({"openid": "https://id.example.com/alice"}, "completed", activity)
    stmt(
        {"objectType": "Group", "name": "Team", "member": [mbox(personas.alice)]},
        "completed",
        activity,
    )
    stats = project_all()
    assert (stats["unmapped_statements"], stats["rows"]) == (4, 0)
    assert Progress.objects.count() == 0


def test_activities_map_to_items_by_iri_and_alias(personas: Any, item: Item) -> None:
    alice = mbox(personas.alice)
    ActivityAlias.objects.create(activity_id="https://lms.example.com/au/prompting", item=item)
    stmt(alice, "launched", item_activity_id(item))
    stmt(alice, "launched", "https://lms.example.com/au/prompting")
    stmt(alice, "launched", f"{settings.SITE_URL}/catalog/item/{uuid.uuid4()}")
    stmt(alice, "launched", "https://lms.example.com/au/other")
    project_all()
    assert dict(Progress.objects.values_list("activity_id", "item_id")) == {
        item_activity_id(item): item.pk,
        "https://lms.example.com/au/prompting": item.pk,
        f"{settings.SITE_URL}/catalog/item/{Statement.objects.order_by('pk')[2].object_activity_id.rsplit('/', 1)[1]}": None,
        "https://lms.example.com/au/other": None,
    }


def test_alias_added_later_moves_existing_rows_to_the_item(personas: Any, item: Item) -> None:
    stmt(mbox(personas.alice), "completed", "https://lms.example.com/au/late")
    project_all()
    assert Progress.objects.get().item_id is None
    activity_alias_set(activity_id="https://lms.example.com/au/late", item=item)
    assert Progress.objects.get().item_id == item.pk


# --- idempotence, voiding, reprojection --------------------------------------------------------


def _mixed_history(personas: Any, item: Item) -> dict[str, Statement]:
    alice, bob = mbox(personas.alice), mbox(personas.bob)
    reg = uuid.uuid4()
    made = {
        "a_launch": stmt(alice, "launched", item_activity_id(item), minutes=0, registration=reg),
        "a_done": stmt(
            alice,
            "completed",
            item_activity_id(item),
            minutes=30,
            registration=reg,
            result={"duration": "PT30M", "completion": True},
        ),
        "a_pass": stmt(
            alice,
            "passed",
            item_activity_id(item),
            minutes=31,
            registration=reg,
            result={"score": {"scaled": 0.8}, "success": True},
        ),
        "b_launch": stmt(bob, "launched", "https://lms.example.com/au/1", minutes=3),
        "b_prog": stmt(
            bob,
            "progressed",
            "https://lms.example.com/au/1",
            minutes=9,
            result={"duration": "PT6M"},
        ),
        "stranger": stmt({"mbox": "mailto:x@y.example"}, "completed", item_activity_id(item)),
    }
    return made


def test_projecting_twice_gives_the_same_rows(personas: Any, item: Item) -> None:
    _mixed_history(personas, item)
    project_all()
    first = rows()
    again = project_all()
    assert rows() == first
    assert again["rows"] == 2 and again["deleted"] == 0
    assert len(first) == 2


def test_batches_in_any_order_give_the_same_rows(personas: Any, item: Item) -> None:
    _mixed_history(personas, item)
    pks = list(Statement.objects.order_by("-pk").values_list("pk", flat=True))
    for pk in pks:  # newest first, one by one
        project_statements([pk])
    one_by_one = rows()
    Progress.objects.all().delete()
    project_all()
    assert rows() == one_by_one


def test_voiding_removes_the_statement_effect(personas: Any, item: Item, skills: Any) -> None:
    made = _mixed_history(personas, item)
    project_all()
    assert Progress.objects.get(employee=personas.alice).status == "passed"
    assert {e[4] for e in evidence()} == {str(made["a_pass"].statement_id)}
    voiding = void(made["a_pass"], mbox(personas.alice))
    stats = project_statements([voiding.pk])
    row = Progress.objects.get(employee=personas.alice)
    assert (row.status, row.score_scaled, row.passed_at) == ("completed", None, None)
    assert row.last_statement_id == made["a_done"].statement_id
    assert (stats["evidence_created"], stats["evidence_removed"]) == (2, 2)
    assert {e[4] for e in evidence()} == {str(made["a_done"].statement_id)}
    # voiding every statement of a row removes the row
    void(made["b_launch"], mbox(personas.bob))
    last = void(made["b_prog"], mbox(personas.bob))
    assert project_statements([last.pk, last.pk - 1])["deleted"] == 1
    assert not Progress.objects.filter(employee=personas.bob).exists()


def test_reproject_all_equals_incremental(personas: Any, item: Item, skills: Any) -> None:
    made = _mixed_history(personas, item)
    for pk in Statement.objects.order_by("pk").values_list("pk", flat=True):
        project_statements([pk])
    project_statements([void(made["b_prog"], mbox(personas.bob)).pk])
    incremental, incremental_evidence = rows(), evidence()
    evidence_ids = set(SkillEvidence.objects.values_list("pk", flat=True))
    stats = reproject_all()
    assert rows() == incremental
    assert evidence() == incremental_evidence
    assert set(SkillEvidence.objects.values_list("pk", flat=True)) == evidence_ids  # untouched
    assert (
        stats
        == {
            "statements": 5,  # 6 about activities, less the voided one (the voiding one is a StatementRef)
            "rows": 2,
            "unmapped_statements": 1,
            "evidence_created": 0,
            "evidence_removed": 0,
        }
    )


def test_reproject_all_removes_rows_and_evidence_with_no_statements(
    personas: Any, item: Item, skills: Any
) -> None:
    made = _mixed_history(personas, item)
    project_all()
    Statement.objects.filter(pk=made["a_pass"].pk).update(is_voided=True)  # storage voided it
    Statement.objects.filter(pk__in=[made["b_launch"].pk, made["b_prog"].pk]).delete()
    stats = reproject_all()
    assert (stats["rows"], stats["evidence_created"], stats["evidence_removed"]) == (1, 2, 2)
    assert [r["status"] for r in rows()] == ["completed"]


# --- skill evidence ---------------------------------------------------------------------------


def test_completion_records_learning_evidence_once(personas: Any, item: Item, skills: Any) -> None:
    core, side = skills
    alice = mbox(personas.alice)
    stmt(alice, "launched", item_activity_id(item), minutes=0)
    done = stmt(alice, "completed", item_activity_id(item), minutes=20)
    stmt(alice, "completed", item_activity_id(item), minutes=600)  # again: same evidence
    project_all()
    project_all()
    observed = (T0 + timedelta(minutes=20)).date()
    assert evidence() == sorted(
        [
            (personas.alice.pk, core.pk, 3, observed, str(done.statement_id)),
            (personas.alice.pk, side.pk, 2, observed, str(done.statement_id)),
        ]
    )
    assert SkillEvidence.objects.filter(kind="learning", recorded_by=None).count() == 2


def test_in_progress_and_failed_give_no_evidence(personas: Any, item: Item, skills: Any) -> None:
    stmt(mbox(personas.alice), "progressed", item_activity_id(item))
    stmt(mbox(personas.bob), "failed", item_activity_id(item))
    project_all()
    assert evidence() == []
    assert SkillEvidence.objects.count() == 0


# --- scheduling --------------------------------------------------------------------------------


def test_projection_runs_as_a_task_after_commit(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    made = stmt(mbox(personas.alice), "completed", "https://x.example.com/a")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        project_statements_later([made.pk])
    assert len(callbacks) == 1 and Progress.objects.count() == 0  # nothing before commit
    callbacks[0]()
    assert Progress.objects.get().status == "completed"
