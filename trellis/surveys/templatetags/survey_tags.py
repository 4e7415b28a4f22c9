from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key`` (None when missing)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def as_str(value: Any) -> str:
    return "" if value is None else str(value)


@register.filter
def percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f} %"


@register.filter
def contains(values: Any, value: Any) -> bool:
    if isinstance(values, list | tuple | set):
        return str(value) in {str(v) for v in values}
    return str(values) == str(value)
