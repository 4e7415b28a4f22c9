"""The rules that are not about programs, and the periodic scheduler that runs them."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from trellis.catalog.models import ItemSkill
from trellis.catalog.tests.factories import ItemFactory
from trellis.core import scheduler
from trellis.core.models import PeriodicJob
from trellis.lrs.models import Progress
from trellis.notify.models import Category, Notification
from trellis.notify.services import inactivity_nudges_send, new_content_notices_send
from trellis.skills.models import RoleSkill, Skill, SkillEvidence


def progress(employee, last: dt.datetime) -> Progress:
    return Progress.objects.create(
        employee=employee,
        activity_id=f"https://example.com/a/{uuid.uuid4()}",
        status=Progress.Status.IN_PROGRESS,
        first_activity_at=last - dt.timedelta(days=1),
        last_activity_at=last,
        last_statement_id=uuid.uuid4(),
    )


def test_inactivity_nudge_once_per_quiet_spell(personas):
    now = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
    progress(personas.alice, now - dt.timedelta(days=2))  # active: no nudge
    progress(personas.bob, now - dt.timedelta(days=20))  # quiet since 21 May
    assert inactivity_nudges_send(now=now) == 7  # bob + 6 who never started
    keys = dict(Notification.objects.values_list("recipient__user__username", "key"))
    assert "alice" not in keys
    assert keys["bob"] == f"nudge:inactivity:{personas.bob.pk}:2026-05-21"
    assert keys["charlie"] == f"nudge:inactivity:{personas.charlie.pk}:never"
    bob = Notification.objects.get(recipient=personas.bob)
    assert bob.category == Category.NUDGE and "since 21 May" in bob.body
    # the next hourly run says nothing new; new activity then a new spell nudges again
    assert inactivity_nudges_send(now=now + dt.timedelta(hours=1)) == 0
    progress(personas.bob, now + dt.timedelta(days=5))
    assert inactivity_nudges_send(now=now + dt.timedelta(days=16)) == 1  # alice, quiet since 8 June
    assert inactivity_nudges_send(now=now + dt.timedelta(days=16, hours=1)) == 0
    assert inactivity_nudges_send(now=now + dt.timedelta(days=20)) == 1  # bob again, a new spell
    assert Notification.objects.filter(recipient=personas.bob).count() == 2


def test_an_inactivity_nudge_suggests_the_top_of_the_feed_with_its_reason(personas):
    from trellis.discovery import personalization
    from trellis.discovery import recommendations as rec
    from trellis.discovery.models import RecommendationImpression, Signal

    rec.recommendation_index_clear()
    python = Skill.objects.create(uri="trellis:python", source="trellis", label="Python")
    role = personas.bob.job_role
    RoleSkill.objects.create(job_role=role, skill=python, target_level=3)
    item = ItemFactory(title="Python basics", level=2)
    ItemSkill.objects.create(item=item, skill=python, weight=1.0)
    ItemFactory(title="Team lunch etiquette", level=1)
    now = timezone.now()
    for who in ("alice", "bob", "charlie"):
        progress(getattr(personas, who), now - dt.timedelta(days=20))
    personalization.personalization_set_enabled(
        employee=personas.charlie, enabled=False, actor=None
    )
    personalization.consent_set(
        employee=personas.alice, signal=Signal.HR_DATA, granted=False, actor=None
    )
    inactivity_nudges_send(now=now)
    bob = Notification.objects.get(recipient=personas.bob)
    assert bob.body.endswith(
        f" One to start with: “Python basics” (builds Python, a gap for your {role.title} role)."
    )
    assert bob.url == f"/catalog/item/{item.uid}/"
    assert bob.context["reason"] == f"Builds Python, a gap for your {role.title} role"
    # personalization off: the organisation's pick, said as such; nothing about charlie is read
    charlie = Notification.objects.get(recipient=personas.charlie)
    assert charlie.body.endswith(" One to start with: “Team lunch etiquette” (new in the catalog).")
    # HR data withdrawn: alice's role is not used for her pick
    alice = Notification.objects.get(recipient=personas.alice)
    assert alice.body.endswith(" One to start with: “Python basics” (new in the catalog).")
    # each suggestion counts as shown, once
    assert RecommendationImpression.objects.filter(employee=personas.bob, item=item).count() == 1
    # the next run finds the nudges sent and asks discovery nothing
    before = RecommendationImpression.objects.count()
    assert inactivity_nudges_send(now=now + dt.timedelta(hours=1)) == 0
    assert RecommendationImpression.objects.count() == before
    rec.recommendation_index_clear()


def test_a_failing_recommender_does_not_stop_the_nudges(personas, monkeypatch):
    from trellis.discovery import recommendations as rec

    def broken(**kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(rec, "nudge_picks", broken)
    ItemFactory(title="Python basics")
    now = timezone.now()
    progress(personas.bob, now - dt.timedelta(days=20))
    assert inactivity_nudges_send(now=now) >= 1
    bob = Notification.objects.get(recipient=personas.bob)
    assert (bob.url, "One to start with" in bob.body) == ("/catalog/", False)


def test_new_content_matches_role_profile_and_self_rated_skills(personas):
    python = Skill.objects.create(uri="trellis:python", source="trellis", label="Python")
    sales = Skill.objects.create(uri="trellis:negotiation", source="trellis", label="Negotiation")
    RoleSkill.objects.create(job_role=personas.alice.job_role, skill=python, target_level=3)
    SkillEvidence.objects.create(
        employee=personas.charlie, skill=sales, level=2, observed_on=dt.date(2026, 1, 5)
    )
    new_python = ItemFactory(title="Pandas in practice")
    new_sales = ItemFactory(title="Closing deals")
    old_python = ItemFactory(title="Old Python")
    ItemSkill.objects.create(item=new_python, skill=python)
    ItemSkill.objects.create(item=new_sales, skill=sales)
    ItemSkill.objects.create(item=old_python, skill=python)
    type(old_python).objects.filter(pk=old_python.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    assert new_content_notices_send() == 2
    alice = Notification.objects.get(recipient=personas.alice)
    assert alice.category == Category.NEW_CONTENT
    assert alice.subject == "New in the catalog for your skills: Pandas in practice"
    assert alice.url == f"/catalog/item/{new_python.uid}/"
    charlie = Notification.objects.get(recipient=personas.charlie)
    assert "Closing deals" in charlie.body
    assert new_content_notices_send() == 0  # one notice per person per week


def test_scheduler_enqueues_each_due_job_once(db):
    calls: list[str] = []
    saved = scheduler.registered_jobs()
    try:
        scheduler._REGISTRY.clear()
        scheduler.register_periodic(
            "test.job", every=dt.timedelta(minutes=10), task=lambda: calls.append("run")
        )
        t0 = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
        assert scheduler.run_due(now=t0) == ["test.job"]
        assert scheduler.run_due(now=t0) == []  # a second worker at the same moment
        assert scheduler.run_due(now=t0 + dt.timedelta(minutes=9)) == []
        assert scheduler.run_due(now=t0 + dt.timedelta(minutes=10)) == ["test.job"]
        assert calls == ["run", "run"]
        job = PeriodicJob.objects.get(name="test.job")
        assert (job.runs, job.next_run_at) == (2, t0 + dt.timedelta(minutes=20))
        with pytest.raises(ValueError):
            scheduler.register_periodic("bad", every=dt.timedelta(0), task=lambda: None)
    finally:
        scheduler._REGISTRY.clear()
        scheduler._REGISTRY.update(saved)


def test_notify_registers_its_periodic_jobs():
    jobs = scheduler.registered_jobs()
    assert jobs["notify.dispatch"].every == dt.timedelta(seconds=30)
    assert jobs["notify.rules"].every == dt.timedelta(hours=1)
    assert jobs["notify.digests"].every == dt.timedelta(hours=1)


def test_periodic_tasks_run_through_django_tasks(personas):
    from trellis.notify.tasks import digests_send_task, notification_rules_task

    result = notification_rules_task.enqueue()  # immediate backend in tests
    assert result.return_value == {"inactivity": 8, "new_content": 0}
    assert digests_send_task.enqueue().return_value["digests"] >= 0
