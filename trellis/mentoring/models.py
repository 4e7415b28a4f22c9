"""Mentoring and feedback: mentors (opted in for evidenced skills), mentorships, sessions, feedback.

Every write goes through ``services``; other apps read through ``selectors``. People are
``people.Employee`` rows; the person links are nullable only so that ``privacy.erase_data`` can detach
an erased person while the counts stay (their pseudonym is kept next to the link).
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trellis.core.models import TimeStampedModel

#: The lowest evidenced level (1 to 5, see trellis/skills) at which a person may mentor a skill.
MIN_MENTOR_LEVEL = 3
MAX_CAPACITY = 10
MAX_HOURS_PER_MONTH = 40
MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 480


class MentorProfile(TimeStampedModel):
    """An employee who opted in as a mentor: how many mentees at once, when, in which languages."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Open to mentees"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"

    employee = models.OneToOneField(
        "people.Employee", on_delete=models.CASCADE, related_name="mentor_profile"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    hours_per_month = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_MONTH)]
    )
    availability = models.CharField(
        max_length=300, blank=True, help_text="Preferred days and times, in the mentor's words"
    )
    languages = models.JSONField(default=list, blank=True, help_text="Language codes, e.g. en, de")
    bio = models.TextField(max_length=1000, blank=True, help_text="What I can help with")
    skills = models.ManyToManyField("skills.Skill", through="MentorSkill", related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="mentor_capacity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentor {self.employee_id}"


class MentorSkill(models.Model):
    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="mentor_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} mentors {self.skill_id}"


class Mentorship(TimeStampedModel):
    """A request from a mentee to a mentor for one skill, and, once accepted, the mentorship."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for an answer"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ENDED = "ended", "Ended"

    OPEN = (Status.REQUESTED, Status.ACTIVE)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentor = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentorships_given",
    )
    mentee = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentorships_received",
    )
    mentor_pseudonym = models.CharField(max_length=64, blank=True)
    mentee_pseudonym = models.CharField(max_length=64, blank=True)
    skill = models.ForeignKey("skills.Skill", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    message = models.TextField(max_length=1000, blank=True, help_text="The mentee's request")
    answer_note = models.CharField(max_length=500, blank=True, help_text="The mentor's answer")
    end_note = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee", "skill"],
                condition=models.Q(status__in=["requested", "active"]),
                name="mentorship_one_open_per_pair_skill",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentorship {self.uid}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class MentoringSession(TimeStampedModel):
    """One session of a mentorship, recorded as two xAPI statements (mentee attended, mentor mentored)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(MIN_SESSION_MINUTES),
            MaxValueValidator(MAX_SESSION_MINUTES),
        ]
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(max_length=4000, blank=True, help_text="Private to the pair")
    logged_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentee_statement_id = models.UUIDField(null=True, blank=True)
    mentor_statement_id = models.UUIDField(null=True, blank=True)
    evidence = models.ForeignKey(
        "skills.SkillEvidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The mentee's skill evidence this session recorded",
    )

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Session {self.uid}"


class FeedbackRequest(TimeStampedModel):
    """A learner asks someone (their manager or a peer) for feedback on a skill or a completed item."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    class Relation(models.TextChoices):
        MANAGER = "manager", "Manager"
        PEER = "peer", "Peer"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_asked",
    )
    giver = models.ForeignKey(
        "people.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_to_give",
    )
    learner_pseudonym = models.CharField(max_length=64, blank=True)
    giver_pseudonym = models.CharField(max_length=64, blank=True)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    skill = models.ForeignKey(
        "skills.Skill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(max_length=2000, blank=True)
    decline_note = models.CharField(max_length=500, blank=True)
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ForeignKey(
        "skills.SkillEvidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["learner", "status"]),
            models.Index(fields=["giver", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.uid}"

    @property
    def subject(self) -> str:
        if self.item_id and self.item is not None:
            return self.item.title
        return self.skill.label if self.skill_id and self.skill is not None else ""
