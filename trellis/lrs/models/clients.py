from __future__ import annotations

from django.conf import settings
from django.db import models


class LrsClient(models.Model):
    """Credentials of one xAPI client (HTTP Basic: key as username, secret as password).

    Only a SHA-256 hash of the secret is stored. ``user`` is set when the client acts for one person
    (their statements' authority is then a Group of the client and that person).
    """

    SCOPES = (
        ("statements/write", "Write any statement"),
        ("statements/read", "Read any statement"),
        ("statements/read/mine", "Read statements this client wrote"),
        ("state", "Read and write state documents"),
        ("define", "(Re)define activities and actors"),
        ("profile", "Read and write agent and activity profiles"),
        ("all/read", "Read everything"),
        ("all", "Everything"),
    )

    name = models.CharField(max_length=100)
    key = models.CharField(max_length=40, unique=True, help_text="The Basic-auth username")
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lrs_clients",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
