"""Notifications: what was said to whom (``Notification``), how it travels (``Delivery`` per channel),
what each person wants (``Preference``, ``NotificationProfile``) and the organisation's rules
(``NotifySettings``). State changes go through ``services.py``; reads through ``selectors.py``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models


class Category(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Overdue in your team"
    NUDGE = "nudge", "Nudges"  # manager nudges and inactivity nudges
    NEW_CONTENT = "new_content", "New content for your interests"
    DIGEST = "digest", "Weekly digest"
    PROGRAM_LAUNCHED = "program_launched", "Program launched"
    SURVEY = "survey", "Surveys to answer"
    POLICY = "policy", "AI policies to acknowledge"
    MENTORING = "mentoring", "Mentoring and feedback"


#: Categories that are not urgent: sent at the person's most active hour when the org enables it.
NON_URGENT = frozenset({Category.DIGEST, Category.NEW_CONTENT, Category.NUDGE})


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


#: Channels on unless the person turns them off; webhooks are opt-in.
DEFAULT_ON = frozenset({Channel.IN_APP, Channel.EMAIL})
#: Channels a mandatory notice always uses, whatever the preferences.
MANDATORY_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
#: Channels that push to the person (quiet hours, caps and active hours apply to these).
PUSH_CHANNELS = frozenset({Channel.EMAIL, Channel.SLACK, Channel.TEAMS})


class NotifySettings(models.Model):
    """The organisation's notification rules (one row, pk=1; edited by L&D admins)."""

    daily_cap = models.PositiveSmallIntegerField(
        default=5,
        help_text="Most notifications pushed to one person per day (in their time zone); "
        "the rest wait for the next digest",
    )
    weekly_cap = models.PositiveSmallIntegerField(
        default=15, help_text="Most notifications pushed to one person per week (Monday to Sunday)"
    )
    quiet_hours_enabled = models.BooleanField(
        default=True, help_text="Default for people who have not chosen"
    )
    quiet_start = models.TimeField(default=dt.time(20, 0))
    quiet_end = models.TimeField(default=dt.time(8, 0))
    active_hours_enabled = models.BooleanField(
        default=False,
        help_text="Send digests, nudges and new-content notices at each person's most active hour "
        "(from their learning records)",
    )
    inactivity_days = models.PositiveSmallIntegerField(
        default=14, help_text="Nudge a learner after this many days without learning activity"
    )
    slack_webhook_url = models.URLField(max_length=500, blank=True)
    teams_webhook_url = models.URLField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return "Notification settings"


class NotificationProfile(models.Model):
    """One person's notification choices beyond per-category preferences."""

    employee = models.OneToOneField(
        "people.Employee", on_delete=models.CASCADE, related_name="notification_profile"
    )
    quiet_hours_enabled = models.BooleanField(
        null=True, blank=True, help_text="Empty: the organisation's default"
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        default=0, help_text="0 Monday … 6 Sunday, in the person's time zone"
    )
    digest_hour = models.PositiveSmallIntegerField(default=8)
    active_hour = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Local hour with most learning activity (computed from learning records)",
    )
    active_hour_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_weekday__lte=6), name="notify_profile_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="notify_profile_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"Notification profile of {self.employee_id}"


class Preference(models.Model):
    """Whether a person wants one category on one channel (no row: the channel's default)."""

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "category", "channel"], name="notify_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.category}/{self.channel}={self.enabled}"


class Notification(models.Model):
    """One thing said to one person. ``key`` makes sending idempotent."""

    recipient = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="notifications"
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    key = models.CharField(max_length=255, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    mandatory = models.BooleanField(default=False)
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    in_inbox = models.BooleanField(default=True, help_text="Shown in the in-app inbox")
    read_at = models.DateTimeField(null=True, blank=True)
    counts_to_cap = models.BooleanField(
        default=False, help_text="Was pushed within the day/week cap (counts toward it)"
    )
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batched",
        help_text="The digest that carried this notification when it was held by the cap",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "in_inbox", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient", "counts_to_cap", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One notification on one channel: planned, claimed by one dispatcher, sent or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        HELD = "held", "Held for the digest"
        BATCHED = "batched", "Sent in a digest"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    reason = models.CharField(
        max_length=100, blank=True, help_text="Why it was planned for then (quiet hours, cap, …)"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notify_delivery_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["claim"]),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel} {self.status}"
