"""What the programs app holds about a person (export and erasure; contract in
``trellis.governance.personal_data``)."""

from __future__ import annotations

from typing import Any

from trellis.programs.models import Enrollment, EnrollmentEvent, Exemption, Extension


def export_data(*, employee: Any) -> dict[str, Any]:
    enrollments = Enrollment.objects.filter(employee_id=employee.pk).select_related("program")
    events = EnrollmentEvent.objects.filter(enrollment__employee_id=employee.pk).order_by(
        "at", "id"
    )
    by_enrollment: dict[int, list[dict[str, Any]]] = {}
    for ev in events:
        by_enrollment.setdefault(ev.enrollment_id, []).append(
            {"kind": ev.kind, "reason": ev.reason, "at": ev.at}
        )
    return {
        "enrollments": [
            {
                "program": e.program.name,
                "cycle": e.cycle,
                "status": e.status,
                "enrolled_at": e.enrolled_at,
                "starts_on": e.starts_on,
                "due_on": e.due_on,
                "started_at": e.started_at,
                "completed_at": e.completed_at,
                "expires_on": e.expires_on,
                "events": by_enrollment.get(e.pk, []),
            }
            for e in enrollments.order_by("enrolled_at", "id")
        ],
        "exemptions": list(
            Exemption.objects.filter(enrollment__employee_id=employee.pk).values(
                "enrollment__program__name", "reason", "granted_at"
            )
        ),
        "extensions": list(
            Extension.objects.filter(enrollment__employee_id=employee.pk).values(
                "enrollment__program__name", "previous_due_on", "new_due_on", "reason", "granted_at"
            )
        ),
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """Enrollments and their events stay (planned vs actual counts them); free-text reasons go."""
    mine = {"enrollment__employee_id": employee.pk}
    return {
        "event_reasons_removed": EnrollmentEvent.objects.filter(**mine)
        .exclude(reason="")
        .update(reason=""),
        "exemption_reasons_removed": Exemption.objects.filter(**mine)
        .exclude(reason="")
        .update(reason="erased"),
        "extension_reasons_removed": Extension.objects.filter(**mine)
        .exclude(reason="")
        .update(reason="erased"),
    }
