from __future__ import annotations

import io
import json
from typing import Any

import pytest

from trellis.catalog.importers import import_catalog_file
from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.catalog.tests.conftest import PROMPTING, PY, STATS
from trellis.core.importing import run_import

HEADER = "provider,provider_name,external_id,title,description,format,duration_minutes,level,language,launch_url,license,attribution,collection,section,sequence,skills,published\n"
GOOD_CSV = (
    HEADER
    + f'acme,Acme Learning,py-1,Python basics,Learn Python,course,90,beginner,en,https://acme.example/py,CC BY 4.0,Acme,Python track,1 Start,1,"{PY}:0.8;{STATS}",true\n'
    + f"acme,,prompt-1,Prompting 101,,video,12,1,en-GB,https://acme.example/prompt,,,,,0,{PROMPTING},false\n"
)


def _csv(text: str, name: str = "items.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode())
    f.name = name
    return f


def _tags(external_id: str) -> dict[str, float]:
    return {
        link.skill.uri: link.weight
        for link in ItemSkill.objects.filter(item__external_id=external_id).select_related("skill")
    }


def test_csv_import_creates_items_and_tags(skills: Any) -> None:
    report = run_import("catalog", _csv(GOOD_CSV), actor=None)
    assert report.errors == []
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    py = Item.objects.get(external_id="py-1")
    assert py.provider.slug == "acme" and py.provider.name == "Acme Learning"
    assert (py.title, py.format, py.duration_minutes, py.level, py.language) == (
        "Python basics",
        "course",
        90,
        2,
        "en",
    )
    assert (py.collection, py.section, py.sequence, py.is_published) == (
        "Python track",
        "1 Start",
        1,
        True,
    )
    assert _tags("py-1") == {PY: 0.8, STATS: 1.0}
    prompt = Item.objects.get(external_id="prompt-1")
    assert (prompt.level, prompt.language, prompt.is_published) == (1, "en-GB", False)
    assert _tags("prompt-1") == {PROMPTING: 1.0}
    assert set(ItemSkill.objects.values_list("origin", flat=True)) == {"manual"}


def test_reimport_is_idempotent_then_counts_updates(skills: Any) -> None:
    run_import("catalog", _csv(GOOD_CSV), actor=None)
    again = run_import("catalog", _csv(GOOD_CSV), actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = GOOD_CSV.replace("Python basics", "Python basics 2nd edition").replace(
        f"{PROMPTING},false", f"{PROMPTING}:0.5,false"
    )
    third = run_import("catalog", _csv(changed), actor=None)
    assert (third.created, third.updated, third.unchanged) == (0, 2, 0)
    assert Item.objects.get(external_id="py-1").title == "Python basics 2nd edition"
    assert _tags("prompt-1") == {PROMPTING: 0.5}
    assert Item.objects.count() == 2


def test_skills_column_replaces_manual_tags_and_absent_column_keeps_them(skills: Any) -> None:
    run_import("catalog", _csv(GOOD_CSV), actor=None)
    replaced = GOOD_CSV.replace(f'"{PY}:0.8;{STATS}"', PROMPTING)
    run_import("catalog", _csv(replaced), actor=None)
    assert _tags("py-1") == {PROMPTING: 1.0}
    without = "provider,external_id,title,format\nacme,py-1,Python basics,course\n"
    report = run_import("catalog", _csv(without), actor=None)
    assert report.ok
    assert _tags("py-1") == {PROMPTING: 1.0}


def test_every_error_reported_at_once_and_nothing_written(skills: Any) -> None:
    bad = (
        HEADER
        + "acme,Acme,a1,Good row,,course,10,1,en,https://ok.example/a,,,,,0,,true\n"
        + "acme,Acme,a2,Bad format,,book,10,1,en,,,,,,0,,true\n"  # row 3
        + "acme,Acme,a3,Negative,,video,-5,1,en,,,,,,0,,true\n"  # row 4
        + "acme,Acme,a4,Bad URL,,video,5,1,en,ftp://x.example/y,,,,,0,,true\n"  # row 5
        + "acme,Acme,a1,Duplicate,,video,5,1,en,,,,,,0,,true\n"  # row 6
        + "acme,Acme,a5,Unknown skill,,video,5,1,en,,,,,,0,http://nope.example/skill,true\n"  # row 7
        + "acme,Acme,a6,,,video,5,9,english!,,,,,,0,,maybe\n"  # row 8
    )
    report = run_import("catalog", _csv(bad), actor=None)
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "format"),
        (4, "duration_minutes"),
        (5, "launch_url"),
        (6, "external_id"),
        (7, "skills"),
        (8, "title"),
        (8, "level"),
        (8, "language"),
        (8, "published"),
    }
    assert "duplicate of row 2" in next(e.message for e in report.errors if e.row == 6)
    assert "http://nope.example/skill" in next(e.message for e in report.errors if e.row == 7)
    assert Item.objects.count() == 0
    assert Provider.objects.count() == 0


