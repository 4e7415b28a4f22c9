"""Insights' own tables: small aggregates refreshed by ``trellis.insights.refresh``; nothing else.

Every row here is derived data: ``trellis insights refresh`` rebuilds all of them from the learning
records, enrollments, skills and catalog; the periodic job ``insights.refresh`` adds the statements
stored since the watermark and recomputes the small summaries.
"""

from __future__ import annotations

from django.db import models


class LearningWeek(models.Model):
    """Seconds of learning per employee, ISO week (its Monday) and kind (mandated / self-directed)."""

    class Kind(models.TextChoices):
        MANDATED = "mandated", "Mandated"
        SELF = "self", "Self-directed"

    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday of the week")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "week", "kind"], name="insights_learningweek_unique"
            )
        ]
        indexes = [models.Index(fields=["week", "kind"])]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.week} · {self.kind}"


class SegmentWeek(models.Model):
    """``LearningWeek`` summed per week, department, job role and kind (what org-wide pages read)."""

    week = models.DateField()
    department_id = models.IntegerField(null=True)
    job_role_id = models.IntegerField(null=True)
    kind = models.CharField(max_length=8)
    seconds = models.BigIntegerField(default=0)
    learners = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["week"])]

    def __str__(self) -> str:
        return f"{self.week} · {self.department_id} · {self.job_role_id} · {self.kind}"


class ProgramSnapshot(models.Model):
    """Planned vs actual of one program on one day, overall (kind "all") or for one segment."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=12, help_text="all, department, job_role, location, manager")
    key = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=300, blank=True)
    enrolled = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    planned = models.FloatField(default=0.0, help_text="Planned completed share, 0-1")
    planned_hours = models.FloatField(default=0.0, help_text="Planned effort by the day, hours")
    actual_hours = models.FloatField(default=0.0, help_text="Time spent on its requirements, hours")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day", "kind", "key"], name="insights_programsnapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "kind"])]

    def __str__(self) -> str:
        return f"{self.program_id} · {self.day} · {self.kind} {self.key}"


class Summary(models.Model):
    """One org-wide summary (skills, content, personalization, ...) as JSON, by name."""

    name = models.CharField(max_length=40, unique=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class RefreshState(models.Model):
    """The watermark of the incremental refresh (one row, name "learning")."""

    name = models.CharField(max_length=40, unique=True)
    stored_until = models.DateTimeField(null=True, blank=True)
    last_statement_pk = models.BigIntegerField(default=0)
    full_at = models.DateTimeField(null=True, blank=True)
    incremental_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
