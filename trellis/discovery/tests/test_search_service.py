from __future__ import annotations

import pytest

from trellis.catalog import selectors as catalog_selectors
from trellis.catalog import services as catalog_services
from trellis.catalog.models import Item
from trellis.catalog.tests.factories import ProviderFactory
from trellis.discovery import search
from trellis.discovery.models import SearchDocument, SearchPassage
from trellis.discovery.tests.searchkit import make_catalog, use_hashing
from trellis.skills.models import Skill, SkillLabel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hashing(settings):
    use_hashing(settings)
    yield
    search.search_state_reset()


def titles(results: search.SearchResults) -> list[str]:
    return [hit.item.title for hit in results.hits]


def test_search_finds_items_by_their_words():
    make_catalog()
    results = search.search_items(user=None, query="median")
    assert titles(results)[0] == "Introduction to statistics"
    assert results.hits[0].matched_by in {"words", "words and meaning"}
    assert "median" in results.hits[0].snippet.lower()


def test_index_holds_documents_and_passages_of_published_items():
    items = make_catalog()
    assert SearchDocument.objects.count() == 4
    stats = items["Introduction to statistics"]
    passages = list(SearchPassage.objects.filter(item=stats).order_by("position"))
    assert [p.heading for p in passages] == ["Descriptive statistics"]
    assert passages[0].text.startswith("The mean is the sum")
    doc = SearchDocument.objects.get(item=stats)
    assert doc.vector_model == "hashing-1024"
    assert len(doc.vector) == 1024 * 4


def test_a_typo_is_corrected_and_said():
    make_catalog()
    results = search.search_items(user=None, query="statistcs")
    assert results.plan.corrections == {"statistcs": "statistics"}
    assert results.plan.did_you_mean() == "statistics"
    assert titles(results)[0] == "Introduction to statistics"


def test_the_word_being_typed_matches_as_a_prefix():
    make_catalog()
    results = search.search_items(user=None, query="machine lear", typing=True)
    assert results.plan.prefix == "lear"
    assert results.plan.corrections == {}
    assert titles(results)[0] == "Machine learning basics"


def test_alternative_labels_of_a_skill_are_synonyms():
    make_catalog()
    skill = Skill.objects.create(uri="trellis:test:ml", source="trellis", label="machine learning")
    SkillLabel.objects.create(skill=skill, label="statistical learning")
    search.search_state_reset()
    results = search.search_items(user=None, query="statistical learning", mode="lexical")
    assert results.plan.synonyms == [(("statistical", "learning"), [("machine", "learning")])]
    assert "Machine learning basics" in titles(results)


def test_filters_of_the_catalog_apply():
    make_catalog()
    parsed = catalog_selectors.item_filters_parse({"q": "data", "format": ["video"]})
    results = search.search_items(user=None, query="data", filters=parsed.filters)
    assert titles(results) == ["Machine learning basics"]
    assert {hit.item.format for hit in results.hits} == {Item.Format.VIDEO}


def test_semantic_results_come_from_the_vectors():
    make_catalog()
    results = search.search_items(user=None, query="pandas dataframe", mode="semantic")
    assert titles(results)[0] == "Python for data analysis"
    assert results.semantic is True
    assert results.hits[0].matched_by == "meaning"


def test_search_without_vectors_falls_back_to_words(settings):
    make_catalog(vectors=False)
    results = search.search_items(user=None, query="median")
    assert results.semantic is False
    assert titles(results) == ["Introduction to statistics"]


def test_unpublishing_an_item_removes_it_from_search(personas, django_capture_on_commit_callbacks):
    items = make_catalog()
    stats = items["Introduction to statistics"]
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.item_update(
            item=stats, actor=personas.lena.user, data={"is_published": False}
        )
    assert not SearchDocument.objects.filter(item=stats).exists()
    assert not SearchPassage.objects.filter(item=stats).exists()
    assert "Introduction to statistics" not in titles(
        search.search_items(user=None, query="median")
    )


def test_a_new_catalog_item_is_indexed_on_commit(personas, django_capture_on_commit_callbacks):
    make_catalog()
    provider = ProviderFactory(slug="acme")
    with django_capture_on_commit_callbacks(execute=True):
        item = catalog_services.item_create(
            actor=personas.lena.user,
            provider=provider,
            data={"title": "Negotiation skills", "format": "course", "body": "Win-win outcomes."},
        )
    doc = SearchDocument.objects.get(item=item)
    assert doc.vector_model == "hashing-1024"
    assert titles(search.search_items(user=None, query="negotiation")) == ["Negotiation skills"]


def test_reindex_rebuilds_everything_and_drops_stale_documents():
    items = make_catalog()
    Item.objects.filter(pk=items["Writing clear emails"].pk).update(is_published=False)
    counts = search.search_index_rebuild()
    assert counts == {"indexed": 3, "removed": 1, "passages": 3}
    assert SearchDocument.objects.count() == 3


def test_an_empty_or_stopword_query_returns_nothing():
    make_catalog()
    assert search.search_items(user=None, query="the of and").hits == []
    assert search.search_items(user=None, query="   ").total == 0


def test_an_edit_is_searchable_before_the_worker_runs(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    items = make_catalog()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.item_update(
            item=items["Writing clear emails"],
            actor=personas.lena.user,
            data={"title": "Writing clear emails and memos"},
        )
    assert titles(search.search_items(user=None, query="memos", mode="lexical")) == [
        "Writing clear emails and memos"
    ]
    doc = SearchDocument.objects.get(item=items["Writing clear emails"])
    assert doc.vector_hash != doc.content_hash  # the embedding waits for the worker


def test_a_synonym_adds_items_without_outranking_the_query_words():
    items = make_catalog()
    from trellis.catalog.tests.factories import ItemFactory

    dosage = ItemFactory(
        title="Dosage in ml", description="ml per dose", body="Give 5 ml, then 10 ml. " * 20
    )
    search.search_index_update(item_ids=[dosage.pk])
    skill = Skill.objects.create(uri="trellis:test:ml", source="trellis", label="machine learning")
    SkillLabel.objects.create(skill=skill, label="ML")
    search.search_state_reset()
    results = search.search_items(user=None, query="machine learning", mode="lexical")
    assert results.plan.synonyms == [(("machine", "learning"), [("ml",)])]
    assert titles(results)[0] == items["Machine learning basics"].title
    assert "Dosage in ml" in titles(results)  # found through the synonym, ranked below
