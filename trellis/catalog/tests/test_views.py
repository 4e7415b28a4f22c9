from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.catalog.tests.factories import ItemFactory, ProviderFactory
from trellis.core.models import AuditEvent
from trellis.skills.models import Skill


@pytest.fixture
def book(db: Any) -> dict[str, Any]:
    openstax = ProviderFactory(slug="openstax", name="OpenStax")
    skill = Skill.objects.create(uri="esco:stats", source="esco", label="statistics")
    sections = [
        ItemFactory(
            provider=openstax,
            title=f"1.{n} Section {n}",
            format="book_section",
            collection="Introductory Statistics 2e",
            section="1 Sampling and Data",
            sequence=n,
            body="Paragraph one.\n\nParagraph two. " * (200 if n == 2 else 1),
            license="CC BY 4.0",
            attribution="Introductory Statistics 2e — OpenStax. © Rice University (OpenStax). Access for free at https://openstax.org/books/introductory-statistics-2e/pages/1-introduction.",
        )
        for n in (1, 2, 3)
    ]
    ItemSkill.objects.create(item=sections[1], skill=skill, weight=0.8)
    video = ItemFactory(title="Prompting basics", format="video", duration_minutes=8, level=1)
    hidden = ItemFactory(title="Draft item", is_published=False)
    return {"sections": sections, "video": video, "hidden": hidden, "skill": skill}


