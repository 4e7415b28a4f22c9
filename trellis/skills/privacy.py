"""What the skills app holds about a person (export and erasure; contract in
``trellis.governance.personal_data``)."""

from __future__ import annotations

from typing import Any

from trellis.skills.models import SkillEvidence


def export_data(*, employee: Any) -> dict[str, Any]:
    rows = (
        SkillEvidence.objects.filter(employee_id=employee.pk)
        .select_related("skill")
        .order_by("skill__label", "-observed_on", "id")
    )
    return {
        "skill_evidence": [
            {
                "skill": e.skill.label,
                "skill_uri": e.skill.uri,
                "level": e.level,
                "kind": e.kind,
                "observed_on": e.observed_on,
                "note": e.note,
                "source": e.source_ref,
            }
            for e in rows
        ]
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """Evidence stays (skills dashboards count it); its free-text notes are removed."""
    notes = SkillEvidence.objects.filter(employee_id=employee.pk).exclude(note="").update(note="")
    return {"evidence_notes_removed": notes}
