"""The progress projection's tables: one row per learner and activity, and activity aliases.

Rows are derived data: ``trellis.lrs.projection`` recomputes them from the stored, non-voided
statements, and ``reproject_all`` can rebuild the whole table from scratch with the same result.
"""

from __future__ import annotations

from django.db import models

__all__ = ["ActivityAlias", "Progress"]


class Progress(models.Model):
    class Status(models.TextChoices):
        LAUNCHED = "launched", "Started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        PASSED = "passed", "Passed"

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="learning_progress"
    )
    activity_id = models.CharField(max_length=500, help_text="The xAPI activity IRI")
    item = models.ForeignKey(
        "catalog.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress",
        help_text="The catalog item the activity maps to (by alias or Trellis's own item IRI)",
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    score_scaled = models.FloatField(null=True, blank=True)
    score_raw = models.FloatField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    first_activity_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    last_statement_id = models.UUIDField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_activity_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "activity_id"], name="progress_employee_activity_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["item", "status"]),
            models.Index(fields=["employee", "-last_activity_at"]),
            models.Index(fields=["activity_id"]),
        ]
        verbose_name_plural = "progress"

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.activity_id} · {self.status}"

    @property
    def time_spent_minutes(self) -> int:
        return round(self.time_spent_seconds / 60)

    @property
    def is_done(self) -> bool:
        return self.status in {self.Status.COMPLETED, self.Status.PASSED}


class ActivityAlias(models.Model):
    """Maps an outside activity id (a cmi5 AU, a SCORM course, a vendor's IRI) to a catalog item."""

    activity_id = models.CharField(max_length=500, unique=True)
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.CASCADE, related_name="activity_aliases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity_id"]
        verbose_name_plural = "activity aliases"

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.item_id}"
