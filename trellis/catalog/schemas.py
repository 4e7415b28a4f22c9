from __future__ import annotations

from uuid import UUID

from ninja import Field, Schema


class ProviderOut(Schema):
    slug: str
    name: str
    url: str
    description: str
    default_license: str


class ProviderRefOut(Schema):
    slug: str
    name: str


class ItemSkillOut(Schema):
    skill_id: int
    uri: str = Field(..., alias="skill.uri")
    label: str = Field(..., alias="skill.label")
    weight: float
    origin: str


class ItemOut(Schema):
    uid: UUID
    provider: ProviderRefOut
    external_id: str
    title: str
    description: str
    format: str
    duration_minutes: int
    level: int
    language: str
    launch_url: str
    license: str
    attribution: str
    collection: str
    section: str
    sequence: int
    is_published: bool
    skills: list[ItemSkillOut] = Field(..., alias="skill_links")


class ItemDetailOut(ItemOut):
    body: str
    learning_objectives: list[str]


class ItemQuery(Schema):
    q: str = ""
    skill: int | None = None
    format: list[str] = []
    level: list[int] = []
    duration: list[str] = []
    language: str = ""
    provider: str = ""
    sort: str = "title"


class ItemSkillIn(Schema):
    uri: str
    weight: float = 1.0


class ItemIn(Schema):
    """An item to create (POST) or replace (PUT). ``skills``, when given, replaces the manual tags."""

    provider: str
    external_id: str = ""
    title: str
    description: str = ""
    body: str = ""
    format: str
    duration_minutes: int = 0
    level: int = 2
    language: str = "en"
    launch_url: str = ""
    license: str = ""
    attribution: str = ""
    collection: str = ""
    section: str = ""
    sequence: int = 0
    learning_objectives: list[str] = []
    is_published: bool = True
    skills: list[ItemSkillIn] | None = None
