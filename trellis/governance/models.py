"""AI governance: policy documents and their acknowledgements, the AI ownership registry (RACI) and
the inventory of AI systems. State changes go through ``trellis.governance.services``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from trellis.core.models import TimeStampedModel
from trellis.programs.models import AudienceRuleBase


class Policy(TimeStampedModel):
    """An AI strategy or usage-expectations document. Its text is edited here (``title``, ``body``);
    publishing freezes it as the next ``PolicyVersion``, which the audience must acknowledge.

    Who publishes: an L&D admin, always on behalf of an executive ``sponsor`` (the leader who owns
    the document); executives read everything but change nothing in Trellis."""

    class Kind(models.TextChoices):
        STRATEGY = "strategy", "AI strategy"
        USAGE = "usage", "AI usage expectations"
        OTHER = "other", "Other AI policy"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STRATEGY)
    summary = models.CharField(max_length=300, blank=True, help_text="One line shown in lists")
    body = models.TextField(
        help_text="Plain text: blank lines separate paragraphs; '# ' starts a heading, '- ' a "
        "bullet, **bold** is bold"
    )
    sponsor = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_policies",
        help_text="The executive who owns the document (L&D publishes on their behalf)",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    due_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after publication (or after joining) to acknowledge"
    )
    reminder_days = models.JSONField(default=list, blank=True, help_text="e.g. [7, 1]")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "title", "id"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.title

    @property
    def reminders(self) -> list[int]:
        return sorted({int(d) for d in (self.reminder_days or [7, 1]) if int(d) > 0}, reverse=True)


class PolicyAudienceRule(AudienceRuleBase):
    """One audience rule of a policy (same semantics as a program's: ``trellis.programs.audience``)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="rules")

    class Meta(AudienceRuleBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Rule {self.pk} of policy {self.policy_id}"


class PolicyVersion(models.Model):
    """A published, frozen version of a policy. A new version needs a new acknowledgement."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def due_for(self, *, hire_date: dt.date | None, due_days: int) -> dt.date:
        """A person's due date: ``due_days`` after publication, or after joining if later."""
        start = self.published_at.date()
        if hire_date is not None and hire_date > start:
            start = hire_date
        return start + dt.timedelta(days=due_days)


class PolicyAcknowledgement(models.Model):
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="acknowledgements")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "employee"], name="policy_acknowledgement_unique"
            )
        ]
        indexes = [models.Index(fields=["policy", "employee"])]

    def __str__(self) -> str:
        return f"{self.employee_id} acknowledged {self.version_id}"


class OwnershipArea(TimeStampedModel):
    """An area of AI responsibility (AI learning strategy, content approval, data and privacy, …)."""

    name = models.CharField(max_length=150, unique=True)
    description = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class OwnershipAssignment(models.Model):
    class Role(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    area = models.ForeignKey(OwnershipArea, on_delete=models.CASCADE, related_name="assignments")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="ownership_assignments"
    )
    role = models.CharField(max_length=1, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "role", "employee__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "employee", "role"], name="ownership_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(role="A"),
                name="ownership_one_accountable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.role} {self.employee_id}"


class AISystem(TimeStampedModel):
    """One AI feature in use, with what its model card shows."""

    class Status(models.TextChoices):
        IN_USE = "in_use", "In use"
        PILOT = "pilot", "Pilot"
        OFF = "off", "Not configured / off"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    purpose = models.TextField()
    data_used = models.JSONField(
        default=list, blank=True, help_text="What it reads (personalization signals, texts)"
    )
    owner = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ai_systems",
    )
    model_name = models.CharField(max_length=200, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    #: [{"metric": "nDCG@10", "value": "0.675", "on": "OpenStax qa-dev, 5,421 questions"}, ...]
    evaluation = models.JSONField(default=list, blank=True)
    evaluated_on = models.DateField(null=True, blank=True)
    limitations = models.TextField(blank=True)
    controls = models.TextField(
        blank=True, help_text="How a learner turns it off or withdraws consent"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_USE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "AI system"

    def __str__(self) -> str:
        return self.name
