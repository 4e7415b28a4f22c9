"""The insights router of the JSON API (mounted at /api/v1/insights/ by config/api.py): every
dashboard's tables as JSON, scoped like the pages (L&D and executives: the organisation; managers:
their reporting line; everyone else 403). Tokens need the ``insights:read`` scope."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router

from trellis.core.api_auth import require_scope
from trellis.insights import selectors
from trellis.insights.schemas import DashboardListOut, DashboardOut, DashboardQueryIn

router = Router(tags=["insights"])

DashboardKey = Literal["planned", "learning", "skills", "readiness", "content", "personalization"]


def _scope(request: HttpRequest) -> selectors.Scope:
    require_scope(request, "insights:read")
    return selectors.scope_for(request.user)


def _json(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@router.get("/", response=list[DashboardListOut], summary="The dashboards")
def list_dashboards(request: HttpRequest) -> Any:
    _scope(request)
    return [
        {"key": k, "title": t, "url": f"/api/v1/insights/{k}"}
        for k, t in selectors.DASHBOARDS.items()
    ]


@router.get("/{key}", response=DashboardOut, summary="One dashboard's tables")
def get_dashboard(request: HttpRequest, key: DashboardKey, query: Query[DashboardQueryIn]) -> Any:
    scope = _scope(request)
    d = selectors.dashboard_for(key=key, scope=scope, params=query.dict())
    return {
        "key": d.key,
        "title": d.title,
        "scope": "organisation" if scope.org else "reporting_line",
        "headline": [{"label": label, "value": value} for label, value in d.headline],
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns],
                "rows": [{c.key: _json(r.get(c.key)) for c in t.columns} for r in t.rows],
            }
            for t in d.tables
        ],
        "notes": d.notes,
    }
