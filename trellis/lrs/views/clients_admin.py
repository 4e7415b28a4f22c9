"""LRS client credentials for L&D admins (web pages under /admin/lrs/)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trellis.core.permissions import Role, role_required
from trellis.lrs.clients import lrs_client_create, lrs_client_revoke
from trellis.lrs.models import LrsClient


class LrsClientForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name", help_text="What uses these credentials, e.g. 'Course player'"
    )
    scopes = forms.MultipleChoiceField(
        choices=LrsClient.SCOPES, widget=forms.CheckboxSelectMultiple, label="Scopes"
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label="Acts for (optional)",
        help_text="A person this client acts for: their statements' authority names them too.",
    )


def lrs_clients_for_admin() -> list[LrsClient]:
    return list(LrsClient.objects.select_related("user", "created_by").order_by("name", "id"))


@role_required(Role.LD_ADMIN)
def client_list(request: HttpRequest) -> HttpResponse:
    """List the LRS clients; create one (its secret is shown once)."""
    created: LrsClient | None = None
    secret = None
    if request.method == "POST":
        form = LrsClientForm(request.POST)
        if form.is_valid():
            created, secret = lrs_client_create(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                user=form.cleaned_data["user"],
                created_by=request.user,
            )
            form = LrsClientForm()
    else:
        form = LrsClientForm()
    context = {
        "form": form,
        "clients": lrs_clients_for_admin(),
        "created": created,
        "secret": secret,
        "endpoint": request.build_absolute_uri("/xapi/"),
        "nav_active": "admin",
    }
    return render(request, "lrs/client_list.html", context)


@role_required(Role.LD_ADMIN)
@require_POST
def client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    lrs_client = get_object_or_404(LrsClient, pk=client_id)
    lrs_client_revoke(client=lrs_client, actor=request.user)
    messages.success(request, f"LRS client {lrs_client.name} revoked.")
    return redirect("lrs_admin:client_list")
