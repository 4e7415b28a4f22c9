from __future__ import annotations

import datetime as dt
from typing import Any

from trellis.skills.models import Skill, SkillEvidence
from trellis.skills.privacy import erase_data, export_data


def test_export_and_erase_evidence(personas: Any) -> None:
    skill = Skill.objects.create(uri="test:prompting", source="trellis", label="Prompting")
    SkillEvidence.objects.create(
        employee=personas.alice, skill=skill, level=3, observed_on=dt.date(2026, 1, 5), note="great"
    )
    SkillEvidence.objects.create(
        employee=personas.bob, skill=skill, level=2, observed_on=dt.date(2026, 1, 5), note="bob's"
    )
    assert export_data(employee=personas.alice)["skill_evidence"] == [
        {
            "skill": "Prompting",
            "skill_uri": "test:prompting",
            "level": 3,
            "kind": "self",
            "observed_on": dt.date(2026, 1, 5),
            "note": "great",
            "source": "",
        }
    ]
    assert erase_data(employee=personas.alice, pseudonym="anon-1") == {"evidence_notes_removed": 1}
    assert sorted(SkillEvidence.objects.values_list("note", "level")) == [("", 3), ("bob's", 2)]