def test_missing_required_column_is_one_file_error(skills: Any) -> None:
    report = run_import("catalog", _csv("provider,external_id,format\nacme,x,course\n"), actor=None)
    assert [(e.row, e.column) for e in report.errors] == [(0, "title")]
    assert "required column" in report.errors[0].message
    assert Item.objects.count() == 0


def test_unknown_provider_needs_a_name(skills: Any) -> None:
    report = run_import(
        "catalog", _csv("provider,external_id,title,format\nnewco,x,T,course\n"), actor=None
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "provider_name")]
    assert not Provider.objects.exists()


def test_json_array_and_items_object(skills: Any) -> None:
    items = [
        {
            "provider": "acme",
            "provider_name": "Acme",
            "external_id": "j1",
            "title": "JSON item",
            "format": "article",
            "duration_minutes": 7,
            "level": "expert",
            "skills": [{"uri": PY, "weight": 0.25}, STATS],
            "published": True,
            "learning_objectives": ["One", "Two"],
        }
    ]
    report = import_catalog_file(_csv(json.dumps(items), "x.json"), actor=None)
    assert report.ok and report.created == 1
    item = Item.objects.get(external_id="j1")
    assert (item.level, item.duration_minutes, item.learning_objectives) == (5, 7, ["One", "Two"])
    assert _tags("j1") == {PY: 0.25, STATS: 1.0}
    # {"items": [...]}, detected by content (no extension)
    report = import_catalog_file(_csv(json.dumps({"items": items}), "upload"), actor=None)
    assert (report.created, report.unchanged) == (0, 1)


def test_json_errors_name_item_and_field(skills: Any) -> None:
    items = [
        {
            "provider": "acme",
            "provider_name": "Acme",
            "external_id": "j1",
            "title": "ok",
            "format": "video",
        },
        {
            "provider": "acme",
            "external_id": "j2",
            "title": "bad",
            "format": "video",
            "skills": [{"uri": PY, "weight": 3}],
        },
        {"provider": "acme", "title": "no id", "format": "video", "duration_minutes": "ten"},
    ]
    report = run_import("catalog", _csv(json.dumps(items), "x.json"), actor=None)
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "skills"),
        (3, "external_id"),
        (3, "duration_minutes"),
    }
    assert Item.objects.count() == 0


def test_invalid_json_is_a_file_error(db: Any) -> None:
    report = run_import("catalog", _csv("[{oops", "x.json"), actor=None)
    assert len(report.errors) == 1 and report.errors[0].row == 0
    assert "not valid JSON" in report.errors[0].message


@pytest.mark.parametrize("weight", ["-0.1", "1.5", "abc"])
def test_bad_skill_weight(skills: Any, weight: str) -> None:
    text = f"provider,provider_name,external_id,title,format,skills\nacme,Acme,x,T,course,{PY}:{weight}\n"
    report = run_import("catalog", _csv(text), actor=None)
    if weight == "abc":
        # "uri:abc" is not a weight: the whole thing is read as an (unknown) URI
        assert [(e.row, e.column) for e in report.errors] == [(2, "skills")]
    else:
        assert [(e.row, e.column) for e in report.errors] == [(2, "skills")]
        assert "between 0 and 1" in report.errors[0].message
    assert Item.objects.count() == 0
