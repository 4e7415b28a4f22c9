"""Skills: the taxonomy (ESCO, O*NET, the company's own), occupations, role profiles, evidence.

Levels are one scale everywhere: 1 awareness, 2 beginner, 3 intermediate, 4 advanced, 5 expert.
A skill family may name its own rungs of that ladder (AI literacy: aware … advanced).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trellis.core.models import TimeStampedModel

LEVELS = [(1, "Awareness"), (2, "Beginner"), (3, "Intermediate"), (4, "Advanced"), (5, "Expert")]
LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Source(models.TextChoices):
    ESCO = "esco", "ESCO"
    ONET = "onet", "O*NET"
    TRELLIS = "trellis", "Organisation"


class SkillFamily(TimeStampedModel):
    """A family of skills with its own names for the five levels (e.g. AI literacy)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    level_names = models.JSONField(default=list, help_text="Five names, level 1 to 5")
    level_descriptions = models.JSONField(
        default=list, blank=True, help_text="What each level means"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "skill families"

    def __str__(self) -> str:
        return self.name

    def level_name(self, level: int) -> str:
        if 1 <= level <= len(self.level_names):
            return str(self.level_names[level - 1])
        return dict(LEVELS).get(level, str(level))


class Skill(TimeStampedModel):
    class Kind(models.TextChoices):
        SKILL = "skill", "Skill/competence"
        KNOWLEDGE = "knowledge", "Knowledge"
        TECHNOLOGY = "technology", "Technology"
        GROUP = "group", "Skill group"

    uri = models.CharField(
        max_length=255,
        unique=True,
        help_text="Stable identifier (ESCO URI, O*NET code, or trellis:…)",
    )
    source = models.CharField(max_length=10, choices=Source.choices, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SKILL)
    label = models.CharField(max_length=300, db_index=True)
    description = models.TextField(blank=True)
    reuse_level = models.CharField(
        max_length=30, blank=True, help_text="ESCO: transversal, cross-sector, …"
    )
    code = models.CharField(max_length=30, blank=True, help_text="Hierarchy code, e.g. S1.2")
    family = models.ForeignKey(
        SkillFamily, null=True, blank=True, on_delete=models.SET_NULL, related_name="skills"
    )
    is_digital = models.BooleanField(default=False)
    is_transversal = models.BooleanField(default=False)
    is_hot_technology = models.BooleanField(default=False, help_text="O*NET hot technology")
    parents = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="children")

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    def level_name(self, level: int) -> str:
        return (
            self.family.level_name(level)
            if self.family_id and self.family
            else dict(LEVELS).get(level, str(level))
        )


class SkillLabel(models.Model):
    """Alternative labels (synonyms) of a skill, used by search."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="alt_labels")
    label = models.CharField(max_length=300, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["skill", "label"], name="skill_label_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Occupation(TimeStampedModel):
    uri = models.CharField(max_length=255, unique=True, help_text="ESCO URI or onet:<SOC code>")
    source = models.CharField(max_length=10, choices=Source.choices, db_index=True)
    code = models.CharField(
        max_length=30, blank=True, db_index=True, help_text="ESCO code or O*NET-SOC code"
    )
    isco_group = models.CharField(max_length=10, blank=True)
    label = models.CharField(max_length=300, db_index=True)
    description = models.TextField(blank=True)
    alt_labels = models.JSONField(default=list, blank=True)
    job_zone = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="O*NET job zone 1-5"
    )
    skills = models.ManyToManyField(Skill, through="OccupationSkill", related_name="occupations")

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class OccupationSkill(models.Model):
    class Relation(models.TextChoices):
        ESSENTIAL = "essential", "Essential"
        OPTIONAL = "optional", "Optional"

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="occupation_links")
    relation = models.CharField(max_length=10, choices=Relation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occupation", "skill"], name="occupation_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} → {self.skill_id} ({self.relation})"


class OccupationTask(models.Model):
    """O*NET task statements for an occupation."""

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="tasks")
    task_id = models.CharField(max_length=20)
    statement = models.TextField()
    task_type = models.CharField(max_length=20, blank=True, help_text="Core or Supplemental")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occupation", "task_id"], name="occupation_task_unique")
        ]

    def __str__(self) -> str:
        return self.statement[:80]


class RoleSkill(TimeStampedModel):
    """One line of a role profile: a skill a job role needs, at a target level."""

    class Origin(models.TextChoices):
        TAXONOMY = "taxonomy", "From the occupation"
        MANUAL = "manual", "Set by L&D"

    job_role = models.ForeignKey("people.JobRole", on_delete=models.CASCADE, related_name="profile")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="role_links")
    target_level = models.PositiveSmallIntegerField(choices=LEVELS, validators=LEVEL_VALIDATORS)
    is_essential = models.BooleanField(default=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)

    class Meta:
        ordering = ["job_role", "-is_essential", "skill__label"]
        constraints = [
            models.UniqueConstraint(fields=["job_role", "skill"], name="role_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(target_level__gte=1, target_level__lte=5),
                name="role_skill_level_range",
            ),
        ]


class SkillEvidence(TimeStampedModel):
    """Why we believe a person has a skill at a level: self-rating now; records, assessments, managers later."""

    class Kind(models.TextChoices):
        SELF = "self", "Self-rated"
        MANAGER = "manager", "Manager assessment"
        ASSESSMENT = "assessment", "Assessment"
        LEARNING = "learning", "Learning record"
        IMPORT = "import", "Imported"
        MENTORING = "mentoring", "Mentoring session"
        PEER = "peer", "Peer feedback"

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="skill_evidence"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="evidence")
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=LEVEL_VALIDATORS)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SELF)
    observed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    source_ref = models.CharField(
        max_length=255, blank=True, help_text="E.g. the statement id that produced it"
    )

    class Meta:
        ordering = ["employee", "skill", "-observed_on", "-id"]
        indexes = [models.Index(fields=["employee", "skill", "-observed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="evidence_level_range"
            ),
        ]
