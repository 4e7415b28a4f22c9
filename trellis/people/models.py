"""People and organisation: departments (a tree), locations, job roles, employees, groups.

Trees (departments, the manager hierarchy) keep a materialised ``path`` of primary keys
("/3/17/42/", the node's own id last) so that "everything under X" is one indexed prefix query on
SQLite and PostgreSQL alike. Paths are maintained by the services in ``services.py`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from trellis.core.models import TimeStampedModel


class Department(TimeStampedModel):
    name = models.CharField(max_length=200)
    code = models.SlugField(
        max_length=100, unique=True, help_text="Stable key used by HRIS imports"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=500, db_index=True, blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Location(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    timezone = models.CharField(max_length=64, default="UTC")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRole(TimeStampedModel):
    """A job title in this organisation, linked to a taxonomy occupation (ESCO and/or O*NET)."""

    title = models.CharField(max_length=200, unique=True)
    family = models.CharField(
        max_length=100, blank=True, help_text="Job family, e.g. Technology & Data"
    )
    seniority = models.PositiveSmallIntegerField(default=2, help_text="1 entry … 5 executive")
    occupation = models.ForeignKey(
        "skills.Occupation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="job_roles",
    )
    onet_occupation = models.ForeignKey(
        "skills.Occupation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional O*NET occupation for technology skills and tasks",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Employee(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    employee_id = models.CharField(max_length=64, unique=True, help_text="The HRIS identifier")
    full_name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    job_role = models.ForeignKey(
        JobRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    manager_path = models.CharField(
        max_length=1000,
        db_index=True,
        blank=True,
        editable=False,
        help_text="Ids of the management chain from the top, ending with this employee's own id",
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    language = models.CharField(max_length=16, default="en")
    timezone = models.CharField(max_length=64, default="UTC")
    hire_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="False once the person has left")
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["is_active", "department"]),
            models.Index(fields=["job_role"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="employee_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.manager_id is not None and self.manager_id == self.pk:
            raise ValidationError({"manager": "A person cannot be their own manager."})


class Group(TimeStampedModel):
    """A named set of people (a cohort, a community, a project team) used by audiences."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Employee, blank=True, related_name="learning_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
