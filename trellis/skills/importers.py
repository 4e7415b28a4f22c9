"""Taxonomy importers: ESCO (folder of CSV / CSV.gz) and O*NET (folder of tab-separated TXT / TXT.gz).

Both follow ``trellis.core.importing``: read every file once, validate every row, and write only when
there is no error, in bulk (``bulk_create`` / ``bulk_update`` with batches, in-memory dicts keyed by
URI). A re-import is idempotent: changed rows are updated, nothing is duplicated, nothing unchanged is
written. Errors name the file and column (``occupationSkillRelations.csv:relationType``).

Known gaps of the published ESCO v1.1.1 files are skipped and counted rather than rejected, so the
official download imports cleanly: 67 occupation→skill relations point at occupations that are not in
``occupations_en.csv`` and 7 hierarchy rows join skill groups that are not in ``skillGroups_en.csv``
(``report.details["skipped"]``). A relation to an unknown *skill* is always an error.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import models
from django.utils import timezone

from trellis.core.bulk import insert_rows
from trellis.core.importing import ImportReport, Source
from trellis.skills.models import Occupation, OccupationSkill, OccupationTask, Skill, SkillLabel
from trellis.skills.models import Source as TaxonomySource

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

BATCH = 2000
UPDATE_BATCH = 500
MAX_EXAMPLES = 5

ESCO_FILES: dict[str, list[str]] = {
    "skills_en": [
        "conceptUri",
        "skillType",
        "reuseLevel",
        "preferredLabel",
        "altLabels",
        "description",
    ],
    "skillGroups_en": ["conceptUri", "preferredLabel", "altLabels", "description", "code"],
    "broaderRelationsSkillPillar": ["conceptType", "conceptUri", "broaderType", "broaderUri"],
    "digitalSkillsCollection_en": ["conceptUri"],
    "transversalSkillsCollection_en": ["conceptUri"],
    "occupations_en": [
        "conceptUri",
        "iscoGroup",
        "preferredLabel",
        "altLabels",
        "description",
        "code",
    ],
    "occupationSkillRelations": ["occupationUri", "relationType", "skillUri"],
}
ESCO_SKILL_TYPES = {
    "skill/competence": Skill.Kind.SKILL,
    "knowledge": Skill.Kind.KNOWLEDGE,
    "": Skill.Kind.SKILL,
}
RELATIONS = {OccupationSkill.Relation.ESSENTIAL.value, OccupationSkill.Relation.OPTIONAL.value}

ONET_FILES: dict[str, list[str]] = {
    "Occupation_Data": ["O*NET-SOC Code", "Title", "Description"],
    "Job_Zones": ["O*NET-SOC Code", "Job Zone"],
    "Alternate_Titles": ["O*NET-SOC Code", "Alternate Title"],
    "Task_Statements": ["O*NET-SOC Code", "Task ID", "Task", "Task Type"],
    "Technology_Skills": [
        "O*NET-SOC Code",
        "Example",
        "Commodity Code",
        "Commodity Title",
        "Hot Technology",
        "In Demand",
    ],
}


# --- reading ------------------------------------------------------------------------------------


def _find(folder: Path, stem: str, extensions: tuple[str, ...]) -> Path | None:
    for ext in extensions:
        candidate = folder / f"{stem}{ext}"
        if candidate.is_file():
            return candidate
    return None


def _rows(path: Path, delimiter: str) -> csv.DictReader[str]:
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")  # noqa: SIM115
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    if delimiter == "\t":
        return csv.DictReader(text, delimiter="\t", quoting=csv.QUOTE_NONE)
    return csv.DictReader(text)


def _open_all(
    source: Source,
    files: dict[str, list[str]],
    extensions: tuple[str, ...],
    display_ext: str,
    delimiter: str,
    report: ImportReport,
) -> dict[str, csv.DictReader[str]] | None:
    """Open every file and check its columns; report every missing file and column. None if any."""
    if not isinstance(source, (str, Path)) or not Path(source).is_dir():
        report.add_error(0, "", f"Expected a folder of {display_ext} files, got {source!r}.")
        return None
    folder = Path(source)
    readers: dict[str, csv.DictReader[str]] = {}
    for stem, columns in files.items():
        name = f"{stem}{display_ext}"
        path = _find(folder, stem, extensions)
        if path is None:
            report.add_error(
                0, name, f"Required file is missing (looked for {stem}{' or '.join(extensions)})."
            )
            continue
        reader = _rows(path, delimiter)
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        for column in missing:
            report.add_error(1, f"{name}:{column}", "Required column is missing from the header.")
        if not missing:
            readers[stem] = reader  # type: ignore[assignment]
    return None if report.errors else readers


def _labels(value: str) -> list[str]:
    """ESCO alternative labels: one per line (newline-separated; some exports use " | ")."""
    seen: dict[str, None] = {}
    for part in value.replace(" | ", "\n").split("\n"):
        label = part.strip()[:300]
        if label:
            seen.setdefault(label, None)
    return list(seen)


# --- writing ------------------------------------------------------------------------------------


def _sync(
    model: type[models.Model],
    qs: models.QuerySet[Any],
    key: tuple[str, ...],
    wanted: dict[tuple[Any, ...], dict[str, Any]],
    fields: list[str],
    *,
    delete_missing: bool,
    stamp: bool = False,
    owners: set[Any] | None = None,
) -> dict[str, int]:
    """Make the rows of ``qs`` match ``wanted`` (keyed by the ``key`` fields) with bulk operations.

    With ``delete_missing``, rows not wanted are deleted, but only those whose first key field is
    in ``owners`` (the concepts present in the file), so importing a subset never strips the links
    of concepts the file does not mention.
    """
    n = len(key)
    existing: dict[tuple[Any, ...], tuple[int, tuple[Any, ...]]] = {
        row[1 : 1 + n]: (row[0], row[1 + n :]) for row in qs.values_list("id", *key, *fields)
    }
    now = timezone.now()
    to_create: list[tuple[Any, ...]] = []
    to_update = []
    unchanged = 0
    for k, values in wanted.items():
        found = existing.get(k)
        if found is None:
            to_create.append((*k, *(values[f] for f in fields)))
        elif tuple(values[f] for f in fields) != found[1]:
            obj = model(id=found[0], **dict(zip(key, k, strict=True)), **values)
            if stamp:
                obj.updated_at = now  # type: ignore[attr-defined]
            to_update.append(obj)
        else:
            unchanged += 1
    if stamp:
        names = [*key, *fields]
        objs = [model(**dict(zip(names, row, strict=True))) for row in to_create]
        model._default_manager.bulk_create(objs, batch_size=BATCH)
    else:
        insert_rows(model, [*key, *fields], to_create)
    if to_update:
        model._default_manager.bulk_update(
            to_update, [*fields, *(["updated_at"] if stamp else [])], batch_size=UPDATE_BATCH
        )
    stale = (
        [
            pk
            for k, (pk, _) in existing.items()
            if k not in wanted and (owners is None or k[0] in owners)
        ]
        if delete_missing
        else []
    )
    for start in range(0, len(stale), BATCH):
        model._default_manager.filter(pk__in=stale[start : start + BATCH]).delete()
    return {
        "created": len(to_create),
        "updated": len(to_update),
        "unchanged": unchanged,
        "deleted": len(stale),
    }


def _add_counts(report: ImportReport, counts: dict[str, int]) -> None:
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]


def _skip(skipped: dict[str, dict[str, Any]], where: str, example: str) -> None:
    entry = skipped.setdefault(where, {"count": 0, "examples": []})
    entry["count"] += 1
    if len(entry["examples"]) < MAX_EXAMPLES:
        entry["examples"].append(example)


# --- ESCO ---------------------------------------------------------------------------------------


def import_esco(source: Source, *, actor: Any = None, **options: Any) -> ImportReport:
    """Import the ESCO classification (skills, groups, hierarchy, collections, occupations, relations).

    ``source`` is the folder of the ESCO CSV download (``.csv`` or ``.csv.gz``). Also makes sure the
    AI-literacy family exists (``services.ai_literacy_ensure``), so a fresh install has it.
    """
    report = ImportReport(kind="esco")
    readers = _open_all(source, ESCO_FILES, (".csv.gz", ".csv"), ".csv", ",", report)
    if readers is None:
        return report
    skipped: dict[str, dict[str, Any]] = {}

    # Skills and groups: uri -> field values.
    concepts: dict[str, dict[str, Any]] = {}
    labels: dict[str, list[str]] = {}
    for stem, is_group in (("skills_en", False), ("skillGroups_en", True)):
        name = f"{stem}.csv"
        for row_no, row in enumerate(readers[stem], start=2):
            report.rows += 1
            uri = (row["conceptUri"] or "").strip()
            label = (row["preferredLabel"] or "").strip()
            if not uri:
                report.add_error(row_no, f"{name}:conceptUri", "Empty URI.")
                continue
            if uri in concepts:
                report.add_error(row_no, f"{name}:conceptUri", f"Duplicate URI {uri}.")
                continue
            if not label:
                report.add_error(row_no, f"{name}:preferredLabel", "Empty preferred label.")
            if is_group:
                kind, reuse, code = Skill.Kind.GROUP, "", (row.get("code") or "").strip()[:30]
            else:
                skill_type = (row["skillType"] or "").strip()
                if skill_type not in ESCO_SKILL_TYPES:
                    report.add_error(
                        row_no,
                        f"{name}:skillType",
                        f"Unknown skill type {skill_type!r}: use skill/competence or knowledge.",
                    )
                    continue
                kind, reuse, code = (
                    ESCO_SKILL_TYPES[skill_type],
                    (row["reuseLevel"] or "").strip()[:30],
                    "",
                )
            concepts[uri] = {
                "source": TaxonomySource.ESCO,
                "kind": kind,
                "label": label[:300],
                "description": (row["description"] or "").strip(),
                "reuse_level": reuse,
                "code": code,
                "is_digital": False,
                "is_transversal": False,
            }
            labels[uri] = _labels(row["altLabels"] or "")

    # Hierarchy: (child uri, parent uri).
    parents: set[tuple[str, str]] = set()
    name = "broaderRelationsSkillPillar.csv"
    for row_no, row in enumerate(readers["broaderRelationsSkillPillar"], start=2):
        report.rows += 1
        child, parent = (row["conceptUri"] or "").strip(), (row["broaderUri"] or "").strip()
        if not child or not parent:
            report.add_error(
                row_no, f"{name}:{'conceptUri' if not child else 'broaderUri'}", "Empty URI."
            )
            continue
        bad = [
            (col, uri, typ)
            for col, uri, typ in (
                ("conceptUri", child, row["conceptType"]),
                ("broaderUri", parent, row["broaderType"]),
            )
            if uri not in concepts
        ]
        if any(typ != "SkillGroup" for _, _, typ in bad):
            col, uri, _ = next(b for b in bad if b[2] != "SkillGroup")
            report.add_error(row_no, f"{name}:{col}", f"Unknown skill {uri}.")
            continue
        if bad:
            _skip(
                skipped,
                f"{name}: skill group not in skillGroups_en.csv",
                f"row {row_no}: {bad[0][1]}",
            )
            continue
        parents.add((child, parent))

    # Collections -> flags.
    for stem, flag in (
        ("digitalSkillsCollection_en", "is_digital"),
        ("transversalSkillsCollection_en", "is_transversal"),
    ):
        name = f"{stem}.csv"
        for row_no, row in enumerate(readers[stem], start=2):
            report.rows += 1
            uri = (row["conceptUri"] or "").strip()
            if not uri:
                report.add_error(row_no, f"{name}:conceptUri", "Empty URI.")
            elif uri not in concepts:
                report.add_error(row_no, f"{name}:conceptUri", f"Unknown skill {uri}.")
            else:
                concepts[uri][flag] = True

    # Occupations.
    occupations: dict[str, dict[str, Any]] = {}
    name = "occupations_en.csv"
    for row_no, row in enumerate(readers["occupations_en"], start=2):
        report.rows += 1
        uri = (row["conceptUri"] or "").strip()
        label = (row["preferredLabel"] or "").strip()
        if not uri:
            report.add_error(row_no, f"{name}:conceptUri", "Empty URI.")
            continue
        if uri in occupations:
            report.add_error(row_no, f"{name}:conceptUri", f"Duplicate URI {uri}.")
            continue
        if not label:
            report.add_error(row_no, f"{name}:preferredLabel", "Empty preferred label.")
        occupations[uri] = {
            "source": TaxonomySource.ESCO,
            "code": (row["code"] or "").strip()[:30],
            "isco_group": (row["iscoGroup"] or "").strip()[:10],
            "label": label[:300],
            "description": (row["description"] or "").strip(),
            "alt_labels": _labels(row["altLabels"] or ""),
        }

    # Occupation -> skill relations.
    relations: dict[tuple[str, str], str] = {}
    name = "occupationSkillRelations.csv"
    for row_no, row in enumerate(readers["occupationSkillRelations"], start=2):
        report.rows += 1
        occ, rel, skill = (
            (row["occupationUri"] or "").strip(),
            (row["relationType"] or "").strip(),
            (row["skillUri"] or "").strip(),
        )
        if not occ or not skill:
            report.add_error(
                row_no, f"{name}:{'occupationUri' if not occ else 'skillUri'}", "Empty URI."
            )
            continue
        if rel not in RELATIONS:
            report.add_error(
                row_no,
                f"{name}:relationType",
                f"Unknown relation type {rel!r}: use essential or optional.",
            )
            continue
        if skill not in concepts:
            report.add_error(row_no, f"{name}:skillUri", f"Unknown skill {skill}.")
            continue
        if occ not in occupations:
            _skip(skipped, f"{name}: occupation not in occupations_en.csv", f"row {row_no}: {occ}")
            continue
        if relations.get((occ, skill)) != OccupationSkill.Relation.ESSENTIAL:
            relations[(occ, skill)] = rel

    report.details.update(
        skills=sum(1 for c in concepts.values() if c["kind"] != Skill.Kind.GROUP),
        skill_groups=sum(1 for c in concepts.values() if c["kind"] == Skill.Kind.GROUP),
        labels=sum(len(v) for v in labels.values()),
        hierarchy_links=len(parents),
        digital=sum(1 for c in concepts.values() if c["is_digital"]),
        transversal=sum(1 for c in concepts.values() if c["is_transversal"]),
        occupations=len(occupations),
        relations=len(relations),
        essential=sum(1 for r in relations.values() if r == OccupationSkill.Relation.ESSENTIAL),
        skipped=skipped,
    )
    if report.errors:
        return report

    # Write: concepts, then everything that points at them by id.
    skill_fields = [
        "source",
        "kind",
        "label",
        "description",
        "reuse_level",
        "code",
        "is_digital",
        "is_transversal",
    ]
    esco_skills = Skill.objects.filter(source=TaxonomySource.ESCO)
    counts = _sync(
        Skill,
        esco_skills,
        ("uri",),
        {(u,): v for u, v in concepts.items()},
        skill_fields,
        delete_missing=False,
        stamp=True,
    )
    _add_counts(report, counts)
    report.details["skills_written"] = counts
    skill_ids = dict(esco_skills.values_list("uri", "id"))
    file_skills = {skill_ids[u] for u in concepts}

    wanted_labels: dict[tuple[Any, ...], dict[str, Any]] = {
        (skill_ids[u], label): {} for u, ls in labels.items() for label in ls
    }
    report.details["labels_written"] = _sync(
        SkillLabel,
        SkillLabel.objects.filter(skill__source=TaxonomySource.ESCO),
        ("skill_id", "label"),
        wanted_labels,
        [],
        delete_missing=True,
        owners=file_skills,
    )
    through = Skill.parents.through
    wanted_parents: dict[tuple[Any, ...], dict[str, Any]] = {
        (skill_ids[c], skill_ids[p]): {} for c, p in parents
    }
    report.details["hierarchy_written"] = _sync(
        through,
        through.objects.filter(from_skill__source=TaxonomySource.ESCO),
        ("from_skill_id", "to_skill_id"),
        wanted_parents,
        [],
        delete_missing=True,
        owners=file_skills,
    )

    occ_fields = ["source", "code", "isco_group", "label", "description", "alt_labels"]
    esco_occ = Occupation.objects.filter(source=TaxonomySource.ESCO)
    counts = _sync(
        Occupation,
        esco_occ,
        ("uri",),
        {(u,): v for u, v in occupations.items()},
        occ_fields,
        delete_missing=False,
        stamp=True,
    )
    _add_counts(report, counts)
    report.details["occupations_written"] = counts
    occ_ids = dict(esco_occ.values_list("uri", "id"))
    wanted_rel = {(occ_ids[o], skill_ids[s]): {"relation": r} for (o, s), r in relations.items()}
    report.details["relations_written"] = _sync(
        OccupationSkill,
        OccupationSkill.objects.filter(occupation__source=TaxonomySource.ESCO),
        ("occupation_id", "skill_id"),
        wanted_rel,
        ["relation"],
        delete_missing=True,
        owners={occ_ids[u] for u in occupations},
    )

    from trellis.skills.services import ai_literacy_ensure

    ai_literacy_ensure()
    return report


# --- O*NET --------------------------------------------------------------------------------------


def onet_technology_uri(commodity_code: str, example: str) -> str:
    """Stable key of an O*NET technology example: its commodity code and its (escaped) name."""
    uri = f"onet:tech:{commodity_code}:{quote(example, safe='')}"
    if len(uri) > 255:
        import hashlib

        uri = (
            f"onet:tech:{commodity_code}:sha256-{hashlib.sha256(example.encode()).hexdigest()[:40]}"
        )
    return uri


def import_onet(source: Source, *, actor: Any = None, **options: Any) -> ImportReport:
    """Import O*NET occupations (``onet:<SOC>``), job zones, alternate titles, tasks and technology skills."""
    report = ImportReport(kind="onet")
    readers = _open_all(source, ONET_FILES, (".txt.gz", ".txt"), ".txt", "\t", report)
    if readers is None:
        return report
    soc = "O*NET-SOC Code"

    occupations: dict[str, dict[str, Any]] = {}
    name = "Occupation_Data.txt"
    for row_no, row in enumerate(readers["Occupation_Data"], start=2):
        report.rows += 1
        code, title = (row[soc] or "").strip(), (row["Title"] or "").strip()
        if not code:
            report.add_error(row_no, f"{name}:{soc}", "Empty O*NET-SOC code.")
            continue
        if code in occupations:
            report.add_error(row_no, f"{name}:{soc}", f"Duplicate code {code}.")
            continue
        if not title:
            report.add_error(row_no, f"{name}:Title", "Empty title.")
        occupations[code] = {
            "source": TaxonomySource.ONET,
            "code": code[:30],
            "isco_group": "",
            "label": title[:300],
            "description": (row["Description"] or "").strip(),
            "alt_labels": [],
            "job_zone": None,
        }

    def known(code: str, row_no: int, file: str) -> bool:
        if code in occupations:
            return True
        report.add_error(
            row_no, f"{file}:{soc}", f"Unknown occupation {code!r} (not in Occupation_Data.txt)."
        )
        return False

    name = "Job_Zones.txt"
    for row_no, row in enumerate(readers["Job_Zones"], start=2):
        report.rows += 1
        code, zone = (row[soc] or "").strip(), (row["Job Zone"] or "").strip()
        if not known(code, row_no, name):
            continue
        if zone not in {"1", "2", "3", "4", "5"}:
            report.add_error(row_no, f"{name}:Job Zone", f"Job zone must be 1 to 5, got {zone!r}.")
            continue
        occupations[code]["job_zone"] = int(zone)

    name = "Alternate_Titles.txt"
    titles: dict[str, dict[str, None]] = {}
    for row_no, row in enumerate(readers["Alternate_Titles"], start=2):
        report.rows += 1
        code, title = (row[soc] or "").strip(), (row["Alternate Title"] or "").strip()
        if known(code, row_no, name) and title:
            titles.setdefault(code, {}).setdefault(title[:300], None)
    for code, ts in titles.items():
        occupations[code]["alt_labels"] = list(ts)

    name = "Task_Statements.txt"
    tasks: dict[tuple[str, str], dict[str, Any]] = {}
    for row_no, row in enumerate(readers["Task_Statements"], start=2):
        report.rows += 1
        code, task_id, task = (
            (row[soc] or "").strip(),
            (row["Task ID"] or "").strip(),
            (row["Task"] or "").strip(),
        )
        if not known(code, row_no, name):
            continue
        if not task_id:
            report.add_error(row_no, f"{name}:Task ID", "Empty task id.")
            continue
        if not task:
            report.add_error(row_no, f"{name}:Task", "Empty task statement.")
            continue
        task_type = (row["Task Type"] or "").strip()
        tasks[(code, task_id[:20])] = {
            "statement": task,
            "task_type": "" if task_type == "n/a" else task_type[:20],
        }

    name = "Technology_Skills.txt"
    tech: dict[str, dict[str, Any]] = {}
    tech_links: dict[tuple[str, str], str] = {}
    for row_no, row in enumerate(readers["Technology_Skills"], start=2):
        report.rows += 1
        code = (row[soc] or "").strip()
        example, commodity = (row["Example"] or "").strip(), (row["Commodity Code"] or "").strip()
        hot, demand = (row["Hot Technology"] or "").strip(), (row["In Demand"] or "").strip()
        if not known(code, row_no, name):
            continue
        if not example:
            report.add_error(row_no, f"{name}:Example", "Empty technology name.")
            continue
        if not commodity:
            report.add_error(row_no, f"{name}:Commodity Code", "Empty commodity code.")
            continue
        bad_flag = next(
            (
                col
                for col, v in (("Hot Technology", hot), ("In Demand", demand))
                if v not in ("Y", "N")
            ),
            None,
        )
        if bad_flag:
            report.add_error(row_no, f"{name}:{bad_flag}", "Use Y or N.")
            continue
        uri = onet_technology_uri(commodity, example)
        entry = tech.setdefault(
            uri,
            {
                "source": TaxonomySource.ONET,
                "kind": Skill.Kind.TECHNOLOGY,
                "label": example[:300],
                "description": (row["Commodity Title"] or "").strip(),
                "code": commodity[:30],
                "is_hot_technology": False,
            },
        )
        entry["is_hot_technology"] = entry["is_hot_technology"] or hot == "Y"
        relation = (
            OccupationSkill.Relation.ESSENTIAL
            if "Y" in (hot, demand)
            else OccupationSkill.Relation.OPTIONAL
        )
        if tech_links.get((code, uri)) != OccupationSkill.Relation.ESSENTIAL:
            tech_links[(code, uri)] = relation

    report.details.update(
        occupations=len(occupations),
        alternate_titles=sum(len(t) for t in titles.values()),
        tasks=len(tasks),
        technologies=len(tech),
        hot_technologies=sum(1 for t in tech.values() if t["is_hot_technology"]),
        relations=len(tech_links),
    )
    if report.errors:
        return report

    onet_occ = Occupation.objects.filter(source=TaxonomySource.ONET)
    occ_fields = ["source", "code", "isco_group", "label", "description", "alt_labels", "job_zone"]
    counts = _sync(
        Occupation,
        onet_occ,
        ("uri",),
        {(f"onet:{c}",): v for c, v in occupations.items()},
        occ_fields,
        delete_missing=False,
        stamp=True,
    )
    _add_counts(report, counts)
    report.details["occupations_written"] = counts
    occ_ids = dict(onet_occ.values_list("uri", "id"))
    file_occ = {occ_ids[f"onet:{c}"] for c in occupations}
    report.details["tasks_written"] = _sync(
        OccupationTask,
        OccupationTask.objects.filter(occupation__source=TaxonomySource.ONET),
        ("occupation_id", "task_id"),
        {(occ_ids[f"onet:{c}"], t): v for (c, t), v in tasks.items()},
        ["statement", "task_type"],
        delete_missing=True,
        owners=file_occ,
    )
    onet_skills = Skill.objects.filter(source=TaxonomySource.ONET)
    tech_fields = ["source", "kind", "label", "description", "code", "is_hot_technology"]
    counts = _sync(
        Skill,
        onet_skills,
        ("uri",),
        {(u,): v for u, v in tech.items()},
        tech_fields,
        delete_missing=False,
        stamp=True,
    )
    _add_counts(report, counts)
    report.details["technologies_written"] = counts
    skill_ids = dict(onet_skills.values_list("uri", "id"))
    report.details["relations_written"] = _sync(
        OccupationSkill,
        OccupationSkill.objects.filter(occupation__source=TaxonomySource.ONET),
        ("occupation_id", "skill_id"),
        {(occ_ids[f"onet:{c}"], skill_ids[u]): {"relation": r} for (c, u), r in tech_links.items()},
        ["relation"],
        delete_missing=True,
        owners=file_occ,
    )
    return report
