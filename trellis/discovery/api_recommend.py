"""Recommendations API (/api/v1/recommendations/): the signed-in person's own "For you" feed.

Only ever the caller's own feed (a token acts as its user); tokens need the ``discovery:read`` scope.
The same consent and settings apply as on the page, and the items returned count as shown.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from trellis.core.api_auth import require_scope
from trellis.discovery.recommendations import recommendations_for
from trellis.people.selectors import employee_for_user

router = Router(tags=["recommendations"])


class ReasonOut(Schema):
    signal: str
    text: str
    weight: float


class RecommendationOut(Schema):
    item_id: int
    uid: str
    title: str
    format: str
    level: int
    url: str
    high_quality: bool
    reasons: list[ReasonOut]
    signals: dict[str, float]


class FeedOut(Schema):
    personalised: bool
    items: list[RecommendationOut]
    sources_used: list[str]
    sources_not_used: list[str]


@router.get("/", response=FeedOut)
def feed(request: HttpRequest, limit: int = 10) -> FeedOut:
    require_scope(request, "discovery:read")
    employee = employee_for_user(request.user)
    if employee is None:
        raise Http404("Recommendations are for people with an employee record.")
    result = recommendations_for(employee=employee, limit=max(1, min(limit, 50)))
    return FeedOut(
        personalised=result.personalised,
        items=[
            RecommendationOut(
                item_id=e.item.pk,
                uid=str(e.item.uid),
                title=e.item.title,
                format=e.item.format,
                level=e.item.level,
                url=f"/catalog/item/{e.item.uid}/",
                high_quality=e.high_quality,
                reasons=[
                    ReasonOut(signal=r.signal, text=r.text, weight=r.weight) for r in e.reasons
                ],
                signals=e.signals,
            )
            for e in result.entries
        ],
        sources_used=result.sources.used,
        sources_not_used=result.sources.not_used,
    )
