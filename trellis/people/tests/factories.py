from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from factory.django import DjangoModelFactory

from trellis.people.models import Department, Employee, JobRole, Location

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):  # type: ignore[misc]
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            for name in extracted:
                self.groups.add(AuthGroup.objects.get_or_create(name=name)[0])


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")
    path = ""

    @factory.post_generation
    def fix_path(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and not self.path:
            parent_path = self.parent.path if self.parent_id else "/"
            self.path = f"{parent_path}{self.pk}/"
            self.depth = parent_path.count("/") - 1
            self.save(update_fields=["path", "depth"])


class LocationFactory(DjangoModelFactory[Location]):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"City {n}")
    country = "GB"
    timezone = "Europe/London"


class JobRoleFactory(DjangoModelFactory[JobRole]):
    class Meta:
        model = JobRole
        django_get_or_create = ("title",)

    title = factory.Sequence(lambda n: f"Role {n}")
    family = "Technology & Data"


class EmployeeFactory(DjangoModelFactory[Employee]):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    full_name = factory.LazyAttribute(lambda e: f"{e.user.first_name} {e.user.last_name}")
    email = factory.LazyAttribute(lambda e: e.user.email)
    department = factory.SubFactory(DepartmentFactory)
    job_role = factory.SubFactory(JobRoleFactory)
    location = factory.SubFactory(LocationFactory)
    hire_date = dt.date(2022, 1, 10)

    @factory.post_generation
    def fix_manager_path(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            prefix = self.manager.manager_path if self.manager_id else "/"
            self.manager_path = f"{prefix}{self.pk}/"
            self.save(update_fields=["manager_path"])
