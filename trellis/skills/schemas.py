from __future__ import annotations

from datetime import date

from ninja import Field, Schema


class SkillOut(Schema):
    id: int
    uri: str
    label: str
    source: str
    kind: str
    family: str | None = Field(None, description="Slug of the skill family, e.g. ai-literacy")
    reuse_level: str
    is_digital: bool
    is_transversal: bool
    is_hot_technology: bool

    @staticmethod
    def resolve_family(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.family.slug if obj.family_id else None


class SkillRefOut(Schema):
    id: int
    uri: str
    label: str


class SkillDetailOut(SkillOut):
    description: str
    code: str
    alt_labels: list[str]
    parents: list[SkillRefOut]
    children: list[SkillRefOut]
    level_names: list[str]

    @staticmethod
    def resolve_alt_labels(obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [label.label for label in obj.alt_labels.all()]

    @staticmethod
    def resolve_parents(obj) -> list[SkillRefOut]:  # type: ignore[no-untyped-def]
        return [SkillRefOut(id=p.pk, uri=p.uri, label=p.label) for p in obj.parents.all()]

    @staticmethod
    def resolve_children(obj) -> list[SkillRefOut]:  # type: ignore[no-untyped-def]
        return [SkillRefOut(id=c.pk, uri=c.uri, label=c.label) for c in obj.children.all()]

    @staticmethod
    def resolve_level_names(obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [obj.level_name(n) for n in range(1, 6)]


class OccupationOut(Schema):
    id: int
    uri: str
    source: str
    code: str
    isco_group: str
    label: str
    job_zone: int | None


class RoleSkillOut(Schema):
    skill: SkillRefOut
    target_level: int
    is_essential: bool
    origin: str

    @staticmethod
    def resolve_skill(obj) -> SkillRefOut:  # type: ignore[no-untyped-def]
        return SkillRefOut(id=obj.skill.pk, uri=obj.skill.uri, label=obj.skill.label)


class RoleSkillIn(Schema):
    target_level: int = Field(..., ge=1, le=5, description="1 awareness … 5 expert")
    is_essential: bool = True


class SkillLineOut(Schema):
    skill_id: int
    uri: str
    label: str
    family: str | None
    target_level: int | None
    current_level: int | None
    level_name: str
    evidence_kind: str | None
    observed_on: date | None
    is_essential: bool
    gap: int


class EmployeeSkillProfileOut(Schema):
    employee_id: str
    role_lines: list[SkillLineOut]
    other_lines: list[SkillLineOut]
    ai_literacy: list[SkillLineOut]
    ai_literacy_level: int | None
    ai_literacy_level_name: str | None
    ai_level_names: list[str]
