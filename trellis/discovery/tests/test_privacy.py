from __future__ import annotations

from typing import Any

from trellis.discovery.models.personalization import ConsentRecord
from trellis.discovery.models.playlists import Playlist
from trellis.discovery.privacy import erase_data, export_data


def test_export_and_erase_discovery(personas: Any) -> None:
    ConsentRecord.objects.create(
        employee=personas.alice, signal="activity", granted=False, version="1"
    )
    mine = Playlist.objects.create(
        kind="personal", title="Alice's picks", description="for me", owner=personas.alice
    )
    data = export_data(employee=personas.alice)
    assert [(c["signal"], c["granted"]) for c in data["consents"]] == [("activity", False)]
    assert [p["title"] for p in data["playlists"]] == ["Alice's picks"]
    counts = erase_data(employee=personas.alice, pseudonym="anon-1")
    assert counts["playlists_anonymised"] == 1
    mine.refresh_from_db()
    assert (mine.title, mine.description) == (f"Playlist {mine.pk}", "")
    assert ConsentRecord.objects.count() == 1  # the consent record stays
