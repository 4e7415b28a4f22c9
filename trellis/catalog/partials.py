"""Render one ``{% partialdef %}`` of a template ("template.html#name").

The project installs django-template-partials as ``SimpleAppConfig`` (no loader wrapper), so
``render(request, "x.html#name")`` is not available; this renders the partial the same way.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.context import make_context
from django.template.loader import get_template


def render_partial(
    request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    template_name, _, partial_name = name.partition("#")
    template = get_template(template_name).template  # type: ignore[attr-defined]
    try:
        partial = template.extra_data["partials"][partial_name]
    except KeyError:
        raise TemplateDoesNotExist(name) from None
    ctx = make_context(context, request)
    with ctx.bind_template(template):
        content = partial.render(ctx)
    return HttpResponse(content, status=status)
