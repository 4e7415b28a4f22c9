from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from trellis.core.importing import RowError, run_import
from trellis.skills.importers import import_esco, import_onet, onet_technology_uri
from trellis.skills.models import Occupation, OccupationSkill, OccupationTask, Skill, SkillLabel
from trellis.skills.tests.esco_fixture import ESCO, OCC, ONET, S, variant, write_esco, write_onet

DEMO_DATA = Path(settings.BASE_DIR) / "trellis" / "skills" / "demo_data"


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        Skill.objects.count(),
        SkillLabel.objects.count(),
        Occupation.objects.count(),
        OccupationSkill.objects.count(),
        Skill.parents.through.objects.count(),
    )


@pytest.mark.parametrize("gz", [True, False])
def test_esco_import_writes_everything(db, tmp_path, gz):
    report = run_import("esco", write_esco(tmp_path / "esco", gz=gz))

    assert report.ok, report.errors
    assert report.details["skills"] == 3
    assert report.details["skill_groups"] == 1
    assert report.details["labels"] == 3
    assert report.details["occupations"] == 1
    assert report.details["relations"] == 3
    assert report.details["essential"] == 2
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    py = Skill.objects.get(uri=S + "py")
    assert (py.kind, py.reuse_level, py.is_digital, py.is_transversal, py.source) == (
        "knowledge",
        "sector-specific",
        True,
        False,
        "esco",
    )
    assert sorted(py.alt_labels.values_list("label", flat=True)) == ["Python", "python programming"]
    assert [p.uri for p in py.parents.all()] == [S + "g-ict"]
    assert [c.uri for c in py.children.all()] == [S + "debug"]
    assert Skill.objects.get(uri=S + "g-ict").kind == "group"
    assert Skill.objects.get(uri=S + "g-ict").code == "S5"
    assert Skill.objects.get(uri=S + "team").is_transversal is True
    dev = Occupation.objects.get(uri=OCC + "dev")
    assert (dev.code, dev.isco_group, dev.alt_labels) == ("2512.4", "2512", ["programmer", "coder"])
    assert dict(dev.skill_links.values_list("skill__uri", "relation")) == {
        S + "py": "essential",
        S + "debug": "essential",
        S + "team": "optional",
    }
    # The AI-literacy family is ensured by every ESCO import.
    assert Skill.objects.filter(family__slug="ai-literacy").count() == 8


def test_esco_reimport_is_idempotent_and_applies_changes(db, tmp_path):
    run_import("esco", write_esco(tmp_path / "a"))
    before = _snapshot()

    again = run_import("esco", write_esco(tmp_path / "b"))
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert _snapshot() == before

    changed = variant(ESCO, "skills_en", 0, preferredLabel="Python", altLabels="py")
    changed = variant(changed, "occupationSkillRelations", 2, relationType="essential")
    changed["broaderRelationsSkillPillar"] = changed["broaderRelationsSkillPillar"][:1]
    third = run_import("esco", write_esco(tmp_path / "c", changed))
    assert third.ok
    assert (third.created, third.updated, third.unchanged) == (0, 1, 4)
    py = Skill.objects.get(uri=S + "py")
    assert py.label == "Python"
    assert list(py.alt_labels.values_list("label", flat=True)) == ["py"]
    assert Skill.objects.get(uri=S + "debug").parents.count() == 0
    assert OccupationSkill.objects.get(skill__uri=S + "team").relation == "essential"
    assert Skill.objects.filter(source="esco").count() == 4


@pytest.mark.parametrize(
    ("stem", "index", "changes", "expected"),
    [
        ("skills_en", 1, {"conceptUri": ""}, RowError(3, "skills_en.csv:conceptUri", "Empty URI.")),
        (
            "skills_en",
            0,
            {"skillType": "talent"},
            RowError(
                2,
                "skills_en.csv:skillType",
                "Unknown skill type 'talent': use skill/competence or knowledge.",
            ),
        ),
        (
            "skills_en",
            2,
            {"preferredLabel": ""},
            RowError(4, "skills_en.csv:preferredLabel", "Empty preferred label."),
        ),
        ("skills_en", 3, {}, RowError(5, "skills_en.csv:conceptUri", f"Duplicate URI {S}py.")),
        (
            "occupationSkillRelations",
            1,
            {"relationType": "nice-to-have"},
            RowError(
                3,
                "occupationSkillRelations.csv:relationType",
                "Unknown relation type 'nice-to-have': use essential or optional.",
            ),
        ),
        (
            "occupationSkillRelations",
            0,
            {"skillUri": S + "nope"},
            RowError(2, "occupationSkillRelations.csv:skillUri", f"Unknown skill {S}nope."),
        ),
        (
            "occupationSkillRelations",
            2,
            {"occupationUri": ""},
            RowError(4, "occupationSkillRelations.csv:occupationUri", "Empty URI."),
        ),
        (
            "broaderRelationsSkillPillar",
            1,
            {"broaderUri": S + "nope"},
            RowError(3, "broaderRelationsSkillPillar.csv:broaderUri", f"Unknown skill {S}nope."),
        ),
        (
            "digitalSkillsCollection_en",
            0,
            {"conceptUri": S + "nope"},
            RowError(2, "digitalSkillsCollection_en.csv:conceptUri", f"Unknown skill {S}nope."),
        ),
        (
            "occupations_en",
            0,
            {"conceptUri": ""},
            RowError(2, "occupations_en.csv:conceptUri", "Empty URI."),
        ),
    ],
)
def test_esco_bad_row_is_reported_and_nothing_is_written(
    db, tmp_path, stem, index, changes, expected
):
    data = variant(ESCO, stem, index, **changes)
    report = run_import("esco", write_esco(tmp_path / "esco", data))

    assert not report.ok
    assert expected in report.errors
    assert _snapshot() == (0, 0, 0, 0, 0)


