from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from trellis.core.models import ApiToken

WEB_IMPORT_KINDS = [
    ("hris", "People (HRIS CSV)"),
    ("catalog", "Catalog items (CSV or JSON)"),
]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=WEB_IMPORT_KINDS, label="What are you importing?")
    file = forms.FileField(
        label="File", help_text="UTF-8 CSV (or JSON for the catalog). Up to 20 MB."
    )
    dry_run = forms.BooleanField(required=False, label="Check only (write nothing)")
    deactivate_missing = forms.BooleanField(
        required=False,
        label="People missing from this file have left (full export)",
        help_text="HRIS only: employees not in the file are marked as leavers.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name", help_text="What uses this token, e.g. 'HRIS sync'"
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label="Acts as",
        help_text="The token can do at most what this person's roles allow.",
    )
    scopes = forms.MultipleChoiceField(
        choices=ApiToken.SCOPES, widget=forms.CheckboxSelectMultiple, label="Scopes"
    )
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
