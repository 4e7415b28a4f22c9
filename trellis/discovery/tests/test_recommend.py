"""The "For you" feed through Django: reasons, consent read at call time, cold start, exclusions,
feedback, impressions, and who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis.catalog.models import ItemSkill
from trellis.catalog.tests.factories import ItemFactory
from trellis.discovery import personalization
from trellis.discovery import recommendations as rec
from trellis.discovery.models import (
    ConsentRecord,
    RecommendationFeedback,
    RecommendationImpression,
    Signal,
)
from trellis.lrs.events import record_item_completed
from trellis.people.models import JobRole
from trellis.skills.models import RoleSkill, Skill, SkillEvidence, SkillFamily


@pytest.fixture(autouse=True)
def _fresh_index():
    rec.recommendation_index_clear()
    yield
    rec.recommendation_index_clear()


@dataclass
class World:
    personas: Any
    role: JobRole
    python: Skill
    sql: Skill
    ai: Skill
    items: dict[str, Any]


@pytest.fixture
def world(personas) -> World:
    family = SkillFamily.objects.create(
        slug="ai-literacy",
        name="AI literacy",
        level_names=["Aware", "Exploring", "Practitioner", "Proficient", "Advanced"],
    )
    python = Skill.objects.create(uri="t:python", source="trellis", label="Python")
    sql = Skill.objects.create(uri="t:sql", source="trellis", label="SQL")
    ai = Skill.objects.create(
        uri="trellis:ai-literacy:foundations",
        source="trellis",
        label="AI foundations",
        family=family,
    )
    role = JobRole.objects.create(title="Data Analyst", family="Technology & Data")
    RoleSkill.objects.create(job_role=role, skill=python, target_level=3, is_essential=True)
    for who in ("alice", "bob", "charlie"):
        employee = getattr(personas, who)
        employee.job_role = role
        employee.save(update_fields=["job_role"])
    items = {
        "python": ItemFactory(title="Python for analysts", level=2, format="course"),
        "sql": ItemFactory(title="SQL joins", level=2, format="video"),
        "ai": ItemFactory(title="What is AI", level=1, format="video"),
        "misc": ItemFactory(title="Team lunch etiquette", level=1),
        "excel": ItemFactory(title="Spreadsheets at work", level=2),
    }
    for key, skill in (("python", python), ("sql", sql), ("ai", ai)):
        ItemSkill.objects.create(item=items[key], skill=skill, weight=1.0)
    return World(personas, role, python, sql, ai, items)


def ids(feed) -> list[int]:
    return [e.item.pk for e in feed.entries]


def reasons(feed, item) -> list[str]:
    entry = next(e for e in feed.entries if e.item.pk == item.pk)
    return [r.text for r in entry.reasons]


def tables(queries) -> str:
    return " ".join(q["sql"].lower() for q in queries)


def test_the_role_gap_comes_first_with_its_reason(world):
    feed = rec.recommendations_for(employee=world.personas.alice)
    assert feed.personalised is True
    assert ids(feed)[0] == world.items["python"].pk
    assert reasons(feed, world.items["python"])[0] == (
        "Builds Python, a gap for your Data Analyst role"
    )
    assert "Your role, Data Analyst, and its skill profile (HR data)" in feed.sources.used


def test_new_hire_cold_start_role_profile_and_department_popularity(world):
    # Colleagues in Technology & Data finished the spreadsheet item; alice has no history at all.
    for colleague in (world.personas.bob, world.personas.maria):
        record_item_completed(employee=colleague, item=world.items["excel"])
    feed = rec.recommendations_for(employee=world.personas.alice)
    assert ids(feed)[0] == world.items["python"].pk
    assert "Popular with people in Technology & Data" in reasons(feed, world.items["excel"])


def test_done_and_dismissed_items_are_excluded(world):
    alice = world.personas.alice
    record_item_completed(employee=alice, item=world.items["sql"])
    personalization.feedback_record(
        employee=alice, item=world.items["misc"], kind="dismissed", actor=alice.user
    )
    personalization.feedback_record(
        employee=alice, item=world.items["ai"], kind="not_for_me", actor=alice.user
    )
    feed = rec.recommendations_for(employee=alice)
    assert sorted(ids(feed)) == sorted([world.items["python"].pk, world.items["excel"].pk])


def test_withdrawn_activity_changes_the_feed_at_once_and_is_never_read(world):
    alice = world.personas.alice
    record_item_completed(employee=alice, item=world.items["sql"])
    index = rec.recommendation_index().index
    assert world.items["sql"].pk not in ids(rec.recommendations_for(employee=alice))

    personalization.consent_set(
        employee=alice, signal=Signal.ACTIVITY, granted=False, actor=alice.user
    )
    with CaptureQueriesContext(connection) as ctx:
        profile, sources = rec.learner_profile_build(employee=alice, index=index)
    assert "lrs_progress" not in tables(ctx.captured_queries)
    assert profile.history == [] and profile.done == set()
    assert "Learning activity: you withdrew consent" in sources.not_used
    # The very next feed shows the done item again (history is no longer read to hide it).
    assert world.items["sql"].pk in ids(rec.recommendations_for(employee=alice))


def test_withdrawn_hr_data_is_not_read_and_the_role_reason_goes(world):
    alice = world.personas.alice
    personalization.consent_set(
        employee=alice, signal=Signal.HR_DATA, granted=False, actor=alice.user
    )
    with CaptureQueriesContext(connection) as ctx:
        profile, _ = rec.learner_profile_build(employee=alice)
    sql = tables(ctx.captured_queries)
    assert "skills_roleskill" not in sql and "people_jobrole" not in sql
    assert "people_department" not in sql
    assert (profile.role_id, profile.department_id, profile.role_profile) == (None, None, {})
    feed = rec.recommendations_for(employee=alice)
    all_reasons = [r.text for e in feed.entries for r in e.reasons]
    assert not any("Data Analyst" in text for text in all_reasons)


def test_consent_given_back_applies_to_the_very_next_feed(world):
    alice = world.personas.alice
    gap_reason = "Builds Python, a gap for your Data Analyst role"
    for granted in (False, True, False):
        personalization.consent_set(
            employee=alice, signal=Signal.HR_DATA, granted=granted, actor=alice.user
        )
        feed = rec.recommendations_for(employee=alice)
        all_reasons = [r.text for e in feed.entries for r in e.reasons]
        assert (gap_reason in all_reasons) is granted
    # the record keeps every decision, newest first, with the version of the text
    history = personalization.consent_history(employee=alice)
    assert [(r.signal, r.granted, r.version) for r in history] == [
        (Signal.HR_DATA, False, personalization.CONSENT_VERSION),
        (Signal.HR_DATA, True, personalization.CONSENT_VERSION),
        (Signal.HR_DATA, False, personalization.CONSENT_VERSION),
    ]


def test_withdrawn_skills_profile_is_not_read(world):
    alice = world.personas.alice
    SkillEvidence.objects.create(
        employee=alice, skill=world.python, level=2, observed_on="2026-01-01"
    )
    assert rec.learner_profile_build(employee=alice)[0].skill_levels == {world.python.pk: 2}
    personalization.consent_set(employee=alice, signal=Signal.SKILLS, granted=False, actor=None)
    with CaptureQueriesContext(connection) as ctx:
        profile, _ = rec.learner_profile_build(employee=alice)
    assert "skills_skillevidence" not in tables(ctx.captured_queries)
    assert profile.skill_levels == {}


def test_engine_is_given_only_consented_inputs(world, monkeypatch):
    seen = []
    original = rec.recommendations_rank

    def spy(*, index, profile, limit):
        seen.append(profile)
        return original(index=index, profile=profile, limit=limit)

    monkeypatch.setattr(rec, "recommendations_rank", spy)
    alice = world.personas.alice
    record_item_completed(employee=alice, item=world.items["sql"])
    for signal in (Signal.HR_DATA, Signal.ACTIVITY, Signal.SKILLS):
        personalization.consent_set(employee=alice, signal=signal, granted=False, actor=None)
    rec.recommendations_for(employee=alice)
    profile = seen[-1]
    assert profile.role_profile == {} and profile.history == [] and profile.skill_levels == {}
    assert profile.department_id is None and profile.ai_literacy_level is None


def test_personalization_off_gives_the_same_popular_feed_and_reads_nothing(world):
    alice = world.personas.alice
    record_item_completed(employee=world.personas.bob, item=world.items["misc"])
    personalization.personalization_set_enabled(employee=alice, enabled=False, actor=alice.user)
    with CaptureQueriesContext(connection) as ctx:
        profile, _ = rec.learner_profile_build(employee=alice)
    assert len(ctx.captured_queries) == 1  # the settings row only
    assert profile.personalised is False
    feed = rec.recommendations_for(employee=alice)
    assert feed.personalised is False
    assert ids(feed)[0] == world.items["misc"].pk
    assert {s for e in feed.entries for s in e.signals} <= {"popular", "fresh"}
    bob_feed = rec.recommendations_for(employee=world.personas.charlie)
    assert bob_feed.personalised is True


def test_interest_and_target_skill_reasons(world):
    alice = world.personas.alice
    personalization.interest_add(employee=alice, skill=world.ai, actor=alice.user)
    personalization.target_skill_set(employee=alice, skill=world.sql, level=3, actor=alice.user)
    feed = rec.recommendations_for(employee=alice)
    assert "About AI foundations, one of your interests" in reasons(feed, world.items["ai"])
    assert "Builds SQL, for your goal: SQL" in reasons(feed, world.items["sql"])


def test_reset_history_forgets_activity_and_feedback(world):
    alice = world.personas.alice
    record_item_completed(employee=alice, item=world.items["sql"])
    personalization.feedback_record(
        employee=alice, item=world.items["ai"], kind="not_for_me", actor=alice.user
    )
    personalization.history_reset(employee=alice, actor=alice.user)
    profile, _ = rec.learner_profile_build(employee=alice)
    assert profile.history == [] and profile.not_for_me == []
    assert RecommendationFeedback.objects.filter(employee=alice).count() == 0


def test_impressions_are_recorded_once_per_day(world):
    alice = world.personas.alice
    rec.recommendations_for(employee=alice)
    rec.recommendations_for(employee=alice)
    rows = RecommendationImpression.objects.filter(employee=alice)
    assert rows.count() == 5
    assert sorted(rows.values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_feed_queries_are_constant(world, django_assert_num_queries):
    alice = world.personas.alice
    rec.recommendations_for(employee=alice)  # warm the index
    for item in ItemFactory.create_batch(5):
        ItemSkill.objects.create(item=item, skill=world.python, weight=1.0)
    rec.recommendations_for(employee=alice)  # rebuilt: the catalog changed
    # catalog key, settings, consent, employee+role+department, role profile, targets, interests,
    # evidence, progress, feedback, items of the feed, impressions
    with django_assert_num_queries(12):
        feed = rec.recommendations_for(employee=alice)
    assert len(feed.entries) == 10


# --- pages -----------------------------------------------------------------------------------


def test_for_you_page_shows_reasons_and_why_panel(world):
    client = world.personas.client("alice")
    response = client.get("/discover/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Builds Python, a gap for your Data Analyst role" in html
    assert "Why am I seeing this?" in html
    python = world.items["python"]
    panel = client.get(f"/discover/why/{python.pk}/", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    body = panel.content.decode()
    assert "<html" not in body and 'data-testid="why-panel"' in body
    assert "Skill gap for your role" in body
    full = client.get(f"/discover/why/{python.pk}/")
    assert "<html" in full.content.decode()


def test_feedback_without_javascript_redirects_and_with_htmx_returns_the_feed(world):
    client = world.personas.client("alice")
    misc = world.items["misc"]
    response = client.post(f"/discover/feedback/{misc.pk}/", {"kind": "not_for_me"})
    assert response.status_code == 302 and response.url == "/discover/"
    sql = world.items["sql"]
    response = client.post(
        f"/discover/feedback/{sql.pk}/", {"kind": "more_like_this"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="feed"' in response.content.decode()
    kinds = set(
        RecommendationFeedback.objects.filter(employee=world.personas.alice).values_list(
            "item_id", "kind"
        )
    )
    assert kinds == {(misc.pk, "not_for_me"), (sql.pk, "more_like_this")}
    assert client.post(f"/discover/feedback/{sql.pk}/", {"kind": "love"}).status_code == 400


def test_each_learner_sees_only_their_own_feed_and_controls(world):
    alice = world.personas.alice
    personalization.interest_add(employee=alice, skill=world.ai, actor=alice.user)
    bob = world.personas.client("bob")
    html = bob.get("/discover/").content.decode()
    assert "one of your interests" not in html
    control = bob.get("/discover/control/").content.decode()
    assert "AI foundations</li>" not in control.replace("\n", "")
    # bob's feedback form acts on bob only
    bob.post(f"/discover/feedback/{world.items['ai'].pk}/", {"kind": "not_for_me"})
    assert not RecommendationFeedback.objects.filter(employee=alice).exists()


def test_fairness_report_is_for_ld_admins_only(world):
    assert world.personas.client("lena").get("/discover/fairness/").status_code == 200
    for who in ("alice", "maria", "erin", "audrey"):
        assert world.personas.client(who).get("/discover/fairness/").status_code == 403


def test_control_page_records_consent_with_version_and_audit(world):
    from trellis.core.models import AuditEvent

    alice = world.personas.alice
    client = world.personas.client("alice")
    assert client.get("/discover/control/").status_code == 200
    response = client.post(
        "/discover/control/",
        {"action": "consent", "consent_hr_data": "on", "consent_skills": "on"},
    )
    assert response.status_code == 302
    records = {
        r.signal: (r.granted, r.version) for r in ConsentRecord.objects.filter(employee=alice)
    }
    v = personalization.CONSENT_VERSION
    assert records == {
        "hr_data": (True, v),
        "skills": (True, v),
        "activity": (False, v),
        "surveys": (False, v),
    }
    codes = sorted(
        AuditEvent.objects.filter(code__startswith="trellis.discovery.consent").values_list(
            "code", flat=True
        )
    )
    assert (
        codes
        == ["trellis.discovery.consent.granted"] * 2 + ["trellis.discovery.consent.withdrawn"] * 2
    )
    client.post("/discover/control/", {"action": "personalization"})
    page = client.get("/discover/").content.decode()
    assert "This feed is not personalised" in page


def test_api_returns_the_callers_own_feed(world):
    from trellis.core.services import api_token_create

    client = world.personas.client("alice")
    body = client.get("/api/v1/recommendations/?limit=3").json()
    assert body["personalised"] is True
    assert len(body["items"]) == 3
    assert body["items"][0]["title"] == "Python for analysts"
    assert body["items"][0]["reasons"][0]["text"] == (
        "Builds Python, a gap for your Data Analyst role"
    )
    lena = world.personas.lena.user
    _, secret = api_token_create(
        user=world.personas.bob.user, name="t", scopes=["people:read"], created_by=lena
    )
    auth = {"Authorization": f"Bearer {secret}"}
    from django.test import Client

    assert Client().get("/api/v1/recommendations/", headers=auth).status_code == 403
    _, secret = api_token_create(
        user=world.personas.bob.user, name="t2", scopes=["discovery:read"], created_by=lena
    )
    auth = {"Authorization": f"Bearer {secret}"}
    response = Client().get("/api/v1/recommendations/", headers=auth)
    assert response.status_code == 200
    assert RecommendationImpression.objects.filter(employee=world.personas.bob).count() == 5
    assert Client().get("/api/v1/recommendations/").status_code == 401


def test_peers_who_withdrew_activity_consent_are_left_out_of_popularity(world):
    bob = world.personas.bob
    record_item_completed(employee=bob, item=world.items["misc"])
    index = rec.recommendation_index().index
    assert index.popular[index.pos[world.items["misc"].pk]] > 0
    personalization.consent_set(employee=bob, signal=Signal.ACTIVITY, granted=False, actor=None)
    rec.recommendation_index_clear()
    index = rec.recommendation_index().index
    assert index.popular[index.pos[world.items["misc"].pk]] == 0
    assert index.by_department == {}


def test_survey_answers_set_the_ai_level_only_with_consent(world):
    from trellis.surveys import services as survey_services
    from trellis.surveys.tests.conftest import NOW, PULSE, open_wave

    alice, bob, lena = world.personas.alice, world.personas.bob, world.personas.lena
    survey = survey_services.survey_from_template(actor=lena.user)
    survey_services.survey_audience_set(actor=lena.user, survey=survey, rules=[{}])
    wave = open_wave(survey, actor=lena.user)
    advanced = {**PULSE, "ai_self_level": "advanced"}
    # Bob answers without letting his answers personalize: his feed reads nothing of them
    survey_services.response_submit(employee=bob, wave=wave, answers=advanced, now=NOW)
    profile, sources = rec.learner_profile_build(employee=bob)
    assert profile.ai_literacy_level == 0
    assert "Survey answers: not used without your consent" in sources.not_used
    # Alice lets them
    survey_services.response_submit(
        employee=alice, wave=wave, answers=advanced, now=NOW, personalize=True
    )
    profile, sources = rec.learner_profile_build(employee=alice)
    assert profile.ai_literacy_level == 4
    assert (
        "Your AI-readiness survey answer: advanced with AI (AI-literacy level Proficient)"
        in sources.used
    )
    # evidence in her skills profile wins over the self-rating
    evidence = SkillEvidence.objects.create(
        employee=alice, skill=world.ai, level=2, observed_on="2026-01-01"
    )
    assert rec.learner_profile_build(employee=alice)[0].ai_literacy_level == 2
    evidence.delete()
    # withdrawn: not read from the next feed on
    personalization.consent_set(employee=alice, signal=Signal.SURVEYS, granted=False, actor=None)
    assert rec.learner_profile_build(employee=alice)[0].ai_literacy_level == 0
