"""Documents (State, Activity Profile, Agent Profile) and canonical Activity definitions.

One table holds the three document resources (xAPI 1.0.3 Communication §2.2): ``kind`` says which, and
the unique key is (kind, activity id, agent IFI, registration, document id), with ``""`` where a part
does not apply (an Activity Profile has no agent, an Agent Profile no activity, a State without a
registration has ``registration=""``). Empty strings instead of NULLs keep the unique constraint
working on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models

__all__ = ["ActivityDefinition", "Document"]


class Document(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "State"
        ACTIVITY_PROFILE = "activity_profile", "Activity Profile"
        AGENT_PROFILE = "agent_profile", "Agent Profile"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity_id = models.CharField(max_length=500, blank=True)
    agent_ifi = models.CharField(max_length=500, blank=True)
    registration = models.CharField(
        max_length=36, blank=True, help_text="Lower-case UUID, or empty"
    )
    document_id = models.CharField(max_length=500, help_text="The stateId or profileId")
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    etag = models.CharField(max_length=40, help_text="Lower-case hex SHA-1 of the content")
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_id", "agent_ifi", "registration", "document_id"],
                name="lrs_document_unique_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "activity_id", "agent_ifi", "updated"], name="lrs_document_since"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id}"


class ActivityDefinition(models.Model):
    """The canonical definition of an Activity, merged from the statements that used it."""

    activity_id = models.CharField(max_length=500, unique=True)
    definition = models.JSONField(default=dict)
    updated = models.DateTimeField()

    def __str__(self) -> str:
        return self.activity_id
