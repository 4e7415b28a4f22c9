#!/usr/bin/env python3
"""Build the demo's OpenStax catalog from the shared data folder.

    .venv/bin/python scripts/build_demo_catalog.py [--source ../shared/data/openstax] [--max-words N]

Writes, inside the project:
- trellis/catalog/demo_data/openstax-catalog.jsonl.gz: the 1,718 sections of the 19 books, with only
  the fields the importer reads (text kept whole unless --max-words trims it);
- trellis/catalog/demo_data/openstax-attribution.json.gz: book title -> attribution line and book URL,
  parsed from the "Attribution lines" section of SOURCES.md.

The importer (``trellis import openstax trellis/catalog/demo_data/openstax-catalog.jsonl.gz``) reads
both. ATTRIBUTION.md next to them says what was changed. Pure standard library; no Django needed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "trellis" / "catalog" / "demo_data"
KEEP = (
    "id",
    "book_title",
    "book_slug",
    "chapter_number",
    "chapter_title",
    "section_number",
    "section_title",
    "order_index",
    "learning_objectives",
    "text",
    "word_count",
    "reading_minutes",
    "url",
    "license",
    "attribution",
)
LIMIT_BYTES = 8 * 1024 * 1024


def parse_attribution(sources_md: str) -> dict[str, dict[str, str]]:
    # Same parsing as trellis.catalog.importers.parse_openstax_sources (kept here so the script
    # runs without Django).
    books: dict[str, dict[str, str]] = {}
    in_section = False
    for line in sources_md.splitlines():
        if line.startswith("## "):
            in_section = line.strip().lower().startswith("## attribution lines")
            continue
        match = (
            re.match(r"^- \*\*(?P<title>.+?)\*\* — (?P<line>.+)$", line.strip())
            if in_section
            else None
        )
        if not match:
            continue
        body = re.sub(r"\s*\[[^\]]*\]\s*$", "", match["line"]).strip()
        body = re.sub(r"\s+\.", ".", body)
        url = re.search(r"Access for free at (https://openstax\.org/\S+)", match["line"])
        books[match["title"]] = {
            "attribution": f"{match['title']} — {body}",
            "url": url.group(1).rstrip(".") if url else "",
        }
    return books


def trim(text: str, max_words: int) -> str:
    words = text.split(" ")
    return text if max_words <= 0 or len(words) <= max_words else " ".join(words[:max_words]) + " …"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument(
        "--source",
        type=Path,
        default=Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "openstax",
    )
    parser.add_argument(
        "--max-words", type=int, default=0, help="trim each section's text (0 = keep it whole)"
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    books = parse_attribution((args.source / "SOURCES.md").read_text(encoding="utf-8"))
    catalog_out = OUT / "openstax-catalog.jsonl.gz"
    count = 0
    with (
        gzip.open(args.source / "catalog.jsonl.gz", "rt", encoding="utf-8") as src,
        gzip.GzipFile(catalog_out, "wb", compresslevel=9, mtime=0) as dst,
    ):
        for line in src:
            record = json.loads(line)
            if record["book_title"] not in books:
                print(f"no attribution line for {record['book_title']!r}", file=sys.stderr)
                return 1
            kept = {key: record.get(key) for key in KEEP}
            kept["text"] = trim(kept["text"] or "", args.max_words)
            dst.write((json.dumps(kept, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
            count += 1
    attribution_out = OUT / "openstax-attribution.json.gz"
    with gzip.GzipFile(attribution_out, "wb", compresslevel=9, mtime=0) as dst:
        dst.write(json.dumps(books, ensure_ascii=False, indent=1, sort_keys=True).encode())
    size = catalog_out.stat().st_size
    print(
        f"{count} sections of {len(books)} books -> {catalog_out.relative_to(ROOT)} ({size / 1e6:.1f} MB)"
    )
    print(
        f"attribution -> {attribution_out.relative_to(ROOT)} ({attribution_out.stat().st_size} bytes)"
    )
    if size > LIMIT_BYTES:
        print(
            f"warning: above {LIMIT_BYTES / 1e6:.0f} MB; run again with --max-words 1500",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
