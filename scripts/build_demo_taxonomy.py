"""Build the demo taxonomy shipped in trellis/skills/demo_data/ from the full ESCO and O*NET files.

Run: .venv/bin/python scripts/build_demo_taxonomy.py [--data ../shared/data]

Writes the SAME file formats the importers read (gzip CSV for ESCO, gzip tab-separated for O*NET):
- ESCO: all skills, alternative labels, skill groups, hierarchy and the digital / transversal
  collections (columns the importer does not read are dropped to keep the files small), but only
  the occupations of trellis/people/demo_data/organisation.json and their occupation→skill relations;
- O*NET: the rows of Occupation_Data, Job_Zones, Alternate_Titles, Task_Statements and
  Technology_Skills for the organisation's SOC codes.
Output is deterministic (gzip mtime 0), so re-running it does not change the files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORGANISATION = ROOT / "trellis" / "people" / "demo_data" / "organisation.json"
OUT = ROOT / "trellis" / "skills" / "demo_data"

csv.field_size_limit(sys.maxsize)

ESCO_KEEP: dict[str, list[str] | None] = {
    "skills_en": [
        "conceptType",
        "conceptUri",
        "skillType",
        "reuseLevel",
        "preferredLabel",
        "altLabels",
        "description",
    ],
    "skillGroups_en": [
        "conceptType",
        "conceptUri",
        "preferredLabel",
        "altLabels",
        "description",
        "code",
    ],
    "broaderRelationsSkillPillar": None,
    "digitalSkillsCollection_en": ["conceptType", "conceptUri", "preferredLabel"],
    "transversalSkillsCollection_en": ["conceptType", "conceptUri", "preferredLabel"],
    "occupations_en": [
        "conceptType",
        "conceptUri",
        "iscoGroup",
        "preferredLabel",
        "altLabels",
        "description",
        "code",
    ],
    "occupationSkillRelations": None,
}
ONET_FILES = [
    "Occupation_Data",
    "Job_Zones",
    "Alternate_Titles",
    "Task_Statements",
    "Technology_Skills",
]


def _write_gz(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def copy_csv(
    src: Path, dst: Path, keep: list[str] | None, where: Callable[[dict[str, str]], bool]
) -> tuple[int, int]:
    with gzip.open(src, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = keep or list(reader.fieldnames or [])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        rows = 0
        for row in reader:
            if where(row):
                writer.writerow(row)
                rows += 1
    return rows, _write_gz(dst, out.getvalue())


def copy_tsv(src: Path, dst: Path, codes: set[str]) -> tuple[int, int]:
    lines: list[str] = []
    with gzip.open(src, "rt", encoding="utf-8", newline="") as fh:
        header = fh.readline()
        for line in fh:
            if line.split("\t", 1)[0] in codes:
                lines.append(line)
    return len(lines), _write_gz(dst, header + "".join(lines))


def organisation_codes() -> tuple[set[str], set[str]]:
    roles: Iterable[dict[str, str]] = json.loads(ORGANISATION.read_text())["roles"]
    esco = {r["esco_uri"] for r in roles if r.get("esco_uri")}
    onet = {r["onet_soc"] for r in roles if r.get("onet_soc")}
    return esco, onet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    esco_uris, soc_codes = organisation_codes()
    total = 0
    for stem, keep in ESCO_KEEP.items():
        if stem == "occupations_en":
            where: Callable[[dict[str, str]], bool] = lambda row: row["conceptUri"] in esco_uris  # noqa: E731
        elif stem == "occupationSkillRelations":
            where = lambda row: row["occupationUri"] in esco_uris  # noqa: E731
        else:
            where = lambda row: True  # noqa: E731
        rows, size = copy_csv(
            args.data / "esco" / f"{stem}.csv.gz", OUT / "esco" / f"{stem}.csv.gz", keep, where
        )
        total += size
        print(f"esco/{stem}.csv.gz: {rows} rows, {size / 1024:.0f} KiB")
    for stem in ONET_FILES:
        rows, size = copy_tsv(
            args.data / "onet" / f"{stem}.txt.gz", OUT / "onet" / f"{stem}.txt.gz", soc_codes
        )
        total += size
        print(f"onet/{stem}.txt.gz: {rows} rows, {size / 1024:.0f} KiB")
    print(
        f"{len(esco_uris)} ESCO occupations, {len(soc_codes)} O*NET occupations; {total / 1024 / 1024:.1f} MiB in {OUT}"
    )


if __name__ == "__main__":
    main()