def test_esco_every_bad_row_is_reported_at_once(db, tmp_path):
    data = variant(ESCO, "skills_en", 1, conceptUri="")
    data = variant(data, "occupationSkillRelations", 1, relationType="maybe")
    report = import_esco(write_esco(tmp_path / "esco", data))
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "skills_en.csv:conceptUri"),
        (
            2,
            "transversalSkillsCollection_en.csv:conceptUri",
        ),  # points at the skill whose URI was emptied
        (3, "occupationSkillRelations.csv:relationType"),
        (4, "occupationSkillRelations.csv:skillUri"),  # so does this relation
    ]


def test_esco_rejected_on_reimport_keeps_previous_data(db, tmp_path):
    run_import("esco", write_esco(tmp_path / "a"))
    before = _snapshot()
    bad = variant(ESCO, "skills_en", 0, preferredLabel="changed")
    bad = variant(bad, "occupationSkillRelations", 0, relationType="")
    report = run_import("esco", write_esco(tmp_path / "b", bad))
    assert not report.ok
    assert _snapshot() == before
    assert Skill.objects.get(uri=S + "py").label == "Python (computer programming)"


def test_esco_missing_file_and_column_are_named(db, tmp_path):
    folder = write_esco(
        tmp_path / "esco",
        drop_files=("occupations_en",),
        drop_columns={"occupationSkillRelations": "relationType"},
    )
    report = run_import("esco", folder)
    assert (
        RowError(
            0,
            "occupations_en.csv",
            "Required file is missing (looked for occupations_en.csv.gz or .csv).",
        )
        in report.errors
    )
    assert (
        RowError(
            1,
            "occupationSkillRelations.csv:relationType",
            "Required column is missing from the header.",
        )
        in report.errors
    )
    assert len(report.errors) == 2
    assert _snapshot() == (0, 0, 0, 0, 0)


def test_esco_source_must_be_a_folder(db, tmp_path):
    report = import_esco(tmp_path / "nope")
    assert len(report.errors) == 1 and "Expected a folder" in report.errors[0].message


def test_esco_relation_to_unknown_occupation_and_group_are_skipped_and_counted(db, tmp_path):
    data = variant(ESCO, "occupationSkillRelations", 3, occupationUri=OCC + "retired")
    data = variant(
        data,
        "broaderRelationsSkillPillar",
        2,
        conceptType="SkillGroup",
        conceptUri=S + "g-ict",
        broaderType="SkillGroup",
        broaderUri=S + "g-unpublished",
    )
    report = run_import("esco", write_esco(tmp_path / "esco", data))
    assert report.ok
    assert report.details["relations"] == 3
    assert report.details["skipped"] == {
        "broaderRelationsSkillPillar.csv: skill group not in skillGroups_en.csv": {
            "count": 1,
            "examples": [f"row 4: {S}g-unpublished"],
        },
        "occupationSkillRelations.csv: occupation not in occupations_en.csv": {
            "count": 1,
            "examples": [f"row 5: {OCC}retired"],
        },
    }