def test_learner_browses_catalog(personas: Any, book: Any) -> None:
    response = personas.client("alice").get("/catalog/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>4</strong> items" in body
    for title in ("1.1 Section 1", "1.2 Section 2", "1.3 Section 3", "Prompting basics"):
        assert title in body
    assert "Draft item" not in body
    assert "HX-Request" in response["Vary"]
    assert "New item" not in body  # only L&D admins get the editing links


def test_filter_via_get_form_without_js(personas: Any, book: Any) -> None:
    response = personas.client("bob").get("/catalog/?format=video")
    body = response.content.decode()
    assert (
        "<strong>1</strong> item" in body
        and "Prompting basics" in body
        and "1.1 Section 1" not in body
    )
    response = personas.client("bob").get(f"/catalog/?skill={book['skill'].pk}")
    body = response.content.decode()
    assert "<strong>1</strong> item" in body and "1.2 Section 2" in body


def test_no_results_offers_clear(personas: Any, book: Any) -> None:
    body = personas.client("alice").get("/catalog/?q=zzzz-nothing").content.decode()
    assert "No items match these filters" in body
    assert 'href="/catalog/" class="button secondary">Clear all filters' in body


def test_htmx_request_gets_results_partial_only(personas: Any, book: Any) -> None:
    response = personas.client("alice").get("/catalog/?format=video", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body and 'class="filters' not in body
    assert "Prompting basics" in body
    assert "HX-Request" in response["Vary"]


def test_pagination_and_per_page(personas: Any, db: Any) -> None:
    provider = ProviderFactory()
    ItemFactory.create_batch(30, provider=provider)
    client = personas.client("alice")
    body = client.get("/catalog/").content.decode()
    assert "page 1 of 2" in body and body.count('class="card item-card"') == 24
    body = client.get("/catalog/?page=2").content.decode()
    assert body.count('class="card item-card"') == 6
    body = client.get("/catalog/?per_page=12&page=3").content.decode()
    assert "page 3 of 3" in body and body.count('class="card item-card"') == 6
    body = client.get("/catalog/?per_page=13").content.decode()  # not an allowed size: default
    assert body.count('class="card item-card"') == 24


def test_list_query_count_constant_across_page_sizes(personas: Any, db: Any) -> None:
    provider = ProviderFactory()
    skills = [
        Skill.objects.create(uri=f"t:s{n}", source="trellis", label=f"Skill {n}") for n in range(3)
    ]
    for item in ItemFactory.create_batch(100, provider=provider):
        for skill in skills:
            ItemSkill.objects.create(item=item, skill=skill, weight=0.5)
    client = personas.client("alice")
    client.get("/catalog/")  # the header's unread count is cached per person after the first page
    counts = {}
    for per_page in (12, 24, 96):
        for partial in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if partial else {}
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/catalog/?per_page={per_page}", **headers)
            assert response.status_code == 200
            counts[(per_page, partial)] = len(ctx.captured_queries)
    assert counts[(12, False)] == counts[(24, False)] == counts[(96, False)]
    assert counts[(12, True)] == counts[(24, True)] == counts[(96, True)]
    assert counts[(12, True)] == counts[(12, False)] - 5  # the partial skips the 5 facet queries


def test_item_page_shows_everything_and_attribution(personas: Any, book: Any) -> None:
    middle = book["sections"][1]
    response = personas.client("charlie").get(f"/catalog/item/{middle.uid}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>1.2 Section 2</h1>" in body
    assert "<strong>License:</strong> CC BY 4.0" in body
    assert "© Rice University (OpenStax)" in body
    url = "https://openstax.org/books/introductory-statistics-2e/pages/1-introduction"
    # the attribution line keeps its full stop after the linked URL
    assert f'Access for free at <a href="{url}" rel="noopener">{url}</a>.</p>' in body
    assert f'href="/skills/skill/{book["skill"].pk}/">statistics</a>' in body
    assert "<details><summary>Read the whole text</summary>" in body  # long body collapsed
    assert f'href="/catalog/item/{book["sections"][0].uid}/" rel="prev"' in body
    assert f'href="/catalog/item/{book["sections"][2].uid}/" rel="next"' in body
    # an employee opens the item through a form that records the launch as an xAPI statement
    assert f'action="/learning/item/{middle.uid}/launch"' in body
    assert 'href="https://learn.example.com/x" target="_blank"' not in body


def test_unpublished_item_is_404_for_learner_visible_to_admin(personas: Any, book: Any) -> None:
    url = f"/catalog/item/{book['hidden'].uid}/"
    assert personas.client("alice").get(url).status_code == 404
    assert personas.client("maria").get(url).status_code == 404
    assert personas.client("lena").get(url).status_code == 200


@pytest.mark.parametrize("who", ["alice", "maria", "erin", "audrey"])
def test_only_ld_admin_may_edit(personas: Any, book: Any, who: str) -> None:
    item = book["video"]
    client = personas.client(who)
    assert client.get(f"/catalog/item/{item.uid}/edit/").status_code == 403
    response = client.post(
        f"/catalog/item/{item.uid}/edit/",
        {
            "title": "Hacked",
            "provider": item.provider_id,
            "format": "video",
            "duration_minutes": 1,
            "level": 1,
            "language": "en",
            "sequence": 0,
        },
    )
    assert response.status_code == 403
    assert client.get("/catalog/item/new/").status_code == 403
    assert client.get("/catalog/providers/").status_code == 403
    assert (
        client.post(
            f"/catalog/item/{item.uid}/skills/", {"skill": book["skill"].pk, "weight": 1}
        ).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.title == "Prompting basics"
    assert not ItemSkill.objects.filter(item=item).exists()
    assert not AuditEvent.objects.filter(code__startswith="trellis.catalog").exists()


def _form_data(item: Item, **changes: Any) -> dict[str, Any]:
    data = {
        "provider": item.provider_id,
        "external_id": item.external_id,
        "title": item.title,
        "description": item.description,
        "body": item.body,
        "format": item.format,
        "duration_minutes": item.duration_minutes,
        "level": item.level,
        "language": item.language,
        "launch_url": item.launch_url,
        "license": item.license,
        "attribution": item.attribution,
        "collection": item.collection,
        "section": item.section,
        "sequence": item.sequence,
        "is_published": "on",
        "learning_objectives_text": "",
    }
    data.update(changes)
    return data


def test_ld_admin_edits_item(personas: Any, book: Any) -> None:
    item = book["video"]
    client = personas.client("lena")
    assert client.get(f"/catalog/item/{item.uid}/edit/").status_code == 200
    response = client.post(
        f"/catalog/item/{item.uid}/edit/",
        _form_data(
            item,
            title="Prompting basics (2026)",
            learning_objectives_text="Write a prompt\nCheck the answer\n",
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Prompting basics (2026)"
    assert item.learning_objectives == ["Write a prompt", "Check the answer"]
    event = AuditEvent.objects.get(code="trellis.catalog.item.updated")
    assert (
        event.data == {"fields": ["learning_objectives", "title"]}
        and event.actor == personas.lena.user
    )


def test_edit_errors_name_the_field_and_change_nothing(personas: Any, book: Any) -> None:
    item = book["video"]
    response = personas.client("lena").post(
        f"/catalog/item/{item.uid}/edit/",
        _form_data(
            item, title="", duration_minutes=-3, launch_url="ftp://nope", language="english!"
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for label in ("Title:", "Duration (minutes):", "Launch URL:", "Language:"):
        assert label in body
    item.refresh_from_db()
    assert (item.title, item.duration_minutes) == ("Prompting basics", 8)


def test_duplicate_external_id_is_reported_on_the_field(personas: Any, book: Any) -> None:
    first, second = book["sections"][0], book["sections"][1]
    response = personas.client("lena").post(
        f"/catalog/item/{second.uid}/edit/", _form_data(second, external_id=first.external_id)
    )
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.external_id != first.external_id


def test_ld_admin_creates_item(personas: Any, book: Any) -> None:
    provider = Provider.objects.get(slug="openstax")
    template = book["video"]
    response = personas.client("lena").post(
        "/catalog/item/new/",
        _form_data(template, provider=provider.pk, external_id="", title="A new thing"),
    )
    assert response.status_code == 302
    item = Item.objects.get(title="A new thing")
    assert item.external_id == f"trellis-{item.uid.hex}" and item.provider == provider
    assert (
        AuditEvent.objects.filter(
            code="trellis.catalog.item.created", target_id=str(item.pk)
        ).count()
        == 1
    )


def test_skills_editor_search_add_reweight_remove(personas: Any, book: Any) -> None:
    item, skill = book["video"], book["skill"]
    client = personas.client("lena")
    url = f"/catalog/item/{item.uid}/"
    response = client.get(url + "edit/?skill_q=stat", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert (
        body.lstrip().startswith('<section id="skills"')
        and "statistics" in body
        and "<html" not in body
    )
    response = client.post(
        url + "skills/",
        {"skill": skill.pk, "weight": "0.6", "action": "set"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'value="0.60"' in response.content.decode()
    assert ItemSkill.objects.get(item=item, skill=skill).weight == 0.6
    # without JavaScript: a redirect back to the editor
    response = client.post(url + "skills/", {"skill": skill.pk, "weight": "0.9", "action": "set"})
    assert response.status_code == 302 and response["Location"].endswith("/edit/#skills")
    assert ItemSkill.objects.get(item=item, skill=skill).weight == 0.9
    response = client.post(
        url + "skills/", {"skill": skill.pk, "weight": "2", "action": "set"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "weight:" in response.content.decode()
    assert ItemSkill.objects.get(item=item, skill=skill).weight == 0.9
    client.post(
        url + "skills/",
        {"skill": skill.pk, "weight": "1", "action": "remove"},
        HTTP_HX_REQUEST="true",
    )
    assert not ItemSkill.objects.filter(item=item).exists()
    codes = list(
        AuditEvent.objects.filter(code__startswith="trellis.catalog.item.skill")
        .values_list("code", flat=True)
        .order_by("id")
    )
    assert codes == [
        "trellis.catalog.item.skill_set",
        "trellis.catalog.item.skill_set",
        "trellis.catalog.item.skill_removed",
    ]


def test_providers_pages(personas: Any, book: Any) -> None:
    client = personas.client("lena")
    body = client.get("/catalog/providers/").content.decode()
    assert "<code>openstax</code>" in body
    response = client.post(
        "/catalog/providers/",
        {
            "slug": "trellis-academy",
            "name": "Trellis Academy",
            "url": "",
            "description": "",
            "default_license": "CC BY 4.0",
        },
    )
    assert response.status_code == 302
    assert Provider.objects.get(slug="trellis-academy").name == "Trellis Academy"
    response = client.post("/catalog/providers/", {"slug": "bad slug!", "name": ""})
    assert response.status_code == 400 and "Slug:" in response.content.decode()
    response = client.post(
        "/catalog/providers/openstax/",
        {
            "name": "OpenStax (Rice)",
            "url": "https://openstax.org/",
            "description": "",
            "default_license": "CC BY 4.0",
        },
    )
    assert response.status_code == 302
    provider = Provider.objects.get(slug="openstax")
    assert (provider.name, provider.url) == ("OpenStax (Rice)", "https://openstax.org/")
    assert AuditEvent.objects.filter(code="trellis.catalog.provider.updated").count() == 1
