from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """The audit log is append-only: its entries are never changed or deleted from the app."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("The audit log is append-only: entries cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only: entries cannot be deleted.")


class AuditEvent(models.Model):
    """One entry of the append-only audit log. Written by services, never edited: saving an existing
    entry, deleting one, or ``update()`` / ``delete()`` on a queryset raise ``AppendOnlyError``."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField(
        max_length=100, db_index=True, help_text="Dotted code, e.g. trellis.people.imported"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None or kwargs.get("update_fields"):
            raise AppendOnlyError("The audit log is append-only: entries cannot be updated.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only: entries cannot be deleted.")


class ApiToken(models.Model):
    """A bearer token for integrations. Only a SHA-256 hash of the secret is stored.

    A token acts as its ``user``: what it may do is the intersection of the user's roles and
    the token's scopes.
    """

    SCOPES = (
        ("people:read", "Read people and organisation"),
        ("people:write", "Import and change people"),
        ("skills:read", "Read skills, occupations and role profiles"),
        ("skills:write", "Change role profiles and skill evidence"),
        ("catalog:read", "Read the catalog"),
        ("catalog:write", "Import and change catalog items"),
        ("programs:read", "Read programs, enrollments and planned vs actual"),
        ("notifications:read", "Read my notifications and notification settings"),
        ("notifications:write", "Mark my notifications read and change my notification settings"),
        ("discovery:read", "Search, ask, and read recommendations, paths and playlists"),
        ("discovery:write", "Change paths, playlists and personalization settings"),
        ("surveys:read", "Read surveys and their (anonymity-protected) results"),
        ("surveys:write", "Answer surveys; build and schedule them (L&D)"),
        ("insights:read", "Read the insights dashboards' tables"),
        ("governance:read", "Read AI policies, ownership and the AI systems inventory"),
        ("governance:write", "Acknowledge policies; manage governance (L&D)"),
        ("mentoring:read", "Read my mentorships and feedback"),
        ("mentoring:write", "Request, accept, log mentoring sessions; ask for and give feedback"),
        ("privacy:export", "Download the data Trellis holds about me"),
    )

    name = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=12, unique=True, help_text="Shown to identify the token")
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ImportRun(models.Model):
    """The record of one import (file, kind, who, outcome and its full report)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected (nothing written)"
        DRY_RUN = "dry_run", "Checked only"

    kind = models.CharField(max_length=30)
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    duration_ms = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} {self.status}"


class DemoStep(models.Model):
    """Which steps of the demo builder have run, so ``trellis demo`` is idempotent."""

    name = models.CharField(max_length=100, unique=True)
    version = models.PositiveIntegerField(default=1)
    finished_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name


class PeriodicJob(models.Model):
    """When each periodic job of ``trellis.core.scheduler`` is next due. A worker enqueues a job
    only after moving ``next_run_at`` forward with a conditional update, so two workers never
    enqueue the same run twice."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
