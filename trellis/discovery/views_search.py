"""Search and ask pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def discover_home(request: HttpRequest) -> HttpResponse:
    return redirect("discovery:search")


def search(request: HttpRequest) -> HttpResponse:
    return render(request, "discovery/search.html", {"nav_active": "discover"})
