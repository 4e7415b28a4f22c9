"""Notification pages: the inbox (htmx, works without JavaScript), notification settings, the
delivery log, the one-click unsubscribe page, and L&D's settings and failed deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from trellis.core.permissions import Role, role_required
from trellis.core.web import render_partial
from trellis.governance.services import personal_data_viewed
from trellis.notify import selectors, services
from trellis.notify.channels.email import unsubscribe_token_read
from trellis.notify.forms import NotifySettingsForm, ProfileForm
from trellis.notify.models import Category, Channel, Delivery
from trellis.people.models import Employee

PAGE_SIZE = 30


def _me(request: HttpRequest) -> Employee:
    employee = getattr(request.user, "employee", None) if request.user.is_authenticated else None
    if employee is None:
        raise Http404("You have no employee record.")
    return employee


def _inbox_context(request: HttpRequest, employee: Employee) -> dict[str, Any]:
    show = request.GET.get("show", "")
    qs = selectors.inbox_for(employee=employee, unread_only=show == "unread")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "show": show,
        "unread": selectors.unread_count(employee=employee),
        "nav_active": "inbox",
    }


def inbox(request: HttpRequest) -> HttpResponse:
    employee = _me(request)
    context = _inbox_context(request, employee)
    if request.htmx:
        response = render_partial(request, "notify/inbox.html#inbox", context)
    else:
        response = render(request, "notify/inbox.html", context)
    response["Vary"] = "HX-Request"
    return response


def _after_change(request: HttpRequest, employee: Employee) -> HttpResponse:
    if request.htmx:
        context = _inbox_context(request, employee)
        response = render_partial(request, "notify/inbox.html#inbox", context)
        # The header badge is updated out of band (hx-swap-oob) in the same response.
        response.write(
            render_to_string(
                "notify/_badge.html",
                {"unread_notifications": context["unread"], "oob": True, "nav_active": "inbox"},
                request=request,
            )
        )
        return response
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notify:inbox")


@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    employee = _me(request)
    notification = selectors.get_notification_for_employee(
        employee=employee, notification_id=notification_id
    )
    services.notification_mark_read(notification=notification)
    return _after_change(request, employee)


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    employee = _me(request)
    count = services.notifications_mark_all_read(employee=employee)
    if not request.htmx and count:
        messages.success(
            request, f"Marked {count} notification{'s' if count != 1 else ''} as read."
        )
    return _after_change(request, employee)


def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Open a notification: mark it read and go where it points (GET is safe to repeat)."""
    employee = _me(request)
    notification = selectors.get_notification_for_employee(
        employee=employee, notification_id=notification_id
    )
    services.notification_mark_read(notification=notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notify:inbox")


def preferences(request: HttpRequest) -> HttpResponse:
    employee = _me(request)
    profile = selectors.notification_profile_get(employee=employee)
    org = selectors.notify_settings_get()
    initial = {
        "quiet_hours": ""
        if profile.quiet_hours_enabled is None
        else ("on" if profile.quiet_hours_enabled else "off"),
        "quiet_start": profile.quiet_start,
        "quiet_end": profile.quiet_end,
        "digest_weekday": profile.digest_weekday,
        "digest_hour": profile.digest_hour,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        enabled = {
            (category, channel)
            for category in Category.values
            for channel in Channel.values
            if request.POST.get(f"pref-{category}-{channel}")
        }
        services.preferences_update(employee=employee, enabled=enabled)
        quiet = form.cleaned_data["quiet_hours"]
        services.notification_profile_update(
            employee=employee,
            quiet_hours_enabled=None if quiet == "" else quiet == "on",
            quiet_start=form.cleaned_data["quiet_start"],
            quiet_end=form.cleaned_data["quiet_end"],
            digest_weekday=form.cleaned_data["digest_weekday"],
            digest_hour=form.cleaned_data["digest_hour"],
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notify:settings")
    context = {
        "form": form,
        "matrix": selectors.preference_matrix(employee=employee),
        "channels": list(Channel),
        "org": org,
        "employee": employee,
        "nav_active": "inbox",
    }
    return render(request, "notify/settings.html", context)


def delivery_log(request: HttpRequest, employee_id: str | None = None) -> HttpResponse:
    subject = selectors.delivery_log_subject_for_user(user=request.user, employee_id=employee_id)
    personal_data_viewed(actor=request.user, employee=subject, what="notification delivery log")
    page = Paginator(selectors.delivery_log(employee=subject), 50).get_page(request.GET.get("page"))
    me = getattr(request.user, "employee", None)
    context = {
        "subject": subject,
        "is_me": me is not None and me.pk == subject.pk,
        "page": page,
        "nav_active": "inbox",
    }
    return render(request, "notify/log.html", context)


@login_not_required
@csrf_exempt  # the signed token authenticates; mail clients POST without a session (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = unsubscribe_token_read(token)
        employee = Employee.objects.get(pk=data["e"])
        category = Category(data["c"])
        channel = Channel(data["ch"])
    except (signing.BadSignature, Employee.DoesNotExist, ValueError):
        return render(request, "notify/unsubscribe.html", {"invalid": True}, status=400)
    context: dict[str, Any] = {
        "employee": employee,
        "category": category,
        "channel": channel,
        "mandatory": bool(data["m"]),
        "done": False,
    }
    if request.method == "POST":
        if context["mandatory"]:
            return render(request, "notify/unsubscribe.html", context, status=400)
        services.unsubscribe(employee=employee, category=category.value, channel=channel.value)
        context["done"] = True
    return render(request, "notify/unsubscribe.html", context)


@role_required(Role.LD_ADMIN)
def org_settings(request: HttpRequest) -> HttpResponse:
    org = selectors.notify_settings_get()
    form = NotifySettingsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        services.notify_settings_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, "Notification settings saved.")
        return redirect("notify:org_settings")
    org.refresh_from_db()
    return render(
        request, "notify/org_settings.html", {"form": form, "nav_active": "admin", "org": org}
    )


@role_required(Role.LD_ADMIN)
def failed_deliveries(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.deliveries_failed(), 50).get_page(request.GET.get("page"))
    return render(request, "notify/failed.html", {"page": page, "nav_active": "admin"})


@role_required(Role.LD_ADMIN)
@require_POST
def retry_delivery(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=delivery_id, status=Delivery.Status.FAILED)
    services.delivery_retry(delivery=delivery, actor=request.user)
    messages.success(request, "The delivery is queued again.")
    return redirect("notify:failed")
