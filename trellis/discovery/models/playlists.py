"""Playlists: curated lists of catalog items.

- **Curated** playlists are made by L&D and published to an audience written with the same rules
  as a program's (``trellis.programs.audience``: a rule matches when every criterion set matches;
  the audience is the union of the rules, plus the include list, minus the exclude list, active
  people only). A published curated playlist with no rule and no include list reaches nobody.
- **Personal** playlists belong to one person, who alone edits them. Sharing: only me; anyone
  signed in who has the link; or named people (who also see it under "Shared with me").
- Anyone who can see a playlist can follow it (it then shows under "Following").

State changes go through ``trellis.discovery.playlists`` only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from trellis.core.models import TimeStampedModel
from trellis.programs.models import AudienceRuleBase

__all__ = ["Playlist", "PlaylistAudienceRule", "PlaylistEntry", "PlaylistFollow"]


class Playlist(TimeStampedModel):
    class Kind(models.TextChoices):
        CURATED = "curated", "Curated by L&D"
        PERSONAL = "personal", "Personal"

    class Sharing(models.TextChoices):
        PRIVATE = "private", "Only me"
        LINK = "link", "Anyone signed in who has the link"
        PEOPLE = "people", "People I name"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="playlists",
        help_text="The person a personal playlist belongs to",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_with = models.ManyToManyField(
        "people.Employee", blank=True, related_name="playlists_shared_with_me"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # the audience of a curated playlist (read by trellis.programs.audience.audience_queryset)
    included = models.ManyToManyField(
        "people.Employee", blank=True, related_name="playlists_included"
    )
    excluded = models.ManyToManyField(
        "people.Employee", blank=True, related_name="playlists_excluded"
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="curated") | models.Q(owner__isnull=False),
                name="playlist_personal_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_curated(self) -> bool:
        return self.kind == self.Kind.CURATED


class PlaylistAudienceRule(AudienceRuleBase):
    """One audience rule of a curated playlist: the same criteria as a program's rule."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="rules")

    class Meta(AudienceRuleBase.Meta):
        pass

    def __str__(self) -> str:
        return f"rule {self.pk} of playlist {self.playlist_id}"


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["playlist", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "item"], name="playlist_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.playlist_id} #{self.position} {self.item_id}"


class PlaylistFollow(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="follows")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="followed_playlists"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["playlist", "employee"], name="playlist_follow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} follows {self.playlist_id}"
