"""What personalises a learner's "For you" feed, and what the feed showed them.

- ``ConsentRecord``: append-only, one row per decision on one signal (granted or withdrawn), with the
  date and the version of the consent text the learner saw. The latest row per signal is in force.
- ``PersonalizationSettings``: personalization on/off, the target role, preferred formats, and when
  the learner last reset their history.
- ``LearnerInterest`` / ``LearnerTargetSkill``: skills the learner said they care about or aim for.
- ``RecommendationFeedback``: "not for me", "more like this", "dismissed".
- ``RecommendationImpression``: one row per learner, item and day the item was shown in the feed
  (insert-or-ignore, so reloading the page costs nothing more); acceptance is read from the learning
  records (the learner opened or finished the item after seeing it), never written separately.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = [
    "ConsentRecord",
    "LearnerInterest",
    "LearnerTargetSkill",
    "PersonalizationSettings",
    "RecommendationFeedback",
    "RecommendationImpression",
    "Signal",
]


class Signal(models.TextChoices):
    HR_DATA = "hr_data", "HR data (your role, department and location)"
    ACTIVITY = "activity", "Your learning activity (what you opened and finished)"
    SKILLS = "skills", "Your skills profile (ratings and assessments)"
    SURVEYS = "surveys", "Your survey answers"


class ConsentRecord(models.Model):
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="personalization_consents"
    )
    signal = models.CharField(max_length=20, choices=Signal.choices)
    granted = models.BooleanField()
    version = models.CharField(max_length=20, help_text="Version of the consent text shown")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["employee", "signal", "-recorded_at"])]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.employee_id} {self.signal} {state} ({self.version})"


class PersonalizationSettings(models.Model):
    employee = models.OneToOneField(
        "people.Employee", on_delete=models.CASCADE, related_name="personalization"
    )
    enabled = models.BooleanField(default=True)
    target_role = models.ForeignKey(
        "people.JobRole", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preferred_formats = models.JSONField(default=list, blank=True)
    history_reset_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "personalization settings"

    def __str__(self) -> str:
        return f"{self.employee_id} personalization {'on' if self.enabled else 'off'}"


class LearnerInterest(models.Model):
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="learning_interests"
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["skill__label"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "skill"], name="learner_interest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} likes {self.skill_id}"


class LearnerTargetSkill(models.Model):
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="learning_targets"
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["skill__label"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "skill"], name="learner_target_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="learner_target_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} aims at {self.skill_id} level {self.level}"


class RecommendationFeedback(models.Model):
    class Kind(models.TextChoices):
        NOT_FOR_ME = "not_for_me", "Not for me"
        MORE_LIKE_THIS = "more_like_this", "More like this"
        DISMISSED = "dismissed", "Dismissed"

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="recommendation_feedback"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "item", "kind"], name="recommendation_feedback_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.kind} {self.item_id}"


class RecommendationImpression(models.Model):
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="recommendation_impressions"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    shown_on = models.DateField()
    position = models.PositiveSmallIntegerField()
    personalised = models.BooleanField()
    high_quality = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "item", "shown_on"], name="recommendation_impression_unique"
            )
        ]
        indexes = [models.Index(fields=["shown_on"])]

    def __str__(self) -> str:
        return f"{self.employee_id} saw {self.item_id} on {self.shown_on}"
