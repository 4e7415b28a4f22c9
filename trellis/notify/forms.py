from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from trellis.notify.models import NotifySettings
from trellis.notify.services import webhook_url_validate

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
QUIET_CHOICES = [("", "Organisation default"), ("on", "On"), ("off", "Off")]


class ProfileForm(forms.Form):
    quiet_hours = forms.ChoiceField(choices=QUIET_CHOICES, required=False, label="Quiet hours")
    quiet_start = forms.TimeField(
        required=False, label="Quiet from", widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        required=False, label="Quiet until", widget=forms.TimeInput(attrs={"type": "time"})
    )
    digest_weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label="Weekly digest on")
    digest_hour = forms.TypedChoiceField(
        choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int, label="at"
    )


class NotifySettingsForm(forms.ModelForm):
    # Plain text fields, validated by the service's rule (https only; the model's URLField would
    # accept ftp:// and guess a scheme).
    slack_webhook_url = forms.CharField(
        required=False,
        max_length=500,
        label="Slack webhook URL",
        help_text="An https:// incoming-webhook URL; empty turns the channel off.",
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"}),
    )
    teams_webhook_url = forms.CharField(
        required=False,
        max_length=500,
        label="Microsoft Teams webhook URL",
        help_text="An https:// incoming-webhook URL; empty turns the channel off.",
        widget=forms.URLInput(attrs={"placeholder": "https://….webhook.office.com/…"}),
    )

    class Meta:
        model = NotifySettings
        fields = [
            "daily_cap",
            "weekly_cap",
            "quiet_hours_enabled",
            "quiet_start",
            "quiet_end",
            "active_hours_enabled",
            "inactivity_days",
            "slack_webhook_url",
            "teams_webhook_url",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def _clean_webhook(self, name: str) -> str:
        try:
            return webhook_url_validate(self.cleaned_data.get(name) or "")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_slack_webhook_url(self) -> str:
        return self._clean_webhook("slack_webhook_url")

    def clean_teams_webhook_url(self) -> str:
        return self._clean_webhook("teams_webhook_url")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("daily_cap")
            and data.get("weekly_cap")
            and data["weekly_cap"] < data["daily_cap"]
        ):
            self.add_error("weekly_cap", "The weekly cap cannot be below the daily cap.")
        return data
