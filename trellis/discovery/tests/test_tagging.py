from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from trellis.catalog.models import ItemSkill
from trellis.core.models import AuditEvent
from trellis.discovery import search, tagging
from trellis.discovery.engine import tagging as engine
from trellis.discovery.models import TagSuggestion
from trellis.discovery.tests.searchkit import make_catalog, use_hashing
from trellis.skills.models import Skill, SkillLabel


@pytest.fixture(autouse=True)
def _hashing(settings):
    use_hashing(settings)
    yield
    search.search_state_reset()


# --- engine ------------------------------------------------------------------------------------


def test_labels_in_the_title_count_more_than_in_the_text():
    skills = [
        engine.SkillIn(key=1, label="statistics", alt_labels=["descriptive statistics"]),
        engine.SkillIn(key=2, label="email writing", alt_labels=["writing emails"]),
        engine.SkillIn(key=3, label="R"),  # too short to match by words
    ]
    item = engine.ItemIn(key=10, title="Introduction to statistics", text="R and email writing.")
    evidence = engine.label_evidence(item, engine.LabelIndex.build(skills))
    assert evidence == {1: (1.0, "statistics"), 2: (0.4, "email writing")}


def test_confidence_combines_meaning_and_words():
    skills = [engine.SkillIn(key=1, label="statistics"), engine.SkillIn(key=2, label="cooking")]
    items = [engine.ItemIn(key=10, title="Introduction to statistics", text="means and medians")]
    item_vectors = np.array([[1.0, 0.0]], dtype=np.float32)
    skill_vectors = np.array([[0.8, 0.6], [0.0, 1.0]], dtype=np.float32)
    found = engine.suggest(items, item_vectors, skills, skill_vectors)
    # statistics: meaning (0.8 - 0.15) / 0.45 -> 1.0, label in title 1.0 -> 0.6 + 0.35 + 0.15 = 1.0
    assert [(s.skill_key, s.confidence, s.similarity, s.matched_label) for s in found[10]] == [
        (1, 1.0, 0.8, "statistics")
    ]


def test_excluded_skills_are_never_suggested():
    skills = [engine.SkillIn(key=1, label="statistics")]
    items = [engine.ItemIn(key=10, title="Statistics", text="statistics statistics")]
    assert engine.suggest(items, None, skills, None, exclude={10: {1}}) == {10: []}


def test_words_alone_suggest_only_strong_label_evidence():
    skills = [engine.SkillIn(key=1, label="statistics"), engine.SkillIn(key=2, label="median")]
    items = [engine.ItemIn(key=10, title="Statistics", text="the median once")]
    found = engine.suggest(items, None, skills, None, min_confidence=0.2)
    # without vectors: 0.6 x words (title 1.0, once in the text 0.4)
    assert [(s.skill_key, s.confidence) for s in found[10]] == [(1, 0.6), (2, 0.24)]


# --- services and pages ------------------------------------------------------------------------


@pytest.fixture
def skills(db):
    stats = Skill.objects.create(
        uri="trellis:test:statistics",
        source="trellis",
        label="statistics",
        description="Collect, describe and interpret data: means, medians, spread.",
    )
    SkillLabel.objects.create(skill=stats, label="descriptive statistics")
    python = Skill.objects.create(
        uri="trellis:test:python",
        source="trellis",
        label="Python (computer programming)",
        description="Python programming: read, clean and analyse data with pandas.",
    )
    SkillLabel.objects.create(skill=python, label="python")
    return {"statistics": stats, "python": python}


@pytest.mark.django_db
def test_suggestions_are_made_for_untagged_items(skills):
    items = make_catalog()
    counts = tagging.tag_suggestions_update()
    assert counts["items"] == 4
    pairs = {
        (s.item.title, s.skill.label) for s in TagSuggestion.objects.select_related("item", "skill")
    }
    assert ("Introduction to statistics", "statistics") in pairs
    assert ("Python for data analysis", "Python (computer programming)") in pairs
    assert ("Writing clear emails", "statistics") not in pairs
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    assert s.status == TagSuggestion.Status.PENDING
    assert 0.5 <= s.confidence <= 1.0
    assert s.matched_label in {"statistics", "descriptive statistics"}


@pytest.mark.django_db
def test_an_item_not_embedded_yet_waits_for_its_vector(skills):
    items = make_catalog()
    stats = items["Introduction to statistics"]
    from trellis.discovery.models import SearchDocument

    SearchDocument.objects.filter(item=stats).update(vector=None)
    tagging.tag_suggestions_update()
    assert not TagSuggestion.objects.filter(item=stats).exists()
    assert TagSuggestion.objects.filter(item=items["Python for data analysis"]).exists()


