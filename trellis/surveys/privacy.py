"""The surveys part of a person's data export and erasure (discovered by the governance app:
every app's ``privacy`` module has ``export_data`` and ``erase_data`` with these signatures).

What surveys hold about a person:
- their ``Participation`` rows (invited to wave W, answered or not, reminded when);
- their answers to surveys that are **not** confidential (``Response.employee`` is them);
- the copy of a few pulse answers they let personalize their recommendations (``SurveySignal``).
Answers to confidential surveys have no link to anyone: they are not theirs to export (nobody can
tell which they are) and they stay in the anonymous aggregates after erasure.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trellis.core.services import audit_log
from trellis.surveys.models import Participation, Response, SurveySignal


def export_data(*, employee: Any) -> dict[str, Any]:
    """Everything surveys hold that is linked to ``employee``, as JSON-ready values."""
    participations = (
        Participation.objects.filter(employee=employee)
        .select_related("wave__survey")
        .order_by("wave__opens_at", "wave_id")
    )
    responses = (
        Response.objects.filter(employee=employee)
        .select_related("wave__survey")
        .order_by("wave__opens_at", "wave_id")
    )
    signals = SurveySignal.objects.filter(employee=employee).order_by("recorded_on", "id")
    return {
        "participations": [
            {
                "survey": p.wave.survey.title,
                "wave": p.wave.label,
                "confidential": p.wave.survey.confidential,
                "invited_at": p.invited_at.isoformat(),
                "answered": p.answered,
                "reminded_at": p.reminded_at.isoformat() if p.reminded_at else None,
            }
            for p in participations
        ],
        "answers": [
            {
                "survey": r.wave.survey.title,
                "wave": r.wave.label,
                "answers": r.answers,
                "segment": {k: v[1] for k, v in (r.segment or {}).items()},
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "updated_at": r.updated_at.isoformat() if r.updated_at else None,
            }
            for r in responses
        ],
        "personalization_signals": [
            {"wave_id": s.wave_id, "recorded_on": s.recorded_on.isoformat(), "values": s.values}
            for s in signals
        ],
        "note": "Answers to confidential surveys are stored without any link to you and cannot "
        "be found or exported; they remain only in anonymous aggregates.",
    }


@transaction.atomic
def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """Remove the person's survey data: their participation records and personalization copies
    are deleted; their answers to surveys that are not confidential lose the link to them (kept,
    like confidential answers, as anonymous input to aggregates, with the manager chain cleared).
    ``pseudonym`` is recorded in the audit entry instead of the person."""
    participations = Participation.objects.filter(employee=employee).delete()[0]
    signals = SurveySignal.objects.filter(employee=employee).delete()[0]
    unlinked = Response.objects.filter(employee=employee).update(
        employee=None, submitted_at=None, updated_at=None, manager_path=""
    )
    audit_log(
        actor=None,
        code="trellis.survey.personal_data_erased",
        data={
            "pseudonym": pseudonym,
            "participations": participations,
            "signals": signals,
            "answers_unlinked": unlinked,
        },
    )
    return {
        "participations_deleted": participations,
        "signals_deleted": signals,
        "answers_unlinked": unlinked,
    }
