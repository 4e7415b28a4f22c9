"""Surveys: a survey (sections, questions, audience), its waves, who answered, and the answers.

Anonymity by design (README.md, "Anonymity"): a ``Response`` of a confidential survey has no link to
the person (``employee`` is empty), no timestamp and a random UUID key, and keeps its answers in
one JSON value (no rows with sequential ids whose order could be matched with the order people
answered in). Who answered is a separate ``Participation`` ("has answered wave W"), used for
invitations, reminders and completion only. Each response keeps a snapshot of the respondent's
segment at answer time (department, job role, location, role family, AI-literacy level and the
chain of managers *above* them, never their own id); results are read only through
``trellis.surveys.anonymity``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from trellis.core.models import TimeStampedModel
from trellis.programs.models import AudienceRuleBase

#: The anonymity threshold can be raised per survey but never go below this.
MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5


class Survey(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Shown above the questions")
    confidential = models.BooleanField(
        default=True, help_text="Answers are stored without any link to the person"
    )
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD,
        help_text=f"No result is shown for fewer respondents than this (at least {MIN_THRESHOLD})",
    )
    template = models.SlugField(
        max_length=50, blank=True, help_text="The template it was made from"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    repeat_months = models.PositiveSmallIntegerField(
        default=0, help_text="0: one wave; 3: a new wave every quarter"
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=3, help_text="Remind those who have not answered this many days before close"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymity_threshold__gte=MIN_THRESHOLD),
                name="survey_threshold_at_least_3",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.anonymity_threshold is None or self.anonymity_threshold < MIN_THRESHOLD:
            raise ValidationError(
                {
                    "anonymity_threshold": f"The anonymity threshold must be at least "
                    f"{MIN_THRESHOLD} respondents (you gave {self.anonymity_threshold})."
                }
            )


class SurveyAudienceRule(AudienceRuleBase):
    """One audience rule of a survey (read by ``trellis.programs.audience.audience_queryset``)."""

    survey = models.ForeignKey(Survey, related_name="rules", on_delete=models.CASCADE)

    class Meta(AudienceRuleBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Rule {self.pk} of survey {self.survey_id}"


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", "Likert scale (1 to 5)"
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        NUMERIC = "numeric", "Number"
        TEXT = "text", "Free text"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    key = models.SlugField(max_length=60, help_text="Stable key of the question in results")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    #: [[value, label], …]: the choices, or the five labels of a Likert scale (values "1".."5")
    options = models.JSONField(default=list, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_survey_key"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in self.options]

    def label_of(self, value: object) -> str:
        return dict(self.choices).get(str(value), str(value))


class Wave(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField(default=1)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    invited = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="wave_survey_number"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="wave_closes_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.label}"

    @property
    def label(self) -> str:
        return f"Wave {self.number} ({self.opens_at:%b %Y})"


class Participation(models.Model):
    """A person invited to a wave and whether they answered: never linked to their answers."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="participations")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="survey_participations"
    )
    invited_at = models.DateTimeField()
    answered = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "employee"], name="participation_wave_person"),
        ]
        indexes = [models.Index(fields=["employee", "answered"])]

    def __str__(self) -> str:
        return f"{self.employee_id} in wave {self.wave_id}"


class Response(models.Model):
    """One person's answers to one wave. Confidential: no person, no time, random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    employee = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        help_text="Only for surveys that are not confidential",
    )
    #: {question key: value}: int 1 to 5 (Likert), str (single, text), list[str] (multiple), number
    answers = models.JSONField(default=dict)
    #: {dimension: [key, label]} at answer time (department, job_role, location, role_family,
    #: ai_literacy_level)
    segment = models.JSONField(default=dict)
    #: ids of the managers above the respondent at answer time, "/1/5/17/" (never their own id)
    manager_path = models.CharField(max_length=1000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Not confidential only")
    updated_at = models.DateTimeField(null=True, blank=True, help_text="Not confidential only")

    class Meta:
        ordering = ["wave", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "employee"],
                condition=models.Q(employee__isnull=False),
                name="response_wave_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to wave {self.wave_id}"


class SurveySignal(models.Model):
    """The answers a person agreed to let personalize their recommendations (the "surveys"
    consent of discovery): a copy of a few pulse answers, linked to them by their own choice."""

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="survey_signals"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    recorded_on = models.DateField()

    class Meta:
        ordering = ["employee", "-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "wave"], name="survey_signal_person_wave"),
        ]

    def __str__(self) -> str:
        return f"Survey signals of {self.employee_id} (wave {self.wave_id})"
