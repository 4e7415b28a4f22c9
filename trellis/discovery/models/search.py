"""Search, ask and tagging: the search index (one document per published item, its passages for
ask), and the skill suggestions of automatic tagging.

The full-text side lives next to these tables and is made by the migration for the database in use:
SQLite FTS5 tables ``discovery_search_fts`` (rowid = item id) and ``discovery_passage_fts``
(rowid = passage id), kept in sync by ``trellis.discovery.search``; on PostgreSQL a generated
``tsvector`` column with a GIN index on each table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["SearchDocument", "SearchPassage", "SkillVector", "TagSuggestion"]


class SearchDocument(models.Model):
    """What search knows of one published item: its text for full-text search, the words offered as
    corrections, and its embedding."""

    item = models.OneToOneField(
        "catalog.Item", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.CharField(max_length=300)
    text = models.TextField(help_text="Description, skills, collection, section and body")
    words = models.TextField(blank=True, help_text="Distinct words offered as typo corrections")
    content_hash = models.CharField(max_length=64, help_text="Of the embedded text")
    vector = models.BinaryField(null=True, blank=True, help_text="float32, L2-normalised")
    vector_model = models.CharField(max_length=100, blank=True)
    vector_hash = models.CharField(
        max_length=64, blank=True, help_text="content_hash when embedded"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["vector_model", "vector_hash"], name="discovery_sd_vector")]

    def __str__(self) -> str:
        return self.title


class SearchPassage(models.Model):
    """A passage of an item's text (about 110 words, along paragraphs): what ask retrieves and cites."""

    item = models.ForeignKey(
        "catalog.Item", on_delete=models.CASCADE, related_name="search_passages"
    )
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="discovery_passage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.position}"


class SkillVector(models.Model):
    """The embedding of a skill's labels and description, for automatic tagging."""

    skill = models.OneToOneField(
        "skills.Skill", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64)
    vector = models.BinaryField()
    vector_model = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"vector of skill {self.skill_id}"


class TagSuggestion(models.Model):
    """A skill suggested for an item by automatic tagging, waiting for (or decided by) L&D."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    item = models.ForeignKey(
        "catalog.Item", on_delete=models.CASCADE, related_name="tag_suggestions"
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    similarity = models.FloatField(help_text="Cosine between the item and the skill")
    matched_label = models.CharField(
        max_length=300, blank=True, help_text="The skill label found in the item's text"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    model = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "skill"], name="discovery_tag_suggestion_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1),
                name="discovery_tag_confidence_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "-confidence"], name="discovery_tag_queue")]

    def __str__(self) -> str:
        return f"{self.item_id} -> {self.skill_id} ({self.confidence:.2f}, {self.status})"
