from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class PersonOut(Schema):
    employee_id: str | None
    name: str


def person(employee: Any, pseudonym: str = "") -> dict[str, Any]:
    if employee is None:
        return {"employee_id": None, "name": pseudonym or "Former colleague"}
    return {"employee_id": employee.employee_id, "name": employee.full_name}


class SkillRefOut(Schema):
    id: int
    uri: str
    label: str


class MentorshipOut(Schema):
    id: str
    role: str
    mentor: PersonOut
    mentee: PersonOut
    skill: SkillRefOut
    status: str
    message: str
    answer_note: str
    requested_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    sessions: int
    session_minutes: int


class SessionOut(Schema):
    id: str
    held_on: dt.date
    duration_minutes: int
    skill: SkillRefOut
    notes: str | None = Field(None, description="Only for the mentor and the mentee")
    xapi_statements: list[str]
    evidence_id: int | None


class ReasonOut(Schema):
    text: str
    points: int


class SuggestionOut(Schema):
    mentor: PersonOut
    department: str | None
    location: str | None
    timezone: str
    skill: SkillRefOut
    level: int
    level_name: str
    score: int
    reasons: list[ReasonOut]
    free_places: int
    can_request: bool
    hours_per_month: int
    availability: str
    languages: list[str]


class GapOut(Schema):
    skill: SkillRefOut
    current_level: int | None
    target_level: int | None
    mentors: list[SuggestionOut]


class MentorshipRequestIn(Schema):
    mentor_employee_id: str
    skill_id: int
    message: str = ""


class AnswerIn(Schema):
    accept: bool
    note: str = ""


class EndIn(Schema):
    note: str = ""


class SessionIn(Schema):
    held_on: dt.date
    duration_minutes: int
    skill_id: int | None = None
    notes: str = ""


class FeedbackOut(Schema):
    id: str
    side: str
    learner: PersonOut
    giver: PersonOut
    relation: str
    skill: SkillRefOut | None
    item_uid: str | None
    item_title: str | None
    message: str
    status: str
    rating: int | None
    comment: str
    decline_note: str
    asked_at: dt.datetime
    answered_at: dt.datetime | None
    evidence_id: int | None


class FeedbackAskIn(Schema):
    giver_employee_id: str
    skill_id: int | None = None
    item_uid: str | None = None
    message: str = ""


class FeedbackAnswerIn(Schema):
    rating: int
    comment: str


class FeedbackDeclineIn(Schema):
    note: str = ""


class MentorsPerSkillOut(Schema):
    skill_id: int
    skill: str
    uri: str
    mentors: int


class MonthOut(Schema):
    month: str
    sessions: int
    minutes: int


class SummaryOut(Schema):
    mentors: dict[str, int]
    mentors_per_skill: list[MentorsPerSkillOut]
    open_requests: int
    mentorships: dict[str, int]
    sessions_per_month: list[MonthOut]
    feedback: dict[str, int]
