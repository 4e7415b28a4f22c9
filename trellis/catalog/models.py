"""The catalog: learning items from providers, mapped to skills."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trellis.core.models import TimeStampedModel


class Provider(TimeStampedModel):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    default_license = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Item(TimeStampedModel):
    class Format(models.TextChoices):
        COURSE = "course", "Course"
        VIDEO = "video", "Video"
        ARTICLE = "article", "Article"
        PODCAST = "podcast", "Podcast"
        INTERACTIVE = "interactive", "Interactive"
        SCORM = "scorm", "SCORM package"
        CMI5 = "cmi5", "cmi5 package"
        LIVE = "live", "Live session"
        BOOK_SECTION = "book_section", "Book section"

    class Level(models.IntegerChoices):
        INTRODUCTORY = 1, "Introductory"
        BEGINNER = 2, "Beginner"
        INTERMEDIATE = 3, "Intermediate"
        ADVANCED = 4, "Advanced"
        EXPERT = 5, "Expert"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="items")
    external_id = models.CharField(
        max_length=255, help_text="The provider's id; the key for re-imports"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Full text where the provider gives it")
    format = models.CharField(max_length=20, choices=Format.choices, db_index=True)
    duration_minutes = models.PositiveIntegerField(default=0, db_index=True)
    level = models.PositiveSmallIntegerField(
        choices=Level.choices,
        default=Level.BEGINNER,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        db_index=True,
    )
    language = models.CharField(max_length=16, default="en", db_index=True)
    launch_url = models.URLField(max_length=500, blank=True)
    license = models.CharField(max_length=100, blank=True)
    attribution = models.TextField(blank=True, help_text="Shown on the item page")
    collection = models.CharField(
        max_length=300, blank=True, help_text="Book, series or course the item belongs to"
    )
    section = models.CharField(
        max_length=300, blank=True, help_text="Chapter/section within the collection"
    )
    sequence = models.PositiveIntegerField(default=0, help_text="Order within the collection")
    learning_objectives = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(default=True, db_index=True)
    skills = models.ManyToManyField("skills.Skill", through="ItemSkill", related_name="items")

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="item_provider_external_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="item_level_range"
            ),
        ]
        indexes = [models.Index(fields=["collection", "sequence"])]

    def __str__(self) -> str:
        return self.title


class ItemSkill(models.Model):
    class Origin(models.TextChoices):
        MANUAL = "manual", "Manual"
        AUTOMATIC = "automatic", "Automatic"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="item_links")
    weight = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    confidence = models.FloatField(null=True, blank=True, help_text="For automatic tags")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "skill"], name="item_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=1), name="item_skill_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} -> {self.skill_id} ({self.weight})"
