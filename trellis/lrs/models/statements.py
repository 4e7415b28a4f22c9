"""Statements as stored. The full statement is kept in ``data``; the columns beside it exist to index
the query parameters of GET /xapi/statements (agent, verb, activity, registration, since/until,
related_activities, related_agents) on SQLite and PostgreSQL alike.

Agents are indexed by their canonical inverse functional identifier (IFI) string, made by
``trellis.lrs.xapi.agents.agent_ifi``: ``mbox:mailto:a@b.c``, ``mbox_sha1sum:<hex>``,
``openid:<uri>``, ``account:<homePage>|<name>``.
"""

from __future__ import annotations

from django.db import models

__all__ = [
    "AttachmentContent",
    "Statement",
    "StatementActivity",
    "StatementAgent",
    "StatementRefTarget",
]


class Statement(models.Model):
    id = models.BigAutoField(primary_key=True)  # insertion order: the tie-breaker after ``stored``
    statement_id = models.UUIDField(unique=True)
    data = models.JSONField(
        help_text="The statement as stored (id, timestamp, stored, authority, version set)"
    )
    version = models.CharField(max_length=10, default="1.0.0")
    # Agent queries go through StatementAgent; the column is kept for reading and reprojection.
    actor_ifi = models.CharField(max_length=500, blank=True)
    verb_id = models.CharField(max_length=500)
    object_type = models.CharField(max_length=20, default="Activity")
    object_activity_id = models.CharField(max_length=500, blank=True)
    object_agent_ifi = models.CharField(max_length=500, blank=True)
    object_statement_ref = models.UUIDField(null=True, blank=True)
    registration = models.UUIDField(null=True, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField()
    is_voided = models.BooleanField(default=False)
    authority_ifi = models.CharField(max_length=500, blank=True)
    client = models.ForeignKey(
        "lrs.LrsClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    has_attachments = models.BooleanField(default=False)

    class Meta:
        ordering = ["-stored", "-id"]
        indexes = [
            models.Index(fields=["stored", "id"]),
            models.Index(fields=["verb_id", "stored"]),
            models.Index(fields=["object_activity_id", "stored"]),
            # Partial indexes: most statements have no StatementRef, and many no registration.
            models.Index(
                fields=["registration", "stored"],
                name="lrs_stmt_registration",
                condition=models.Q(registration__isnull=False),
            ),
            models.Index(
                fields=["object_statement_ref"],
                name="lrs_stmt_statement_ref",
                condition=models.Q(object_statement_ref__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementAgent(models.Model):
    """Every agent a statement mentions, for ``agent`` (+ ``related_agents``) queries."""

    class Relation(models.TextChoices):
        ACTOR = "actor", "Actor"
        OBJECT = "object", "Object"
        RELATED = "related", "Related (authority, context, sub-statement, group member)"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="agent_index")
    agent_ifi = models.CharField(max_length=500)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    # The statement's ``stored``, copied here so that an agent query reads the agent's newest
    # statements straight off the index and stops at the limit (instead of fetching every statement
    # of an active learner to sort them).
    stored = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["agent_ifi", "stored", "statement", "relation"], name="lrs_sag_agent_stored"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_ifi} ({self.relation})"


class StatementActivity(models.Model):
    """Every activity a statement mentions other than its object (context activities, the
    SubStatement's object), for ``related_activities`` queries. The object itself is
    ``Statement.object_activity_id``, indexed there: one index row fewer per statement."""

    class Relation(models.TextChoices):
        OBJECT = "object", "Object"  # not written since migration 0004
        RELATED = "related", "Related (context activities, sub-statement)"

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="activity_index"
    )
    activity_id = models.CharField(max_length=500)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    # The statement's ``stored``, copied here so that a related_activities query reads the newest
    # statements of an activity straight off this index and stops at the limit, instead of sorting
    # every statement that mentions a course.
    stored = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["activity_id", "stored", "statement"], name="lrs_sa_activity_stored"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} ({self.relation})"


class StatementRefTarget(models.Model):
    """The statements a StatementRef statement targets, directly or through a chain (a → b → c gives
    a: b, c). GET /statements returns a targeting statement when a statement it targets matches the
    query's filters (xAPI-Communication.md §2.1.3, "Filter Conditions for StatementRefs"). Targets are
    ids (a target may arrive after the statement that refers to it)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="ref_targets")
    target_uuid = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "target_uuid"], name="lrs_statement_ref_target_unique"
            )
        ]
        indexes = [models.Index(fields=["target_uuid"])]

    def __str__(self) -> str:
        return f"{self.statement_id} → {self.target_uuid}"


class AttachmentContent(models.Model):
    """Attachment payloads, stored once per SHA-2 hash."""

    sha2 = models.CharField(max_length=128, unique=True)
    content_type = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.sha2
