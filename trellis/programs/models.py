"""Programs (mandates): an executive-driven program, its audience, requirements and enrollments.

State changes go through ``trellis.programs.services``; the computed parts (audience, completion,
planned vs actual) live in ``audience.py``, ``completion.py`` and ``pace.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from trellis.core.models import TimeStampedModel


class Program(TimeStampedModel):
    class Category(models.TextChoices):
        COMPLIANCE = "compliance", "Compliance"
        CULTURE = "culture", "Culture"
        ENTERPRISE_SKILL = "enterprise_skill", "Enterprise skill"
        ONBOARDING = "onboarding", "Onboarding"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    class DuePolicy(models.TextChoices):
        FIXED = "fixed", "A fixed date"
        RELATIVE = "relative", "N days after enrollment"

    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.ENTERPRISE_SKILL
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    sponsor = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_programs",
        help_text="The executive sponsor",
    )
    owner = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_programs",
        help_text="The L&D owner",
    )
    mandatory = models.BooleanField(default=True)
    planned_hours = models.DecimalField(
        "planned effort per learner (hours)", max_digits=6, decimal_places=1, default=0
    )
    #: [[day offset from the enrollment's start, percent of the audience completed], ...]
    pace_points = models.JSONField(default=list, blank=True)
    starts_on = models.DateField(null=True, blank=True, help_text="Set on activation if empty")
    due_policy = models.CharField(
        max_length=10, choices=DuePolicy.choices, default=DuePolicy.RELATIVE
    )
    due_date = models.DateField(null=True, blank=True)
    due_days = models.PositiveIntegerField(null=True, blank=True, default=90)
    recurrence_months = models.PositiveSmallIntegerField(
        default=0, help_text="0: no recurrence; 12: yearly recertification"
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days before expiry when the next cycle opens"
    )
    reminder_days = models.JSONField(default=list, blank=True, help_text="e.g. [7, 1]")
    escalation_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days overdue before the manager is told"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    included = models.ManyToManyField(
        "people.Employee", blank=True, related_name="programs_included"
    )
    excluded = models.ManyToManyField(
        "people.Employee", blank=True, related_name="programs_excluded"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.due_policy == self.DuePolicy.FIXED and self.due_date is None:
            errors["due_date"] = "A fixed due policy needs a due date."
        if self.due_policy == self.DuePolicy.RELATIVE and not self.due_days:
            errors["due_days"] = "Give the number of days after enrollment."
        if self.recurrence_months and self.renewal_window_days >= self.recurrence_months * 28:
            errors["renewal_window_days"] = "The renewal window must be shorter than the cycle."
        if errors:
            raise ValidationError(errors)

    @property
    def is_compliance(self) -> bool:
        return self.category == self.Category.COMPLIANCE

    @property
    def reminders(self) -> list[int]:
        return sorted({int(d) for d in (self.reminder_days or [7, 1]) if int(d) > 0}, reverse=True)


class AudienceRuleBase(models.Model):
    """The criteria of one audience rule, shared by every owner of an audience (programs, curated
    playlists, surveys, policies): a person matches when every criterion that is set matches (any
    of its values). A concrete rule adds a ``ForeignKey`` to its owner with ``related_name="rules"``;
    ``trellis.programs.audience`` writes and evaluates them for any owner.
    """

    departments = models.ManyToManyField(
        "people.Department", blank=True, related_name="+", help_text="With sub-departments"
    )
    job_roles = models.ManyToManyField("people.JobRole", blank=True, related_name="+")
    locations = models.ManyToManyField("people.Location", blank=True, related_name="+")
    groups = models.ManyToManyField("people.Group", blank=True, related_name="+")
    managers = models.ManyToManyField(
        "people.Employee",
        blank=True,
        related_name="+",
        help_text="Everyone below these managers (all levels)",
    )
    hired_from = models.DateField(null=True, blank=True)
    hired_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]


class AudienceRule(AudienceRuleBase):
    """One rule of a program. The audience is the union of the rules, plus the program's include
    list, minus its exclude list, active people only. A rule with no criterion set matches everyone.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules")

    class Meta(AudienceRuleBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Rule {self.pk} of {self.program_id}"


class RequirementGroup(models.Model):
    """Electives: any ``required_count`` of the group's requirements."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=200)
    required_count = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} (any {self.required_count})"


class Requirement(models.Model):
    class Kind(models.TextChoices):
        ITEM = "item", "Catalog item"
        ACKNOWLEDGEMENT = "acknowledgement", "Policy acknowledgement"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ITEM)
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True, help_text="For an acknowledgement")
    body = models.TextField(blank=True, help_text="The policy text to acknowledge")
    min_score = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Scaled score (0-1) needed; empty for none",
    )
    group = models.ForeignKey(
        RequirementGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requirements",
        help_text="Empty: required; otherwise an elective of the group",
    )
    effort_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Defaults to the item's duration (5 for a policy)"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="acknowledgement") | models.Q(item__isnull=False),
                name="requirement_item_needs_item",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.ACKNOWLEDGEMENT:
            return self.title or "Policy acknowledgement"
        return self.item.title if self.item_id and self.item else "Item"

    @property
    def activity_id(self) -> str:
        """The xAPI activity of an acknowledgement (its statements' object)."""
        return f"{settings.SITE_URL}/programs/policy/{self.uid}"

    @property
    def effort(self) -> int:
        if self.effort_minutes is not None:
            return self.effort_minutes
        if self.kind == self.Kind.ACKNOWLEDGEMENT:
            return 5
        return self.item.duration_minutes if self.item else 0


class CreditRule(models.Model):
    class Kind(models.TextChoices):
        EQUIVALENT = "equivalent", "An equivalent item counts"
        EARLIER = "earlier", "An earlier completion counts"

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="credit_rules"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How far before the cycle start a completion counts"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} for requirement {self.requirement_id}"


class Enrollment(models.Model):
    """One person in one cycle of one program. ``state`` is what people decided (active, exempt,
    withdrawn); completion is derived from learning records; ``status`` combines both with the date."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        EXEMPT = "exempt", "Exempt"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        OVERDUE = "overdue", "Overdue"
        EXEMPT = "exempt", "Exempt"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="program_enrollments"
    )
    cycle = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    starts_on = models.DateField(help_text="Completions from this day count for this cycle")
    due_on = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    done_count = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "employee", "cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "employee", "cycle"], name="enrollment_program_employee_cycle"
            ),
        ]
        indexes = [
            models.Index(fields=["program", "state", "due_on"]),
            models.Index(fields=["employee", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} in {self.program_id} (cycle {self.cycle})"

    def status_on(self, today: dt.date) -> str:
        if self.state == self.State.WITHDRAWN:
            return self.Status.WITHDRAWN
        if self.state == self.State.EXEMPT:
            return self.Status.EXEMPT
        if self.completed_at is not None:
            return self.Status.COMPLETED
        if self.due_on < today:
            return self.Status.OVERDUE
        if self.started_at is not None:
            return self.Status.IN_PROGRESS
        return self.Status.NOT_STARTED

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label


class EnrollmentEvent(models.Model):
    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RE_EVALUATED = "re_evaluated", "Re-evaluated"
        EXEMPTED = "exempted", "Exempted"
        EXTENDED = "extended", "Extended"
        COMPLETED = "completed", "Completed"
        REOPENED = "reopened", "Reopened"
        RENEWED = "renewed", "New cycle opened"
        NUDGED = "nudged", "Nudged"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["enrollment", "kind", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.enrollment_id}"


class Exemption(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="exemptions")
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Exemption of {self.enrollment_id}: {self.reason}"


class Extension(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="extensions")
    previous_due_on = models.DateField()
    new_due_on = models.DateField()
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Extension of {self.enrollment_id} to {self.new_due_on}"


class MandateBudget(models.Model):
    """L&D's cap on mandated learning hours per job role per calendar quarter (no role: default)."""

    job_role = models.OneToOneField(
        "people.JobRole",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mandate_budget",
    )
    hours_per_quarter = models.DecimalField(max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["job_role__title"]

    def __str__(self) -> str:
        return f"{self.job_role or 'Every role'}: {self.hours_per_quarter} h per quarter"
