"""Trellis's own learning events, recorded as xAPI statements through the same storage as any client's.

Each function builds one statement (actor: the employee as an mbox Agent with their name; object: the
item's activity IRI with its definition) and stores it with Trellis's own authority. The projection
then updates the learner's progress like for any other statement: there is one record of activity.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.lrs.models import Statement
from trellis.lrs.projection import item_activity_id, project_statements
from trellis.lrs.statements import statements_store

XAPI_VERSION = "1.0.3"
VIEWED = ("http://id.tincanapi.com/verb/viewed", "viewed")
LAUNCHED = ("http://adlnet.gov/expapi/verbs/launched", "launched")
COMPLETED = ("http://adlnet.gov/expapi/verbs/completed", "completed")
RATED = ("http://id.tincanapi.com/verb/rated", "rated")

#: catalog format → xAPI activity type
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "scorm": "http://adlnet.gov/expapi/activities/course",
    "cmi5": "http://adlnet.gov/expapi/activities/course",
    "video": "https://w3id.org/xapi/video/activity-type/video",
    "article": "http://activitystrea.ms/schema/1.0/article",
    "book_section": "http://id.tincanapi.com/activitytype/chapter",
    "podcast": "http://id.tincanapi.com/activitytype/podcast",
    "interactive": "http://adlnet.gov/expapi/activities/simulation",
    "live": "http://adlnet.gov/expapi/activities/meeting",
}
DEFAULT_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/media"


def trellis_authority() -> dict[str, Any]:
    """The authority of the statements Trellis records itself."""
    return {
        "objectType": "Agent",
        "name": "Trellis",
        "account": {"homePage": settings.SITE_URL, "name": "trellis"},
    }


def employee_agent(employee: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "name": employee.full_name, "mbox": f"mailto:{employee.email}"}


def item_activity(item: Any) -> dict[str, Any]:
    language = item.language or "en"
    definition: dict[str, Any] = {
        "name": {language: item.title[:500]},
        "type": ACTIVITY_TYPES.get(item.format, DEFAULT_ACTIVITY_TYPE),
    }
    if item.description:
        definition["description"] = {language: item.description[:1000]}
    if item.launch_url:
        definition["moreInfo"] = item.launch_url
    return {"objectType": "Activity", "id": item_activity_id(item), "definition": definition}


def _iso_duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def build_statement(
    *,
    employee: Any,
    item: Any,
    verb: tuple[str, str],
    result: dict[str, Any] | None = None,
    timestamp: Any = None,
) -> dict[str, Any]:
    """One xAPI statement of ``employee`` doing ``verb`` on ``item`` (no id: storage assigns it)."""
    when = timestamp or timezone.now()
    statement: dict[str, Any] = {
        "actor": employee_agent(employee),
        "verb": {"id": verb[0], "display": {"en-US": verb[1]}},
        "object": item_activity(item),
        "context": {"platform": "Trellis", "language": item.language or "en"},
        "timestamp": when.isoformat().replace("+00:00", "Z"),
    }
    if result:
        statement["result"] = result
    return statement


def _store(statement: dict[str, Any]) -> str:
    """Store through the LRS like any tool, then project at once: the page that answers the learner's
    click already shows the new progress (statements from other tools are projected by the worker)."""
    statement_id = statements_store(
        [statement], version=XAPI_VERSION, authority=trellis_authority(), project=False
    )[0]
    pks = list(Statement.objects.filter(statement_id=statement_id).values_list("pk", flat=True))
    project_statements(pks)
    return statement_id


def record_item_viewed(*, employee: Any, item: Any) -> str:
    """The learner opened the item's page. Returns the statement id."""
    return _store(build_statement(employee=employee, item=item, verb=VIEWED))


def record_item_launched(*, employee: Any, item: Any) -> str:
    """The learner opened the item itself (its launch URL)."""
    return _store(build_statement(employee=employee, item=item, verb=LAUNCHED))


def record_item_completed(*, employee: Any, item: Any, duration_seconds: int | None = None) -> str:
    """The learner marked a link, video or article item as done."""
    result: dict[str, Any] = {"completion": True}
    if duration_seconds is not None:
        if duration_seconds < 0:
            raise ValidationError({"duration_seconds": "The duration cannot be negative."})
        result["duration"] = _iso_duration(duration_seconds)
    return _store(build_statement(employee=employee, item=item, verb=COMPLETED, result=result))


def record_item_rated(*, employee: Any, item: Any, rating: int) -> str:
    """The learner rated the item from 1 to 5 stars."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Give a rating from 1 to 5."})
    result = {"score": {"raw": rating, "min": 1, "max": 5, "scaled": rating / 5}}
    return _store(build_statement(employee=employee, item=item, verb=RATED, result=result))
