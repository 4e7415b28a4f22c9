"""What every app's pages share: rendering one htmx fragment, telling an htmx fragment request
from a page load, and putting a service's ``ValidationError`` on a form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.context import make_context
from django.template.loader import get_template


def render_partial(
    request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render one ``{% partialdef %}`` of a template, named ``"template.html#partial"``.

    The project installs django-template-partials without its loader wrapper, so
    ``render(request, "x.html#name")`` is not available; this renders the partial the same way.
    The response varies on ``HX-Request`` (one URL serves the page and its fragment)."""
    template_name, _, partial_name = name.partition("#")
    template = get_template(template_name).template  # type: ignore[attr-defined]
    try:
        partial = template.extra_data["partials"][partial_name]
    except KeyError:
        raise TemplateDoesNotExist(name) from None
    ctx = make_context(context, request)
    with ctx.bind_template(template):
        content = partial.render(ctx)
    response = HttpResponse(content, status=status)
    response["Vary"] = "HX-Request"
    return response


def is_partial(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a boosted page or a history restore)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: under its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
