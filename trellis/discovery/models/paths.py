"""Learning paths: an ordered plan of catalog items toward skills, made for one learner.

The plan itself comes from the pure engine (``trellis.discovery.engine.paths``); these rows keep
what it said (steps, weeks, reasons) and what the learner did with it (done, skipped, swapped).
State changes go through ``trellis.discovery.paths`` only.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trellis.core.models import TimeStampedModel

__all__ = ["LearningPath", "PathStep", "hours_text"]


def hours_text(minutes: int | None) -> str:
    """ "45 min", "2 h", "3 h 30 min"."""
    h, m = divmod(int(minutes or 0), 60)
    if not h:
        return f"{m} min"
    return f"{h} h" + (f" {m} min" if m else "")


class LearningPath(TimeStampedModel):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested, waiting for the learner"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        ARCHIVED = "archived", "Stopped"

    class Target(models.TextChoices):
        ROLE = "role", "My role"
        NEXT_ROLE = "next_role", "Another role"
        SKILLS = "skills", "Skills I choose"

    owner = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="learning_paths"
    )
    title = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    target_kind = models.CharField(max_length=10, choices=Target.choices)
    target_role = models.ForeignKey(
        "people.JobRole", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: For target "skills": [{"skill": id, "level": 1-5}, ...]
    target_skills = models.JSONField(default=list, blank=True)
    weekly_minutes = models.PositiveIntegerField(
        default=180, validators=[MinValueValidator(15), MaxValueValidator(40 * 60)]
    )
    deadline = models.DateField(null=True, blank=True)
    preferred_formats = models.JSONField(default=list, blank=True)
    starts_on = models.DateField(help_text="Week 1 starts on this day")
    suggested_by = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_paths",
    )
    suggestion_note = models.CharField(max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    # what the last plan said (the steps hold the rest)
    planned_at = models.DateTimeField(null=True, blank=True)
    remaining_minutes = models.PositiveIntegerField(default=0)
    finishes_week = models.PositiveIntegerField(default=0)
    fits_deadline = models.BooleanField(null=True, blank=True)
    weekly_minutes_needed = models.PositiveIntegerField(null=True, blank=True)
    #: The gap at the last plan: [{"skill", "label", "current", "target", "essential"}, ...]
    gap = models.JSONField(default=list, blank=True)
    #: Rungs no available item teaches: [{"skill", "label", "level"}, ...]
    uncovered = models.JSONField(default=list, blank=True)
    #: Level per skill id reached by the deadline if the plan misses it: {"<skill id>": level}
    reached_by_deadline = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def remaining_text(self) -> str:
        return hours_text(self.remaining_minutes)

    @property
    def weekly_text(self) -> str:
        return hours_text(self.weekly_minutes)

    @property
    def needed_text(self) -> str:
        return hours_text(self.weekly_minutes_needed) if self.weekly_minutes_needed else ""


class PathStep(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        REPLACED = "replaced", "Swapped out"

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    week_start = models.PositiveIntegerField(default=1)
    week_end = models.PositiveIntegerField(default=1)
    minutes = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    #: The rungs this step is the first to teach: [[skill id, level], ...]
    covers = models.JSONField(default=list, blank=True)
    pinned = models.BooleanField(default=False, help_text="Chosen by the learner in a swap")
    fallback_format = models.BooleanField(default=False)
    by_deadline = models.BooleanField(default=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True, help_text="When skipped or swapped")

    class Meta:
        ordering = ["path", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "item"], name="path_step_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.path_id} #{self.position} {self.item_id} ({self.status})"

    @property
    def minutes_text(self) -> str:
        return hours_text(self.minutes)
