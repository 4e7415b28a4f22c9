"""What discovery holds about a person: consents and personalization settings, interests, goals,
feedback, feed impressions, learning paths and playlists (export and erasure; contract in
``trellis.governance.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.discovery.models.paths import LearningPath
from trellis.discovery.models.personalization import (
    ConsentRecord,
    LearnerInterest,
    LearnerTargetSkill,
    PersonalizationSettings,
    RecommendationFeedback,
    RecommendationImpression,
)
from trellis.discovery.models.playlists import Playlist, PlaylistEntry, PlaylistFollow


def export_data(*, employee: Any) -> dict[str, Any]:
    pk = employee.pk
    settings_row = (
        PersonalizationSettings.objects.filter(employee_id=pk).select_related("target_role").first()
    )
    playlists = Playlist.objects.filter(owner_id=pk).order_by("created_at", "id")
    entries: dict[int, list[dict[str, Any]]] = {}
    for e in (
        PlaylistEntry.objects.filter(playlist__owner_id=pk)
        .select_related("item")
        .order_by("playlist_id", "position")
    ):
        entries.setdefault(e.playlist_id, []).append({"item": e.item.title, "note": e.note})
    return {
        "personalization": None
        if settings_row is None
        else {
            "enabled": settings_row.enabled,
            "target_role": settings_row.target_role.title if settings_row.target_role else None,
            "preferred_formats": settings_row.preferred_formats,
            "history_reset_at": settings_row.history_reset_at,
        },
        "consents": list(
            ConsentRecord.objects.filter(employee_id=pk)
            .order_by("recorded_at", "id")
            .values("signal", "granted", "version", "recorded_at")
        ),
        "interests": sorted(
            LearnerInterest.objects.filter(employee_id=pk).values_list("skill__label", flat=True)
        ),
        "target_skills": list(
            LearnerTargetSkill.objects.filter(employee_id=pk)
            .order_by("skill__label")
            .values("skill__label", "level")
        ),
        "feedback": list(
            RecommendationFeedback.objects.filter(employee_id=pk)
            .order_by("created_at", "id")
            .values("item__title", "kind", "created_at")
        ),
        "recommendations_shown": RecommendationImpression.objects.filter(employee_id=pk).count(),
        "learning_paths": list(
            LearningPath.objects.filter(owner_id=pk)
            .order_by("created_at", "id")
            .values(
                "title",
                "status",
                "target_kind",
                "target_skills",
                "weekly_minutes",
                "deadline",
                "suggestion_note",
                "decline_reason",
                "created_at",
            )
        ),
        "playlists": [
            {
                "title": p.title,
                "description": p.description,
                "kind": p.kind,
                "sharing": p.sharing,
                "items": entries.get(p.pk, []),
            }
            for p in playlists
        ],
        "followed_playlists": sorted(
            PlaylistFollow.objects.filter(employee_id=pk).values_list("playlist__title", flat=True)
        ),
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """Free text goes (path notes and reasons, the person's own playlists' titles, descriptions and
    entry notes); consents, settings, paths and impressions stay, tied to the anonymised person
    (the fairness report and acceptance figures count them)."""
    pk = employee.pk
    notes = (
        LearningPath.objects.filter(Q(owner_id=pk) | Q(suggested_by_id=pk))
        .filter(~Q(suggestion_note="") | ~Q(decline_reason=""))
        .update(suggestion_note="", decline_reason="")
    )
    playlists = 0
    for playlist in Playlist.objects.filter(owner_id=pk).only("pk"):
        Playlist.objects.filter(pk=playlist.pk).update(
            title=f"Playlist {playlist.pk}", description=""
        )
        playlists += 1
    entry_notes = (
        PlaylistEntry.objects.filter(playlist__owner_id=pk).exclude(note="").update(note="")
    )
    return {
        "path_notes_removed": notes,
        "playlists_anonymised": playlists,
        "entry_notes_removed": entry_notes,
    }
