"""Learning paths through Django: the gap, constraints, re-planning after skip, swap and completion,
manager suggestions (reporting line only), and who sees what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from trellis.catalog.models import Item, ItemSkill
from trellis.catalog.tests.factories import ItemFactory
from trellis.core.models import AuditEvent
from trellis.discovery import paths as service
from trellis.discovery.models import LearningPath, PathStep
from trellis.lrs.events import record_item_completed
from trellis.notify.models import Notification
from trellis.people.models import JobRole
from trellis.skills.models import RoleSkill, Skill, SkillEvidence


@dataclass
class World:
    personas: Any
    role: JobRole
    senior: JobRole
    python: Skill
    sql: Skill
    stats: Skill
    items: dict[str, Item]


def _item(
    title: str, *, minutes: int, level: int, fmt: str, skills: list[tuple[Skill, float]]
) -> Item:
    item = ItemFactory(title=title, duration_minutes=minutes, level=level, format=fmt)
    for skill, weight in skills:
        ItemSkill.objects.create(item=item, skill=skill, weight=weight)
    return item


@pytest.fixture
def world(personas) -> World:
    return build_world(personas)


def build_world(personas: Any) -> World:
    """Three skills, a role and a senior role, nine items (also used by the API tests)."""
    python = Skill.objects.create(uri="t:python", source="trellis", label="Python")
    sql = Skill.objects.create(uri="t:sql", source="trellis", label="SQL")
    stats = Skill.objects.create(uri="t:stats", source="trellis", label="Statistics")
    role = JobRole.objects.create(title="Data Analyst", family="Technology & Data", seniority=2)
    senior = JobRole.objects.create(
        title="Senior Data Analyst", family="Technology & Data", seniority=3
    )
    RoleSkill.objects.create(job_role=role, skill=python, target_level=3)
    RoleSkill.objects.create(job_role=role, skill=sql, target_level=2)
    RoleSkill.objects.create(job_role=senior, skill=python, target_level=3)
    RoleSkill.objects.create(job_role=senior, skill=stats, target_level=2)
    for who in (personas.alice, personas.bob, personas.charlie):
        who.job_role = role
        who.save(update_fields=["job_role"])
    SkillEvidence.objects.create(
        employee=personas.alice, skill=python, level=1, kind="self", observed_on=dt.date(2026, 1, 5)
    )
    items = {
        "py2_video": _item(
            "Python lists", minutes=40, level=2, fmt="video", skills=[(python, 1.0)]
        ),
        "py2_course": _item(
            "Python basics", minutes=30, level=2, fmt="course", skills=[(python, 1.0)]
        ),
        "py3": _item(
            "Python for analysis", minutes=90, level=3, fmt="course", skills=[(python, 1.0)]
        ),
        "sql12": _item("SQL in a day", minutes=120, level=2, fmt="course", skills=[(sql, 0.2)]),
        "sql1": _item("SQL first steps", minutes=20, level=1, fmt="article", skills=[(sql, 1.0)]),
        "sql2": _item("SQL joins", minutes=45, level=2, fmt="video", skills=[(sql, 1.0)]),
        "stats1": _item("Averages", minutes=25, level=1, fmt="article", skills=[(stats, 1.0)]),
        "stats2": _item("Distributions", minutes=35, level=2, fmt="article", skills=[(stats, 1.0)]),
        "too_hard": _item(
            "Python internals", minutes=5, level=5, fmt="article", skills=[(python, 1.0)]
        ),
    }
    return World(personas, role, senior, python, sql, stats, items)


def planned(path: LearningPath) -> list[str]:
    return [
        s.item.title
        for s in path.steps.filter(status=PathStep.Status.PLANNED).select_related("item")
    ]


def make_path(world: World, who: str = "alice", **kw: Any) -> LearningPath:
    employee = getattr(world.personas, who)
    kw.setdefault("target_kind", LearningPath.Target.ROLE)
    kw.setdefault("weekly_minutes", 60)
    return service.path_create(owner=employee, actor=employee.user, **kw)


# --- the plan ---------------------------------------------------------------------------------


def test_path_from_my_role_gap_is_ordered_and_explained(world):
    path = make_path(world)
    assert path.status == LearningPath.Status.ACTIVE
    assert path.title == "Toward Data Analyst"
    assert planned(path) == ["SQL first steps", "Python basics", "SQL joins", "Python for analysis"]
    steps = list(path.steps.order_by("position"))
    assert [(s.week_start, s.week_end) for s in steps] == [(1, 1), (1, 1), (1, 2), (2, 4)]
    assert steps[0].reason == "Covers SQL to level 1, a gap for your Data Analyst role."
    assert steps[3].reason == (
        "Covers Python to level 3, a gap for your Data Analyst role. "
        "Comes after the step that teaches Python level 2."
    )
    assert path.remaining_minutes == 20 + 30 + 45 + 90
    assert path.finishes_week == 4
    assert path.gap == [
        {
            "skill": world.python.pk,
            "label": "Python",
            "current": 1,
            "target": 3,
            "essential": True,
            "reached": 3,
        },
        {
            "skill": world.sql.pk,
            "label": "SQL",
            "current": 0,
            "target": 2,
            "essential": True,
            "reached": 2,
        },
    ]
    assert AuditEvent.objects.filter(code="trellis.discovery.path_created").count() == 1


def test_an_item_far_above_the_learners_level_is_never_planned(world):
    path = make_path(world)
    assert "Python internals" not in planned(path)


def test_chosen_skills_and_another_role_are_targets_too(world):
    by_skills = make_path(
        world,
        target_kind=LearningPath.Target.SKILLS,
        target_skills=[{"skill": world.stats.pk, "level": 2}],
    )
    assert by_skills.title == "Statistics"
    assert planned(by_skills) == ["Averages", "Distributions"]
    assert by_skills.steps.first().reason.endswith("a gap for the skills you chose.")
    senior = make_path(world, target_kind=LearningPath.Target.NEXT_ROLE, target_role=world.senior)
    assert senior.title == "Toward Senior Data Analyst"
    assert planned(senior) == ["Averages", "Python basics", "Distributions", "Python for analysis"]


def test_no_gap_means_nothing_to_plan(world):
    SkillEvidence.objects.create(
        employee=world.personas.alice,
        skill=world.sql,
        level=3,
        kind="self",
        observed_on=dt.date(2026, 1, 6),
    )
    SkillEvidence.objects.create(
        employee=world.personas.alice,
        skill=world.python,
        level=4,
        kind="self",
        observed_on=dt.date(2026, 1, 6),
    )
    with pytest.raises(ValidationError) as exc:
        make_path(world)
    assert "already meet every level of your Data Analyst role" in str(exc.value)
    assert LearningPath.objects.count() == 0


def test_preferred_formats_with_fallback(world):
    path = make_path(world, preferred_formats=["video", "article"])
    assert planned(path) == ["SQL first steps", "Python lists", "SQL joins", "Python for analysis"]
    fallback = path.steps.get(item=world.items["py3"])
    assert fallback.fallback_format is True
    assert "A course although you prefer other formats" in fallback.reason


def test_deadline_that_cannot_be_met_says_what_would(world):
    today = timezone.localdate()
    path = make_path(world, weekly_minutes=30, deadline=today + dt.timedelta(days=14))
    assert path.remaining_minutes == 185
    assert path.fits_deadline is False
    assert path.weekly_minutes_needed == 93  # 185 minutes over 2 weeks
    assert path.finishes_week == 7
    labels = {g["label"]: g for g in path.gap}
    assert {labels[g["label"]]["label"] for g in path.gap} == {"Python", "SQL"}
    assert path.reached_by_deadline == {str(world.sql.pk): 1, str(world.python.pk): 2}
    response = world.personas.client("alice").get(reverse("discovery:path", args=[path.pk]))
    text = response.content.decode()
    assert "This path does not fit your deadline at 30 min a week." in text
    assert "1 h 33 min a week" in text


def test_settings_are_checked(world):
    with pytest.raises(ValidationError) as exc:
        make_path(world, weekly_minutes=5, deadline=timezone.localdate(), preferred_formats=["vhs"])
    assert set(exc.value.message_dict) == {"weekly_minutes", "deadline", "preferred_formats"}


# --- re-planning --------------------------------------------------------------------------------


def test_skip_replans_without_the_item(world):
    path = make_path(world)
    step = path.steps.get(item=world.items["py2_course"])
    service.path_step_skip(
        path=path, step=step, employee=world.personas.alice, actor=world.personas.alice.user
    )
    step.refresh_from_db()
    assert step.status == PathStep.Status.SKIPPED
    assert planned(path) == ["SQL first steps", "Python lists", "SQL joins", "Python for analysis"]
    # skipped again: Python level 2 has no item left, Python 3 keeps its place without it
    again = path.steps.get(item=world.items["py2_video"])
    service.path_step_skip(
        path=path, step=again, employee=world.personas.alice, actor=world.personas.alice.user
    )
    path.refresh_from_db()
    assert planned(path) == ["SQL first steps", "SQL joins", "Python for analysis"]
    assert path.uncovered == [{"skill": world.python.pk, "label": "Python", "level": 2}]
    page = world.personas.client("alice").get(reverse("discovery:path", args=[path.pk]))
    assert "<li>Python, level 2</li>" in page.content.decode()


def test_swap_to_a_chosen_alternative_keeps_it(world):
    path = make_path(world)
    step = path.steps.get(item=world.items["sql1"])
    alternatives = service.step_alternatives(path=path, step=step)
    assert [(a.item.title, a.covers) for a in alternatives] == [("SQL in a day", [("SQL", 1)])]
    service.path_step_swap(
        path=path,
        step=step,
        employee=world.personas.alice,
        actor=world.personas.alice.user,
        replacement_id=world.items["sql12"].pk,
    )
    assert planned(path) == ["SQL in a day", "Python basics", "SQL joins", "Python for analysis"]
    chosen = path.steps.get(item=world.items["sql12"])
    assert chosen.pinned is True
    assert chosen.reason.endswith("You chose it.")
    # a later re-plan keeps the learner's choice although it is longer
    service.path_replan(path=path, employee=world.personas.alice, actor=world.personas.alice.user)
    assert "SQL in a day" in planned(path)
    assert path.steps.get(item=world.items["sql1"]).status == PathStep.Status.REPLACED


def test_swap_to_an_item_not_offered_is_refused(world):
    path = make_path(world)
    step = path.steps.get(item=world.items["sql1"])
    with pytest.raises(ValidationError):
        service.path_step_swap(
            path=path,
            step=step,
            employee=world.personas.alice,
            actor=world.personas.alice.user,
            replacement_id=world.items["too_hard"].pk,
        )
    assert path.steps.get(item=world.items["sql1"]).status == PathStep.Status.PLANNED


def test_completion_from_the_learning_record_moves_the_path_on(world):
    path = make_path(world)
    record_item_completed(employee=world.personas.alice, item=world.items["py2_course"])
    assert service.path_sync_progress(path=path) is True
    done = path.steps.get(item=world.items["py2_course"])
    assert done.status == PathStep.Status.DONE
    assert done.completed_at is not None
    assert planned(path) == ["SQL first steps", "SQL joins", "Python for analysis"]
    path.refresh_from_db()
    assert path.remaining_minutes == 155
    # the gap is read again: the completion is evidence of Python level 2
    assert [g["current"] for g in path.gap if g["label"] == "Python"] == [2]
    assert service.path_sync_progress(path=path) is False


def test_the_lrs_listener_replans_the_paths_of_whoever_finished_a_step(world):
    path = make_path(world)
    other = make_path(world, who="bob")
    record_item_completed(employee=world.personas.alice, item=world.items["sql1"])
    service.paths_progress_changed(
        [(world.personas.alice.pk, world.items["sql1"].pk), (world.personas.bob.pk, None)]
    )
    assert path.steps.get(item=world.items["sql1"]).status == PathStep.Status.DONE
    assert other.steps.get(item=world.items["sql1"]).status == PathStep.Status.PLANNED


def test_finishing_every_step_completes_the_path(world):
    path = make_path(
        world,
        target_kind=LearningPath.Target.SKILLS,
        target_skills=[{"skill": world.stats.pk, "level": 1}],
    )
    record_item_completed(employee=world.personas.alice, item=world.items["stats1"])
    service.path_sync_progress(path=path)
    path.refresh_from_db()
    assert path.status == LearningPath.Status.COMPLETED
    assert planned(path) == []


def test_the_page_shows_completion_progress(world):
    path = make_path(world)
    record_item_completed(employee=world.personas.alice, item=world.items["sql1"])
    response = world.personas.client("alice").get(reverse("discovery:path", args=[path.pk]))
    text = response.content.decode()
    assert "Your learning record shows a step done" in text
    assert "Done: 11% (20 min of 3 h 5 min)" in text


# --- manager suggestions ------------------------------------------------------------------------


def test_manager_suggests_a_path_to_a_report_who_accepts_it(
    world, django_capture_on_commit_callbacks
):
    maria = world.personas.maria
    with django_capture_on_commit_callbacks(execute=True):
        path = service.path_suggest(
            manager=maria,
            employee=world.personas.alice,
            actor=maria.user,
            note="For the analytics project",
            target_kind=LearningPath.Target.ROLE,
            weekly_minutes=60,
        )
    assert path.status == LearningPath.Status.SUGGESTED
    assert path.suggested_by == maria
    assert path.owner == world.personas.alice
    note = Notification.objects.get(recipient=world.personas.alice)
    assert note.subject == "Maria Manager suggests a learning path: Toward Data Analyst"
    assert note.url == f"/discover/paths/{path.pk}/"
    service.path_accept(path=path, employee=world.personas.alice, actor=world.personas.alice.user)
    path.refresh_from_db()
    assert path.status == LearningPath.Status.ACTIVE
    assert path.responded_at is not None


def test_the_learner_declines_a_suggestion(world):
    client = world.personas.client("maria")
    response = client.post(
        reverse("discovery:path_suggest", args=[world.personas.bob.employee_id]),
        {"action": "create", "target_kind": "role", "weekly_hours": "2"},
    )
    path = LearningPath.objects.get(owner=world.personas.bob)
    assert response.status_code == 302
    assert path.suggested_by == world.personas.maria
    assert path.weekly_minutes == 120
    bob = world.personas.client("bob")
    assert (
        bob.post(
            reverse("discovery:path_decline", args=[path.pk]), {"reason": "Not now"}
        ).status_code
        == 302
    )
    path.refresh_from_db()
    assert (path.status, path.decline_reason) == (LearningPath.Status.DECLINED, "Not now")
    # the manager reads what became of it, but cannot change it
    page = client.get(reverse("discovery:path", args=[path.pk]))
    assert page.status_code == 200
    assert "Declined" in page.content.decode()
    assert client.post(reverse("discovery:path_accept", args=[path.pk])).status_code == 404


def test_a_manager_above_the_direct_manager_may_suggest(world):
    erin = world.personas.erin  # maria's manager, so alice is in her reporting line
    path = service.path_suggest(
        manager=erin,
        employee=world.personas.alice,
        actor=erin.user,
        target_kind=LearningPath.Target.ROLE,
    )
    assert path.suggested_by == erin


@pytest.mark.parametrize("who", ["maria", "alice", "lena"])
def test_suggesting_outside_the_reporting_line_is_404_and_writes_nothing(world, who):
    client = world.personas.client(who)
    url = reverse("discovery:path_suggest", args=[world.personas.charlie.employee_id])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"action": "create", "target_kind": "role", "weekly_hours": "2"}
        ).status_code
        == 404
    )
    assert client.get(reverse("discovery:path_suggest", args=["nobody-at-all"])).status_code == 404
    with pytest.raises(Http404):
        service.path_suggest(
            manager=world.personas.maria,
            employee=world.personas.charlie,
            actor=world.personas.maria.user,
            target_kind=LearningPath.Target.ROLE,
        )
    assert LearningPath.objects.count() == 0
    assert Notification.objects.count() == 0


# --- who sees what ------------------------------------------------------------------------------


def test_owner_sees_and_changes_their_path_others_get_404(world):
    path = make_path(world)
    url = reverse("discovery:path", args=[path.pk])
    assert world.personas.client("alice").get(url).status_code == 200
    for who in ("bob", "maria", "charlie", "lena", "erin"):
        client = world.personas.client(who)
        assert client.get(url).status_code == 404, who
        step = path.steps.first()
        assert (
            client.post(reverse("discovery:path_step_skip", args=[path.pk, step.pk])).status_code
            == 404
        ), who
    assert path.steps.filter(status=PathStep.Status.SKIPPED).count() == 0


def test_path_list_shows_only_my_paths(world, django_assert_max_num_queries):
    make_path(world)
    make_path(world, who="bob")
    client = world.personas.client("alice")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("discovery:paths"))
    assert [p.owner for p in response.context["active"]] == [world.personas.alice]


def test_create_skip_and_swap_through_the_pages(world):
    client = world.personas.client("alice")
    new = client.get(reverse("discovery:path_new"))
    assert new.status_code == 200
    assert "Data Analyst" in new.content.decode()
    response = client.post(
        reverse("discovery:path_new"),
        {"action": "create", "target_kind": "role", "weekly_hours": "1", "preferred_formats": []},
    )
    path = LearningPath.objects.get(owner=world.personas.alice)
    assert response["Location"] == reverse("discovery:path", args=[path.pk])
    step = path.steps.get(item=world.items["py2_course"])
    response = client.post(reverse("discovery:path_step_skip", args=[path.pk, step.pk]))
    assert response.status_code == 302
    assert "Python lists" in planned(path)
    swap = path.steps.get(item=world.items["sql1"])
    page = client.get(reverse("discovery:path_step_swap", args=[path.pk, swap.pk]))
    assert "SQL in a day" in page.content.decode()
    client.post(
        reverse("discovery:path_step_swap", args=[path.pk, swap.pk]),
        {"item": str(world.items["sql12"].pk)},
    )
    assert planned(path)[0] == "SQL in a day"


def test_new_path_form_finds_skills_without_creating(world):
    client = world.personas.client("alice")
    response = client.post(
        reverse("discovery:path_new"),
        {"action": "find", "q": "statis", "target_kind": "skills", "weekly_hours": "3"},
    )
    assert response.status_code == 200
    assert "Statistics" in response.content.decode()
    assert LearningPath.objects.count() == 0
    response = client.post(
        reverse("discovery:path_new"),
        {
            "action": "create",
            "target_kind": "skills",
            "skill": [str(world.stats.pk)],
            f"level_{world.stats.pk}": "2",
            "weekly_hours": "3",
        },
    )
    path = LearningPath.objects.get()
    assert path.target_skills == [{"skill": world.stats.pk, "level": 2}]


def test_a_completion_stored_in_the_lrs_moves_the_path_through_the_listener(
    world, django_capture_on_commit_callbacks
):
    path = make_path(world)
    with django_capture_on_commit_callbacks(execute=True):
        record_item_completed(employee=world.personas.alice, item=world.items["sql1"])
    assert path.steps.get(item=world.items["sql1"]).status == PathStep.Status.DONE
    assert "SQL first steps" not in planned(path)


def test_demo_step_makes_playlists_and_paths_once(world):
    from trellis.discovery.models import Playlist

    for employee, username in ((world.personas.alice, "sam"), (world.personas.maria, "priya")):
        employee.user.username = username
        employee.user.save(update_fields=["username"])
    for n in range(3):
        ItemFactory(title=f"AI {n}", collection="AI literacy essentials", sequence=n)
        ItemFactory(title=f"Prompt {n}", collection="Prompting well", sequence=n)
    first = service.demo_paths_and_playlists()
    assert first == {"playlists": 3, "paths": 2}
    assert sorted(Playlist.objects.values_list("title", "kind", "status")) == [
        ("AI literacy essentials", "curated", "published"),
        ("Data foundations", "curated", "published"),
        ("Prompting practice", "personal", "draft"),
    ]
    paths = LearningPath.objects.order_by("pk")
    assert [(p.title, p.status, p.suggested_by) for p in paths] == [
        ("Toward Data Analyst", "active", None),
        ("Toward Senior Data Analyst", "suggested", world.personas.maria),
    ]
    assert service.demo_paths_and_playlists() == {"created": 0}
    assert LearningPath.objects.count() == 2


def test_path_page_queries_do_not_grow_with_the_steps(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.personas.client("alice")
    small = make_path(
        world,
        target_kind=LearningPath.Target.SKILLS,
        target_skills=[{"skill": world.stats.pk, "level": 1}],
    )
    big = make_path(world)
    client.get(reverse("discovery:paths"))  # the inbox badge is cached after the first page
    counts = []
    for path in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("discovery:path", args=[path.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert path.steps.count() > small.steps.count()
    assert counts[0] == counts[1]
    assert counts[1] <= 15
