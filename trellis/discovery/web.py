"""Small helpers the discovery pages share (htmx fragments, form errors from a service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


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
