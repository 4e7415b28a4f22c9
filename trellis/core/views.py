from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from trellis.core.forms import ApiTokenForm, ImportUploadForm
from trellis.core.importing import run_import
from trellis.core.models import ApiToken, ImportRun
from trellis.core.permissions import Role, role_required, roles_for
from trellis.core.services import api_token_create, api_token_revoke


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def home(request: HttpRequest) -> HttpResponse:
    from trellis.people.selectors import employee_home_summary

    roles = roles_for(request.user)
    context: dict[str, Any] = {
        "nav_active": "home",
        "summary": employee_home_summary(user=request.user),
    }
    context["show_admin"] = Role.LD_ADMIN in roles
    return render(request, "core/home.html", context)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


@role_required(Role.LD_ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    context = {
        "nav_active": "admin",
        "recent_imports": ImportRun.objects.select_related("actor")[:10],
        "token_count": ApiToken.objects.filter(revoked_at__isnull=True).count(),
    }
    return render(request, "core/admin_home.html", context)


@role_required(Role.LD_ADMIN)
def import_upload(request: HttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            kind = form.cleaned_data["kind"]
            options: dict[str, Any] = {}
            if kind == "hris":
                options["deactivate_missing"] = form.cleaned_data["deactivate_missing"]
            if kind == "catalog":
                options["filename"] = upload.name
            report = run_import(
                kind,
                upload,
                actor=request.user,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                **options,
            )
            run_id = report.details["import_run_id"]
            if report.ok:
                messages.success(
                    request,
                    "Import checked: nothing was written."
                    if form.cleaned_data["dry_run"]
                    else "Import applied.",
                )
            else:
                messages.error(
                    request, f"The file has {len(report.errors)} error(s); nothing was imported."
                )
            return redirect("core:import_detail", run_id=run_id)
    else:
        form = ImportUploadForm()
    runs = ImportRun.objects.select_related("actor")[:20]
    return render(
        request,
        "core/import_upload.html",
        {"form": form, "runs": runs, "report": report, "nav_active": "admin"},
    )


@role_required(Role.LD_ADMIN, Role.AUDITOR)
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("actor"), pk=run_id)
    return render(request, "core/import_detail.html", {"run": run, "nav_active": "admin"})


@role_required(Role.LD_ADMIN)
def token_list(request: HttpRequest) -> HttpResponse:
    secret = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, secret = api_token_create(
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
                expires_at=form.cleaned_data["expires_at"],
            )
            form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    tokens = ApiToken.objects.select_related("user", "created_by")
    context = {
        "form": form,
        "tokens": tokens,
        "secret": secret,
        "nav_active": "admin",
        "now": timezone.now(),
    }
    return render(request, "core/token_list.html", context)


@role_required(Role.LD_ADMIN)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("core:token_list")


@role_required(Role.LD_ADMIN, Role.AUDITOR)
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log moved to AI governance (search, before/after, CSV export); old links follow."""
    target = reverse("governance:audit")
    code = request.GET.get("code", "").strip()
    return redirect(f"{target}?{urlencode({'code': code})}" if code else target, permanent=True)
