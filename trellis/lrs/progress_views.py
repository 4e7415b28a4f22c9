"""The learner's side of the learning record: "My learning", and the item page's launch / done / rate.

Every action is recorded as an xAPI statement (``trellis.lrs.events``); progress then follows through
the projection, so what a learner sees here is what any report reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trellis.catalog.selectors import item_get_for_user
from trellis.lrs import events
from trellis.lrs.models import Progress
from trellis.lrs.projection import item_activity_id

DONE = {Progress.Status.COMPLETED, Progress.Status.PASSED}


def _employee(request: HttpRequest) -> Any:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404("Only employees have a learning record.")
    return employee


def progress_list_for_employee(*, employee: Any) -> list[Progress]:
    """The learner's progress rows, newest activity first, with their items (one query)."""
    return list(
        Progress.objects.filter(employee=employee)
        .select_related("item__provider")
        .order_by("-last_activity_at", "id")
    )


def learning_panel(*, user: Any, item: Any) -> dict[str, Any]:
    """Context for ``lrs/progress_item_panel.html`` on the catalog item page."""
    employee = getattr(user, "employee", None)
    progress = None
    if employee is not None:
        progress = Progress.objects.filter(
            employee=employee, activity_id=item_activity_id(item)
        ).first() or (
            Progress.objects.filter(employee=employee, item=item)
            .order_by("-last_activity_at")
            .first()
        )
    return {"item": item, "progress": progress, "can_record": employee is not None}


@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    """/learning/: the signed-in learner's own progress (nobody else's)."""
    rows = progress_list_for_employee(employee=_employee(request))
    return render(
        request,
        "lrs/progress_my_learning.html",
        {
            "nav_active": "learning",
            "sections": [
                {
                    "key": "in-progress",
                    "title": "In progress",
                    "rows": [r for r in rows if r.status not in DONE],
                    "empty": "Nothing in progress.",
                },
                {
                    "key": "completed",
                    "title": "Completed",
                    "rows": [r for r in rows if r.status in DONE],
                    "empty": "Nothing completed yet.",
                },
            ],
        },
    )


def _back(request: HttpRequest, item: Any) -> HttpResponse:
    if getattr(request, "htmx", None):
        return render(
            request,
            "lrs/progress_item_panel.html",
            {"learning": learning_panel(user=request.user, item=item), "recorded": True},
        )
    return redirect(reverse("catalog:item", args=[item.uid]))


@require_POST
def item_launch(request: HttpRequest, uid: str) -> HttpResponse:
    """Record "launched", then send the learner to the item itself."""
    item = item_get_for_user(uid=uid, user=request.user)
    events.record_item_launched(employee=_employee(request), item=item)
    if item.launch_url:
        return redirect(item.launch_url)
    return redirect(reverse("catalog:item", args=[item.uid]))


@require_POST
def item_done(request: HttpRequest, uid: str) -> HttpResponse:
    """ "Mark as done" (link, video, article items): a completed statement."""
    item = item_get_for_user(uid=uid, user=request.user)
    events.record_item_completed(employee=_employee(request), item=item)
    if not getattr(request, "htmx", None):  # htmx gets the updated panel instead
        messages.success(request, f"Marked “{item.title}” as done.")
    return _back(request, item)


@require_POST
def item_rate(request: HttpRequest, uid: str) -> HttpResponse:
    """Rate the item from 1 to 5: a rated statement."""
    item = item_get_for_user(uid=uid, user=request.user)
    employee = _employee(request)
    raw = request.POST.get("rating", "")
    try:
        events.record_item_rated(
            employee=employee, item=item, rating=int(raw) if raw.isdigit() else -1
        )
    except ValidationError:
        return HttpResponse("rating: give a rating from 1 to 5.", status=400)
    if not getattr(request, "htmx", None):
        messages.success(request, "Thanks for rating this item.")
    return _back(request, item)
