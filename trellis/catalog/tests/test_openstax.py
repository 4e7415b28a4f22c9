from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest

from trellis.catalog.importers import import_openstax, parse_openstax_sources
from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.catalog.openstax_skills import PYTHON, STATISTICS
from trellis.core.importing import run_import
from trellis.skills.models import Skill

SOURCES = """# SOURCES

## Attribution lines (per book)

- **Introduction to Python Programming** — OpenStax. © Rice University (OpenStax). Access for free at https://openstax.org/books/introduction-python-programming/pages/1-introduction . Licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Source: https://github.com/openstax/x/tree/abc . [15 chapters, 99 sections]
- **Introductory Statistics 2e** — OpenStax. © Rice University (OpenStax). Access for free at https://openstax.org/books/introductory-statistics-2e/pages/1-introduction . Licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Source: https://github.com/openstax/y/tree/def . [13 chapters]

## Checked and not used
- **Not a book** — ignore me
"""


def _record(book: str, slug: str, n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"openstax:{slug}:m{n:05d}",
        "book_title": book,
        "book_slug": slug,
        "chapter_number": 1,
        "chapter_title": "Statements",
        "section_number": f"1.{n}",
        "section_title": f"Section {n}",
        "order_index": n,
        "learning_objectives": [f"Objective {n}a", f"Objective {n}b"],
        "text": "Word " * 500,
        "reading_minutes": 2.5,
        **extra,
    }


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    records = [
        _record("Introduction to Python Programming", "introduction-python-programming", 1),
        _record(
            "Introduction to Python Programming",
            "introduction-python-programming",
            2,
            learning_objectives=[],
        ),
        _record("Introductory Statistics 2e", "introductory-statistics-2e", 3),
    ]
    with gzip.open(tmp_path / "catalog.jsonl.gz", "wt") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    (tmp_path / "SOURCES.md").write_text(SOURCES)
    return tmp_path


def test_parse_sources_keeps_only_attribution_lines() -> None:
    books = parse_openstax_sources(SOURCES)
    assert set(books) == {"Introduction to Python Programming", "Introductory Statistics 2e"}
    py = books["Introduction to Python Programming"]
    assert (
        py["url"]
        == "https://openstax.org/books/introduction-python-programming/pages/1-introduction"
    )
    assert py["attribution"].startswith(
        "Introduction to Python Programming — OpenStax. © Rice University (OpenStax)."
    )
    assert "[15 chapters" not in py["attribution"]
    assert "Licensed CC BY 4.0" in py["attribution"]


def test_openstax_fixture_import(db: Any, fixture_dir: Path) -> None:
    Skill.objects.create(uri=PYTHON, source="esco", label="Python (computer programming)")
    report = run_import("openstax", fixture_dir, actor=None)
    assert report.ok, report.errors
    assert (report.rows, report.created) == (3, 3)
    provider = Provider.objects.get(slug="openstax")
    assert provider.name == "OpenStax"
    first = Item.objects.get(external_id="openstax:introduction-python-programming:m00001")
    assert first.title == "1.1 Section 1"
    assert (first.format, first.collection, first.section, first.sequence) == (
        "book_section",
        "Introduction to Python Programming",
        "1 Statements",
        1,
    )
    assert first.description == "Objective 1a; Objective 1b"
    assert first.learning_objectives == ["Objective 1a", "Objective 1b"]
    assert (first.duration_minutes, first.level, first.license) == (3, 2, "CC BY 4.0")
    assert (
        first.launch_url
        == "https://openstax.org/books/introduction-python-programming/pages/1-introduction"
    )
    assert "© Rice University (OpenStax)" in first.attribution
    second = Item.objects.get(external_id="openstax:introduction-python-programming:m00002")
    assert second.description.startswith("Word Word") and second.description.endswith("…")
    assert len(second.description) <= 301
    # Only the Python skill exists: its tags are written, the rest are skipped and counted.
    assert set(ItemSkill.objects.values_list("item__external_id", "skill__uri")) == {
        ("openstax:introduction-python-programming:m00001", PYTHON),
        ("openstax:introduction-python-programming:m00002", PYTHON),
    }
    # Python book: 4 skills, 3 missing, on 2 items; statistics book: 4 skills, all missing, on 1 item.
    assert report.details["skill_tags_skipped"] == 3 * 2 + 4
    # re-import changes nothing
    again = run_import("openstax", fixture_dir / "catalog.jsonl.gz", actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_openstax_missing_attribution_rejects(db: Any, tmp_path: Path) -> None:
    with gzip.open(tmp_path / "catalog.jsonl.gz", "wt") as f:
        f.write(json.dumps(_record("Unknown Book", "unknown", 1)) + "\n")
    (tmp_path / "SOURCES.md").write_text(SOURCES)
    report = run_import("openstax", tmp_path, actor=None)
    assert [(e.row, e.column) for e in report.errors] == [(1, "attribution")]
    assert not Item.objects.exists()


def test_real_openstax_catalog(db: Any, shared_data: Path) -> None:
    """The full shared export (about 2 s on 2 cores; reads ../shared/data/openstax)."""
    real = shared_data / "openstax"
    Skill.objects.create(uri=STATISTICS, source="esco", label="statistics")
    started = time.monotonic()
    report = import_openstax(real, actor=None)
    elapsed = time.monotonic() - started
    assert report.ok, report.errors[:5]
    assert report.created == 1718
    assert Item.objects.filter(provider__slug="openstax").count() == 1718
    assert not Item.objects.filter(attribution="").exists()
    assert not Item.objects.filter(launch_url="").exists()
    assert Item.objects.values("collection").distinct().count() == 19
    # the statistics skill tags the three books that teach it
    assert set(ItemSkill.objects.values_list("item__collection", flat=True).distinct()) == {
        "Introductory Statistics 2e",
        "Introductory Business Statistics 2e",
        "Contemporary Mathematics",
    }
    assert elapsed < 60
