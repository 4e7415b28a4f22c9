from __future__ import annotations

from typing import Any

from trellis.core.models import ApiToken
from trellis.core.privacy import erase_data, export_data
from trellis.core.services import api_token_create, audit_log


def test_export_audit_entries_and_erase_tokens(personas: Any) -> None:
    audit_log(
        actor=personas.maria.user,
        code="trellis.privacy.viewed",
        target=personas.alice,
        data={"employee": personas.alice.pk, "what": "profile"},
    )
    api_token_create(
        user=personas.alice.user, name="mine", scopes=["people:read"], created_by=personas.lena.user
    )
    data = export_data(employee=personas.alice)
    assert [(e["code"], e["by"]) for e in data["audit_entries_about_you"]] == [
        ("trellis.privacy.viewed", "Maria Manager")
    ]
    assert [t["name"] for t in data["api_tokens"]] == ["mine"]
    assert erase_data(employee=personas.alice, pseudonym="anon-1") == {"api_tokens": 1}
    assert ApiToken.objects.count() == 0
