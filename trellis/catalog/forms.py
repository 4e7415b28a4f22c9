from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from trellis.catalog.importers import LANGUAGE_RE
from trellis.catalog.models import Item, Provider


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:  # type: ignore[type-arg]
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ItemForm(forms.ModelForm):  # type: ignore[type-arg]
    """Every editable field of an item. Validation only; saving goes through the services."""

    learning_objectives_text = forms.CharField(
        required=False,
        label="Learning objectives",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line.",
    )

    class Meta:
        formfield_callback = _formfield
        model = Item
        fields = [
            "provider",
            "external_id",
            "title",
            "description",
            "body",
            "format",
            "duration_minutes",
            "level",
            "language",
            "launch_url",
            "license",
            "attribution",
            "collection",
            "section",
            "sequence",
            "is_published",
        ]
        labels = {
            "is_published": "Published",
            "launch_url": "Launch URL",
            "duration_minutes": "Duration (minutes)",
        }
        help_texts = {
            "external_id": "The provider's id; left empty, Trellis makes one.",
            "language": "A BCP 47 tag: en, en-GB, de…",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 8}),
            "attribution": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["external_id"].required = False
        if self.instance.pk:
            self.fields["learning_objectives_text"].initial = "\n".join(
                self.instance.learning_objectives or []
            )

    def clean_language(self) -> str:
        value = self.cleaned_data["language"].strip()
        if not LANGUAGE_RE.match(value):
            raise forms.ValidationError("Use a BCP 47 language tag such as en, en-GB or de.")
        return value

    def clean_launch_url(self) -> str:
        value = self.cleaned_data["launch_url"].strip()
        if value and not value.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Use an http or https URL.")
        return value

    def item_data(self) -> dict[str, Any]:
        """The cleaned values as the services take them (everything but the provider)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "provider"}
        text = self.cleaned_data.get("learning_objectives_text") or ""
        data["learning_objectives"] = [line.strip() for line in text.splitlines() if line.strip()]
        return data

    def _post_clean(self) -> None:
        # Do not let ModelForm write into the instance: the services do that, and validate again.
        pass


class ProviderForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        formfield_callback = _formfield
        model = Provider
        fields = ["slug", "name", "url", "description", "default_license"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"url": "Website"}


class ItemSkillForm(forms.Form):
    skill = forms.IntegerField(widget=forms.HiddenInput)
    weight = forms.FloatField(min_value=0.0, max_value=1.0, initial=1.0, label="Weight (0-1)")