@pytest.mark.django_db
def test_without_embeddings_a_label_in_the_title_is_suggested(settings, skills):
    settings.TRELLIS_EMBEDDING_MODEL = "off"
    items = make_catalog(vectors=False)
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(item=items["Introduction to statistics"])
    assert (s.skill, s.confidence, s.model) == (skills["statistics"], 0.6, "labels")


@pytest.mark.django_db
def test_accepting_tags_the_item_as_automatic_and_is_audited(skills, personas):
    items = make_catalog()
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    link = tagging.tag_suggestion_accept(suggestion=s, actor=personas.lena.user)
    assert (link.origin, link.confidence) == (ItemSkill.Origin.AUTOMATIC, s.confidence)
    assert link.weight == round(s.confidence, 2)
    s.refresh_from_db()
    assert (s.status, s.decided_by) == (TagSuggestion.Status.ACCEPTED, personas.lena.user)
    assert AuditEvent.objects.filter(code="trellis.discovery.tag.accepted").count() == 1
    # a refresh keeps the decision and does not suggest the skill again
    tagging.tag_suggestions_update()
    assert TagSuggestion.objects.get(pk=s.pk).status == TagSuggestion.Status.ACCEPTED


@pytest.mark.django_db
def test_a_rejected_suggestion_is_not_made_again(skills, personas):
    items = make_catalog()
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    tagging.tag_suggestion_reject(suggestion=s, actor=personas.lena.user)
    tagging.tag_suggestions_update()
    assert list(
        TagSuggestion.objects.filter(item=s.item, skill=s.skill).values_list("status", flat=True)
    ) == [TagSuggestion.Status.REJECTED]
    assert not ItemSkill.objects.filter(item=s.item, skill=s.skill).exists()


@pytest.mark.django_db
def test_coverage_counts_tagged_and_suggested_items(skills, personas):
    items = make_catalog()
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    tagging.tag_suggestion_accept(suggestion=s, actor=personas.lena.user)
    ItemSkill.objects.create(item=items["Writing clear emails"], skill=skills["python"])
    coverage = tagging.tagging_coverage()
    assert coverage["items"] == 4
    assert coverage["tagged"] == 2
    assert coverage["tagged_share"] == 0.5
    assert coverage["manual"] == 1
    assert coverage["only_automatic"] == 1
    assert coverage["untouched"] + coverage["suggested_untagged"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"), [("lena", 200), ("alice", 403), ("maria", 403), ("erin", 403)]
)
def test_only_ld_admins_open_the_review_queue(personas, skills, who, status):
    make_catalog()
    tagging.tag_suggestions_update()
    response = personas.client(who).get(reverse("discovery:tag_queue"))
    assert response.status_code == status
    if status == 200:
        assert "Introduction to statistics" in response.content.decode()


@pytest.mark.django_db
def test_a_learner_cannot_accept_a_suggestion(personas, skills):
    items = make_catalog()
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    response = personas.client("alice").post(reverse("discovery:tag_decide", args=[s.pk, "accept"]))
    assert response.status_code == 403
    s.refresh_from_db()
    assert s.status == TagSuggestion.Status.PENDING
    assert not ItemSkill.objects.filter(item=s.item, skill=s.skill).exists()


@pytest.mark.django_db
def test_ld_admin_accepts_with_htmx_and_gets_the_row(personas, skills):
    items = make_catalog()
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    response = personas.client("lena").post(
        reverse("discovery:tag_decide", args=[s.pk, "accept"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="suggestion-{s.pk}">')
    assert "Accepted" in body
    assert ItemSkill.objects.get(item=s.item, skill=s.skill).origin == "automatic"


@pytest.mark.django_db
def test_ld_admin_rejects_without_javascript(personas, skills):
    items = make_catalog()
    tagging.tag_suggestions_update()
    s = TagSuggestion.objects.get(
        item=items["Introduction to statistics"], skill=skills["statistics"]
    )
    response = personas.client("lena").post(reverse("discovery:tag_decide", args=[s.pk, "reject"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("discovery:tag_queue")
    s.refresh_from_db()
    assert s.status == TagSuggestion.Status.REJECTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"), [("lena", 200), ("erin", 200), ("audrey", 200), ("alice", 403)]
)
def test_coverage_report_is_for_org_readers(personas, who, status):
    assert personas.client(who).get(reverse("discovery:tag_coverage")).status_code == status


@pytest.mark.django_db
def test_only_the_skills_the_organisation_uses_are_suggested_once_it_uses_some(skills):
    items = make_catalog()
    assert tagging.tagging_skill_ids() is None  # no role profile, tag or family yet: every skill
    ItemSkill.objects.create(item=items["Writing clear emails"], skill=skills["python"])
    assert tagging.tagging_skill_ids() == {skills["python"].pk}
    tagging.tag_suggestions_update()
    assert set(TagSuggestion.objects.values_list("skill_id", flat=True)) == {skills["python"].pk}
