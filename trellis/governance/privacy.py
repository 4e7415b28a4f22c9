"""What governance holds about a person: policy acknowledgements, ownership roles and the AI systems
they own (export and erasure; the contract is in ``personal_data.py``)."""

from __future__ import annotations

from typing import Any

from trellis.governance.models import AISystem, OwnershipAssignment, PolicyAcknowledgement


def export_data(*, employee: Any) -> dict[str, Any]:
    return {
        "policy_acknowledgements": [
            {
                "policy": a.version.title,
                "version": a.version.number,
                "acknowledged_at": a.acknowledged_at,
            }
            for a in PolicyAcknowledgement.objects.filter(employee_id=employee.pk)
            .select_related("version")
            .order_by("acknowledged_at", "id")
        ],
        "ownership_roles": [
            {"area": a.area.name, "role": a.get_role_display()}
            for a in OwnershipAssignment.objects.filter(employee_id=employee.pk).select_related(
                "area"
            )
        ],
        "ai_systems_owned": sorted(
            AISystem.objects.filter(owner_id=employee.pk).values_list("name", flat=True)
        ),
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """Acknowledgements stay (completion counts them); ownership roles and AI-system ownership end
    (an erased person cannot be anyone's contact; the registry then flags the gap)."""
    roles = OwnershipAssignment.objects.filter(employee_id=employee.pk).delete()[0]
    systems = AISystem.objects.filter(owner_id=employee.pk).update(owner=None)
    return {"ownership_roles_removed": roles, "ai_systems_unowned": systems}
