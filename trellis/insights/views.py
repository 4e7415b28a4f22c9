"""Insights pages: parse input, check the scope (``selectors.scope_for``: 403 for learners and
auditors), read the aggregates, render. ``?export=csv|xlsx&table=<key>`` downloads one table."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from trellis.insights import pdf, selectors
from trellis.insights.tables import Dashboard, table_csv, table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAV = [
    ("insights:home", "Overview"),
    ("insights:planned", "Planned vs actual"),
    ("insights:learning", "Mandated vs self-directed"),
    ("insights:skills", "Skills"),
    ("insights:readiness", "AI readiness"),
    ("insights:content", "Content"),
    ("insights:personalization", "Personalization"),
]


def _export(request: HttpRequest, dashboard: Dashboard) -> HttpResponse | None:
    kind = request.GET.get("export")
    if not kind:
        return None
    if kind not in {"csv", "xlsx"}:
        raise Http404("export: use csv or xlsx.")
    table = dashboard.table(request.GET.get("table", ""))
    if table is None:
        raise Http404("table: no such table on this dashboard.")
    name = f"insights-{dashboard.key}-{table.key}-{timezone.localdate().isoformat()}"
    if kind == "csv":
        response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _bad(exc: ValidationError) -> HttpResponse:
    text = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def _page(
    request: HttpRequest, key: str, template: str = "insights/dashboard.html"
) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    try:
        parsed = selectors.params_parse(request.GET.dict())
    except ValidationError as exc:
        return _bad(exc)
    dashboard = selectors.dashboard_for(key=key, scope=scope, params=parsed)
    exported = _export(request, dashboard)
    if exported is not None:
        return exported
    params = request.GET.copy()
    for name in ("export", "table"):
        params.pop(name, None)
    return render(
        request,
        template,
        {
            "d": dashboard,
            "query": params.urlencode(),
            "scope": scope,
            "subnav": NAV,
            "current": f"insights:{key}",
            "computed_at": selectors.computed_at(),
            "nav_active": "insights",
        },
    )


def home(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    return render(
        request,
        "insights/home.html",
        {
            "d": selectors.landing(scope=scope),
            "scope": scope,
            "subnav": NAV,
            "current": "insights:home",
            "computed_at": selectors.computed_at(),
            "nav_active": "insights",
        },
    )


def planned(request: HttpRequest) -> HttpResponse:
    return _page(request, "planned")


def learning(request: HttpRequest) -> HttpResponse:
    return _page(request, "learning")


def skills(request: HttpRequest) -> HttpResponse:
    return _page(request, "skills")


def readiness(request: HttpRequest) -> HttpResponse:
    return _page(request, "readiness")


def content(request: HttpRequest) -> HttpResponse:
    return _page(request, "content")


def personalization(request: HttpRequest) -> HttpResponse:
    return _page(request, "personalization")


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def program_pdf(request: HttpRequest, program_id: int) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    record = selectors.get_program_record(scope=scope, program_id=program_id)
    body = pdf.program_report(record=record, scope=scope)
    return _pdf(body, f"program-{slugify(record['program'].name)}-{timezone.localdate()}")


def readiness_pdf(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    try:
        parsed = selectors.params_parse(request.GET.dict())
    except ValidationError as exc:
        return _bad(exc)
    dashboard = selectors.readiness_view(
        scope=scope, wave_id=parsed.get("wave"), dimension=parsed["dimension"]
    )
    return _pdf(pdf.readiness_report(dashboard=dashboard), f"ai-readiness-{timezone.localdate()}")
