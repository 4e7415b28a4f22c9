"""Small ESCO and O*NET folders written by tests (plain or gzip), with hooks to break them."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

S = "http://data.europa.eu/esco/skill/"
OCC = "http://data.europa.eu/esco/occupation/"

ESCO: dict[str, list[dict[str, str]]] = {
    "skills_en": [
        {
            "conceptType": "KnowledgeSkillCompetence",
            "conceptUri": S + "py",
            "skillType": "knowledge",
            "reuseLevel": "sector-specific",
            "preferredLabel": "Python (computer programming)",
            "altLabels": "Python\npython programming",
            "description": "Programming in Python.",
        },
        {
            "conceptType": "KnowledgeSkillCompetence",
            "conceptUri": S + "team",
            "skillType": "skill/competence",
            "reuseLevel": "transversal",
            "preferredLabel": "work in teams",
            "altLabels": "teamwork",
            "description": "Work with others.",
        },
        {
            "conceptType": "KnowledgeSkillCompetence",
            "conceptUri": S + "debug",
            "skillType": "skill/competence",
            "reuseLevel": "cross-sector",
            "preferredLabel": "debug software",
            "altLabels": "",
            "description": "Find and fix defects.",
        },
    ],
    "skillGroups_en": [
        {
            "conceptType": "SkillGroup",
            "conceptUri": S + "g-ict",
            "preferredLabel": "ICT",
            "altLabels": "",
            "description": "ICT skills",
            "code": "S5",
        },
    ],
    "broaderRelationsSkillPillar": [
        {
            "conceptType": "KnowledgeSkillCompetence",
            "conceptUri": S + "py",
            "broaderType": "SkillGroup",
            "broaderUri": S + "g-ict",
        },
        {
            "conceptType": "KnowledgeSkillCompetence",
            "conceptUri": S + "debug",
            "broaderType": "KnowledgeSkillCompetence",
            "broaderUri": S + "py",
        },
    ],
    "digitalSkillsCollection_en": [
        {"conceptType": "KnowledgeSkillCompetence", "conceptUri": S + "py"}
    ],
    "transversalSkillsCollection_en": [
        {"conceptType": "KnowledgeSkillCompetence", "conceptUri": S + "team"}
    ],
    "occupations_en": [
        {
            "conceptType": "Occupation",
            "conceptUri": OCC + "dev",
            "iscoGroup": "2512",
            "preferredLabel": "software developer",
            "altLabels": "programmer\ncoder",
            "description": "Writes software.",
            "code": "2512.4",
        },
    ],
    "occupationSkillRelations": [
        {
            "occupationUri": OCC + "dev",
            "relationType": "essential",
            "skillType": "knowledge",
            "skillUri": S + "py",
        },
        {
            "occupationUri": OCC + "dev",
            "relationType": "essential",
            "skillType": "skill/competence",
            "skillUri": S + "debug",
        },
        {
            "occupationUri": OCC + "dev",
            "relationType": "optional",
            "skillType": "skill/competence",
            "skillUri": S + "team",
        },
    ],
}

ONET: dict[str, list[dict[str, str]]] = {
    "Occupation_Data": [
        {
            "O*NET-SOC Code": "15-1252.00",
            "Title": "Software Developers",
            "Description": "Develop software.",
        },
        {
            "O*NET-SOC Code": "43-4051.00",
            "Title": "Customer Service Representatives",
            "Description": "Help customers.",
        },
    ],
    "Job_Zones": [
        {"O*NET-SOC Code": "15-1252.00", "Job Zone": "4"},
        {"O*NET-SOC Code": "43-4051.00", "Job Zone": "2"},
    ],
    "Alternate_Titles": [
        {"O*NET-SOC Code": "15-1252.00", "Alternate Title": "Programmer"},
        {"O*NET-SOC Code": "15-1252.00", "Alternate Title": "Software Engineer"},
    ],
    "Task_Statements": [
        {
            "O*NET-SOC Code": "15-1252.00",
            "Task ID": "16363",
            "Task": "Write code.",
            "Task Type": "Core",
        },
        {
            "O*NET-SOC Code": "43-4051.00",
            "Task ID": "9001",
            "Task": "Answer calls.",
            "Task Type": "Core",
        },
    ],
    "Technology_Skills": [
        {
            "O*NET-SOC Code": "15-1252.00",
            "Example": "Python",
            "Commodity Code": "43232405",
            "Commodity Title": "Object or component oriented development software",
            "Hot Technology": "Y",
            "In Demand": "Y",
        },
        {
            "O*NET-SOC Code": "15-1252.00",
            "Example": "C++",
            "Commodity Code": "43232405",
            "Commodity Title": "Object or component oriented development software",
            "Hot Technology": "N",
            "In Demand": "N",
        },
        {
            "O*NET-SOC Code": "15-1252.00",
            "Example": "C",
            "Commodity Code": "43232405",
            "Commodity Title": "Object or component oriented development software",
            "Hot Technology": "N",
            "In Demand": "Y",
        },
        {
            "O*NET-SOC Code": "43-4051.00",
            "Example": "Python",
            "Commodity Code": "43232405",
            "Commodity Title": "Object or component oriented development software",
            "Hot Technology": "N",
            "In Demand": "N",
        },
    ],
}


def _columns(rows: list[dict[str, str]]) -> list[str]:
    cols: dict[str, None] = {}
    for row in rows:
        cols.update(dict.fromkeys(row))
    return list(cols)


def write_esco(
    folder: Path,
    data: dict[str, list[dict[str, str]]] | None = None,
    *,
    gz: bool = True,
    drop_files: tuple[str, ...] = (),
    drop_columns: dict[str, str] | None = None,
) -> Path:
    data = data if data is not None else ESCO
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in data.items():
        if stem in drop_files:
            continue
        cols = [c for c in _columns(rows) if c != (drop_columns or {}).get(stem)]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        if gz:
            (folder / f"{stem}.csv.gz").write_bytes(gzip.compress(out.getvalue().encode()))
        else:
            (folder / f"{stem}.csv").write_text(out.getvalue())
    return folder


def write_onet(
    folder: Path, data: dict[str, list[dict[str, str]]] | None = None, *, gz: bool = True
) -> Path:
    data = data if data is not None else ONET
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in data.items():
        cols = _columns(rows)
        text = (
            "\t".join(cols)
            + "\n"
            + "".join("\t".join(r.get(c, "") for c in cols) + "\n" for r in rows)
        )
        if gz:
            (folder / f"{stem}.txt.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (folder / f"{stem}.txt").write_text(text)
    return folder


def variant(
    data: dict[str, list[dict[str, str]]], stem: str, index: int, **changes: str
) -> dict[str, list[dict[str, str]]]:
    """A copy of ``data`` with one row changed (or appended when index == len)."""
    copy = {k: [dict(r) for r in v] for k, v in data.items()}
    if index == len(copy[stem]):
        copy[stem].append(dict(copy[stem][0]))
    copy[stem][index].update(changes)
    return copy
