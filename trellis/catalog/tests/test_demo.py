from __future__ import annotations

import json
from typing import Any

from trellis.catalog.demo import ACADEMY_FILES, build_catalog
from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.skills.models import Skill

AI_URIS = [
    "trellis:ai-literacy:foundations",
    "trellis:ai-literacy:prompting",
    "trellis:ai-literacy:evaluating-output",
    "trellis:ai-literacy:responsible-use",
    "trellis:ai-literacy:tool-selection",
    "trellis:ai-literacy:workflow-automation",
    "trellis:ai-literacy:data-for-ai",
    "trellis:ai-literacy:building-with-ai",
]


def test_academy_files_use_only_known_formats_and_ai_skills() -> None:
    items = [i for path in ACADEMY_FILES for i in json.loads(path.read_text())["items"]]
    ai = json.loads(ACADEMY_FILES[0].read_text())["items"]
    assert len(ai) >= 30
    assert {i["format"] for i in ai} >= {
        "article",
        "video",
        "course",
        "interactive",
        "live",
        "podcast",
    }
    assert {i["level"] for i in ai} == {1, 2, 3, 4, 5}
    used = {s["uri"] for i in ai for s in i["skills"] if s["uri"].startswith("trellis:")}
    assert used == set(AI_URIS)
    assert all(i["launch_url"].startswith("https://learn.example.com/") for i in items)
    assert all(i["license"] == "CC BY 4.0, Trellis contributors" for i in items)


def test_build_catalog_is_idempotent(db: Any) -> None:
    for uri in AI_URIS:
        Skill.objects.create(uri=uri, source="trellis", label=uri.rsplit(":", 1)[1])
    first = build_catalog()
    assert first["openstax"]["created"] == 1718
    assert first["ai-literacy"]["created"] == 31 and first["workplace-essentials"]["created"] == 21
    assert Provider.objects.get(slug="trellis-academy").name == "Trellis Academy"
    assert not Item.objects.filter(attribution="").exists()
    assert ItemSkill.objects.filter(skill__uri="trellis:ai-literacy:prompting").count() == 5
    second = build_catalog()
    assert second["openstax"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 1718,
        "skill_tags_skipped": first["openstax"]["skill_tags_skipped"],
    }
    assert (
        second["ai-literacy"]["created"],
        second["ai-literacy"]["updated"],
        second["ai-literacy"]["unchanged"],
    ) == (0, 0, 31)
    assert Item.objects.count() == 1718 + 31 + 21
