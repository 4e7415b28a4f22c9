from __future__ import annotations

from typing import Any

from trellis.programs import services
from trellis.programs.models import Enrollment, Exemption
from trellis.programs.privacy import erase_data, export_data


def test_export_and_erase_enrollments(personas: Any, make_program: Any) -> None:
    program = make_program(name="AI fluency")
    services.program_activate(actor=personas.lena.user, program=program)
    enrollment = Enrollment.objects.get(program=program, employee=personas.alice)
    services.enrollment_exempt(actor=personas.lena.user, enrollment=enrollment, reason="on leave")
    data = export_data(employee=personas.alice)
    assert [(e["program"], e["status"]) for e in data["enrollments"]] == [("AI fluency", "exempt")]
    assert [e["reason"] for e in data["exemptions"]] == ["on leave"]
    counts = erase_data(employee=personas.alice, pseudonym="anon-1")
    assert counts["exemption_reasons_removed"] == 1 and counts["event_reasons_removed"] >= 1
    assert Exemption.objects.get().reason == "erased"
    assert Enrollment.objects.filter(program=program).count() == 8  # aggregates stay
