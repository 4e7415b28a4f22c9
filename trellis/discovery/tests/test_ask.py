from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse

from trellis.catalog.models import Item
from trellis.discovery import ask as ask_service
from trellis.discovery import search
from trellis.discovery.models import SearchPassage
from trellis.discovery.tests.searchkit import make_catalog, use_hashing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hashing(settings):
    use_hashing(settings)
    yield
    search.search_state_reset()


class FakeServer:
    """An OpenAI-compatible endpoint on 127.0.0.1: records the requests, answers ``reply``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.reply: Any = "ok"
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                fake.requests.append({"path": self.path, **payload})
                fake.headers.append(dict(self.headers))
                reply = fake.reply(payload) if callable(fake.reply) else fake.reply
                body = json.dumps(reply).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_llm(settings) -> Iterator[FakeServer]:
    with FakeServer() as server:
        settings.TRELLIS_LLM_URL = server.url
        settings.TRELLIS_LLM_API_KEY = "sk-test"
        settings.TRELLIS_LLM_MODEL = "tiny"
        settings.TRELLIS_LLM_TIMEOUT = 5
        yield server


def chat(content: str) -> dict[str, Any]:
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}


def test_ask_answers_with_the_defining_sentence_and_cites_it():
    make_catalog()
    result = ask_service.ask(user=None, question="What is the median?")
    assert result.answer_source == "extractive"
    assert result.answer.startswith("The median is the middle value")
    assert result.confident is True
    first = result.citations[0]
    assert first.item.title == "Introduction to statistics"
    assert first.section == "Introductory Statistics · 1 Sampling and Data"
    assert first.passage.heading == "Descriptive statistics"
    assert result.answer_citation == 1
    assert "median" in first.snippet


def test_ask_corrects_typos_in_the_question():
    make_catalog()
    result = ask_service.ask(user=None, question="what is a confidense interval")
    assert result.plan.corrections == {"confidense": "confidence"}
    assert "confidence interval is a range" in result.answer


def test_a_question_nothing_answers_gets_no_answer():
    make_catalog()
    result = ask_service.ask(user=None, question="quantum chromodynamics")
    assert result.citations == []
    assert result.answer == ""
    assert result.not_found is True


def test_ask_page_shows_answer_and_citations_linking_to_the_item(personas):
    items = make_catalog()
    response = personas.client("alice").get(reverse("discovery:ask"), {"q": "What is the median?"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The median is the middle value" in body
    stats = items["Introduction to statistics"]
    assert reverse("catalog:item", args=[stats.uid]) in body
    passage = SearchPassage.objects.get(item=stats)
    assert reverse("discovery:passage", args=[passage.pk]) in body


def test_the_cited_passage_page_shows_it_in_context(personas):
    items = make_catalog()
    passage = SearchPassage.objects.get(item=items["Introduction to statistics"])
    response = personas.client("alice").get(reverse("discovery:passage", args=[passage.pk]))
    assert response.status_code == 200
    assert 'class="passage-current"' in response.content.decode()


def test_a_passage_of_an_unpublished_item_is_not_found(personas):
    items = make_catalog()
    stats = items["Introduction to statistics"]
    passage = SearchPassage.objects.get(item=stats)
    Item.objects.filter(pk=stats.pk).update(is_published=False)
    response = personas.client("alice").get(reverse("discovery:passage", args=[passage.pk]))
    assert response.status_code == 404
    body = personas.client("alice").get(reverse("discovery:ask"), {"q": "median"}).content
    assert b"Introduction to statistics" not in body


def test_ask_needs_a_login(client):
    assert client.get(reverse("discovery:ask"), {"q": "median"}).status_code == 302


def test_the_language_model_answers_from_the_cited_passages_only(fake_llm):
    make_catalog()
    fake_llm.reply = chat("The median is the middle of the sorted values [1].")
    result = ask_service.ask(user=None, question="What is the median?")
    assert result.answer_source == "llm"
    assert result.answer == "The median is the middle of the sorted values [1]."
    assert result.answer_citation == 1
    request = fake_llm.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "tiny"
    assert fake_llm.headers[0]["Authorization"] == "Bearer sk-test"
    system, user = request["messages"]
    assert "ONLY the numbered passages" in system["content"]
    assert "[1] Introduction to statistics — Descriptive statistics" in user["content"]
    assert user["content"].endswith("Question: What is the median?")


def test_the_language_model_says_when_the_passages_do_not_answer(fake_llm, personas):
    make_catalog()
    fake_llm.reply = chat("NOT_IN_PASSAGES")
    result = ask_service.ask(user=None, question="What is the median salary in Paris?")
    assert result.answer == ""
    assert result.not_found is True
    assert result.note == "The cited passages do not contain the answer to this question."
    assert result.citations  # the passages are still shown
    body = personas.client("alice").get(reverse("discovery:ask"), {"q": "median salary"}).content
    assert b"The cited passages do not contain the answer" in body


def test_a_failing_language_model_falls_back_to_the_extractive_answer(fake_llm):
    make_catalog()
    fake_llm.status = 500
    fake_llm.reply = {"error": "boom"}
    result = ask_service.ask(user=None, question="What is the median?")
    assert result.answer_source == "extractive"
    assert result.answer.startswith("The median is the middle value")
    assert "did not answer" in result.note


def test_embedding_service_vectors_are_used_for_search(settings):
    vocabulary = ["python", "statistics", "median", "machine", "email", "data"]

    def embed(payload: dict[str, Any]) -> dict[str, Any]:
        rows = []
        for i, text in enumerate(payload["input"]):
            lowered = text.lower()
            rows.append(
                {"index": i, "embedding": [float(lowered.count(w)) + 0.01 for w in vocabulary]}
            )
        return {"data": rows, "model": payload["model"]}

    with FakeServer() as server:
        server.reply = embed
        settings.TRELLIS_EMBEDDING_URL = server.url
        settings.TRELLIS_EMBEDDING_SERVICE_MODEL = "fake-embed"
        search.search_state_reset()
        make_catalog()
        assert {r["path"] for r in server.requests} == {"/v1/embeddings"}
        assert server.requests[0]["model"] == "fake-embed"
        results = search.search_items(user=None, query="median", mode="semantic")
    assert results.semantic is True
    assert results.hits[0].item.title == "Introduction to statistics"


def test_a_failing_embedding_service_leaves_search_by_words(settings):
    with FakeServer() as server:
        server.status = 503
        server.reply = {"error": "down"}
        settings.TRELLIS_EMBEDDING_URL = server.url
        search.search_state_reset()
        make_catalog(vectors=False)
        results = search.search_items(user=None, query="median")
    assert results.semantic is False
    assert [h.item.title for h in results.hits] == ["Introduction to statistics"]