@pytest.mark.parametrize("gz", [True, False])
def test_onet_import(db, tmp_path, gz):
    report = run_import("onet", write_onet(tmp_path / "onet", gz=gz))
    assert report.ok, report.errors
    assert report.details["occupations"] == 2
    assert report.details["technologies"] == 3
    assert report.details["hot_technologies"] == 1
    assert report.details["relations"] == 4
    dev = Occupation.objects.get(uri="onet:15-1252.00")
    assert (dev.label, dev.job_zone, dev.alt_labels, dev.source) == (
        "Software Developers",
        4,
        ["Programmer", "Software Engineer"],
        "onet",
    )
    assert list(dev.tasks.values_list("task_id", "statement", "task_type")) == [
        ("16363", "Write code.", "Core")
    ]
    python = Skill.objects.get(uri=onet_technology_uri("43232405", "Python"))
    assert (python.kind, python.source, python.is_hot_technology) == ("technology", "onet", True)
    # C and C++ stay two skills (their keys differ).
    assert Skill.objects.filter(source="onet", label__in=["C", "C++"]).count() == 2
    assert dict(dev.skill_links.values_list("skill__label", "relation")) == {
        "Python": "essential",
        "C++": "optional",
        "C": "essential",
    }
    csr = Occupation.objects.get(uri="onet:43-4051.00")
    assert dict(csr.skill_links.values_list("skill__label", "relation")) == {"Python": "optional"}

    again = run_import("onet", write_onet(tmp_path / "onet2", gz=gz))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert OccupationTask.objects.count() == 2
    assert OccupationSkill.objects.count() == 4


@pytest.mark.parametrize(
    ("stem", "index", "changes", "expected"),
    [
        (
            "Job_Zones",
            0,
            {"Job Zone": "7"},
            RowError(2, "Job_Zones.txt:Job Zone", "Job zone must be 1 to 5, got '7'."),
        ),
        (
            "Task_Statements",
            1,
            {"O*NET-SOC Code": "99-9999.00"},
            RowError(
                3,
                "Task_Statements.txt:O*NET-SOC Code",
                "Unknown occupation '99-9999.00' (not in Occupation_Data.txt).",
            ),
        ),
        (
            "Technology_Skills",
            2,
            {"Hot Technology": "maybe"},
            RowError(4, "Technology_Skills.txt:Hot Technology", "Use Y or N."),
        ),
        (
            "Occupation_Data",
            0,
            {"O*NET-SOC Code": ""},
            RowError(2, "Occupation_Data.txt:O*NET-SOC Code", "Empty O*NET-SOC code."),
        ),
    ],
)
def test_onet_bad_row_is_reported_and_nothing_is_written(
    db, tmp_path, stem, index, changes, expected
):
    report = run_import(
        "onet", write_onet(tmp_path / "onet", variant(ONET, stem, index, **changes))
    )
    assert expected in report.errors
    assert (Occupation.objects.count(), Skill.objects.count(), OccupationTask.objects.count()) == (
        0,
        0,
        0,
    )


def test_onet_missing_file(db, tmp_path):
    data = {k: v for k, v in ONET.items() if k != "Job_Zones"}
    report = import_onet(write_onet(tmp_path / "onet", data))
    assert [(e.row, e.column) for e in report.errors] == [(0, "Job_Zones.txt")]


def test_demo_onet_subset_imports_with_exact_counts(db):
    report = run_import("onet", DEMO_DATA / "onet")
    assert report.ok
    assert report.details["occupations"] == 35
    assert report.details["tasks"] == 729
    assert report.details["relations"] == 5173
    assert Occupation.objects.filter(source="onet").count() == 35
    assert OccupationSkill.objects.filter(occupation__source="onet").count() == 5173


def test_real_esco_import_counts(db, shared_data):
    source = shared_data / "esco"
    report = run_import("esco", source)
    assert report.ok, report.errors[:5]
    assert Skill.objects.filter(source="esco").exclude(kind="group").count() == 13896
    assert Skill.objects.filter(source="esco", kind="group").count() == 640
    assert SkillLabel.objects.count() == 97651  # 97,483 skill labels + 168 group labels
    assert Occupation.objects.filter(source="esco").count() == 3007
    # 123,855 published relations minus 67 that name occupations absent from occupations_en.csv
    assert OccupationSkill.objects.count() == 123788
    assert (
        Skill.parents.through.objects.count() == 20649
    )  # 20,656 rows minus 7 to unpublished groups
    assert Skill.objects.filter(is_digital=True).count() == 1201 + 8  # + the AI-literacy skills
    assert (
        report.details["skipped"][
            "occupationSkillRelations.csv: occupation not in occupations_en.csv"
        ]["count"]
        == 67
    )


def test_esco_subset_import_keeps_links_of_occupations_it_does_not_mention(db, tmp_path):
    two = variant(
        ESCO, "occupations_en", 1, conceptUri=OCC + "tester", preferredLabel="software tester"
    )
    two = variant(
        two, "occupationSkillRelations", 3, occupationUri=OCC + "tester", skillUri=S + "debug"
    )
    run_import("esco", write_esco(tmp_path / "full", two))
    assert OccupationSkill.objects.count() == 4

    report = run_import("esco", write_esco(tmp_path / "subset"))  # only "dev"
    assert report.ok
    assert list(
        OccupationSkill.objects.filter(occupation__uri=OCC + "tester").values_list(
            "skill__uri", flat=True
        )
    ) == [S + "debug"]
    assert OccupationSkill.objects.count() == 4
