from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def minutes(value: int | None) -> str:
    """12 -> "12 min", 90 -> "1 h 30 min", 0 -> "-"."""
    if not value:
        return "-"
    hours, mins = divmod(int(value), 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


@register.simple_tag
def page_url(querystring: str, number: int) -> str:
    return f"?{querystring}&page={number}" if querystring else f"?page={number}"


_URL = re.compile(r"https?://[^\s<>\"']+")


@register.filter(needs_autoescape=True)
def link_urls(text: str, autoescape: bool = True) -> str:
    """Escape ``text`` and turn its http(s) URLs into links, keeping trailing punctuation outside.

    (Django's ``urlize`` drops the full stop in "(https://…/)." — attribution lines must stay intact.)
    """
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text or ""):
        url = match.group(0)
        trail = ""
        while url and url[-1] in ".,;:!?)":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            trail = url[-1] + trail
            url = url[:-1]
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html('<a href="{}" rel="noopener">{}</a>', url, url))
        parts.append(escape(trail))
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part is escaped above
