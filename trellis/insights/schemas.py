"""In/Out schemas of the insights API."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema


class DashboardQueryIn(Schema):
    segment: Literal["department", "job_role", "location", "manager"] = "department"
    wave: str | None = Field(None, description="Survey wave id (AI readiness); default the latest")
    dimension: Literal["department", "job_role", "location", "role_family", "ai_literacy_level"] = (
        "department"
    )
    weeks: int = Field(12, ge=1, le=52, description="Weeks of learning time")


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]


class HeadlineOut(Schema):
    label: str
    value: str


class DashboardOut(Schema):
    key: str
    title: str
    scope: str
    headline: list[HeadlineOut]
    tables: list[TableOut]
    notes: list[str]


class DashboardListOut(Schema):
    key: str
    title: str
    url: str
