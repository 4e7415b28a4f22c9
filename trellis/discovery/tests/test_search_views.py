from __future__ import annotations

import pytest
from django.urls import reverse

from trellis.catalog.models import Item
from trellis.discovery import search
from trellis.discovery.tests.searchkit import make_catalog, use_hashing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hashing(settings):
    use_hashing(settings)
    yield
    search.search_state_reset()


@pytest.mark.parametrize("who", ["alice", "maria", "lena"])
def test_everyone_signed_in_searches(personas, who):
    make_catalog()
    response = personas.client(who).get(reverse("discovery:search"), {"q": "median"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Introduction to statistics" in body
    assert "Writing clear emails" not in body
    assert response["Vary"].count("HX-Request") == 1


def test_search_needs_a_login(client):
    response = client.get(reverse("discovery:search"), {"q": "median"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_learner_never_finds_an_unpublished_item(personas):
    items = make_catalog()
    hidden = items["Introduction to statistics"]
    Item.objects.filter(pk=hidden.pk).update(is_published=False)  # not yet re-indexed
    search.search_state_reset()
    body = personas.client("alice").get(reverse("discovery:search"), {"q": "median"}).content
    assert b"Introduction to statistics" not in body


def test_htmx_gets_only_the_results(personas):
    make_catalog()
    response = personas.client("alice").get(
        reverse("discovery:search"), {"q": "pyhton"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="search-results"')
    assert "<html" not in body
    assert "Showing results for <strong>python</strong>" in body
    assert "Python for data analysis" in body


def test_filters_work_without_javascript(personas):
    make_catalog()
    body = (
        personas.client("alice")
        .get(reverse("discovery:search"), {"q": "data", "format": "video"})
        .content.decode()
    )
    assert "Machine learning basics" in body
    assert "Python for data analysis" not in body
    assert 'value="video" checked' in body


def test_a_bad_filter_is_reported(personas):
    make_catalog()
    body = (
        personas.client("alice")
        .get(reverse("discovery:search"), {"q": "data", "level": "9"})
        .content.decode()
    )
    assert "level: choose from 1 to 5" in body


def test_search_page_queries_are_bounded(personas, django_assert_max_num_queries):
    make_catalog()
    client = personas.client("alice")
    client.get(reverse("discovery:search"), {"q": "data"})  # warms the process's state
    with django_assert_max_num_queries(16):
        response = client.get(reverse("discovery:search"), {"q": "data"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_the_navigation_offers_discover(personas):
    body = personas.client("alice").get(reverse("discovery:search")).content.decode()
    assert 'aria-current="page">Discover<' in body or ">Discover<" in body


def test_search_for_the_words_as_written(personas):
    make_catalog()
    client = personas.client("alice")
    body = client.get(reverse("discovery:search"), {"q": "pyhton"}).content.decode()
    assert "Search for “pyhton” instead" in body
    assert "q=pyhton&amp;exact=1" in body
    exact = client.get(reverse("discovery:search"), {"q": "pyhton", "exact": "1"}).content.decode()
    assert "Showing results for" not in exact
    assert "Python for data analysis" not in exact
