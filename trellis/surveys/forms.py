"""Forms parse input only; the services decide and write. Answers are parsed in the view from
the posted fields (``q-<key>``) and checked by ``services.response_submit``."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.surveys.models import MIN_THRESHOLD, Question, Section, Survey


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Introduction"
    )
    confidential = forms.BooleanField(
        required=False,
        initial=True,
        label="Confidential (answers are stored without any link to the person)",
    )
    anonymity_threshold = forms.IntegerField(
        initial=5,
        label="Anonymity threshold (respondents)",
        help_text=f"No result is shown for fewer people than this; at least {MIN_THRESHOLD}.",
    )
    repeat_months = forms.IntegerField(
        min_value=0, initial=0, label="Repeat every N months (0: one wave only)"
    )
    reminder_days = forms.IntegerField(
        min_value=0, initial=3, label="Remind those who have not answered N days before close"
    )

    def clean_anonymity_threshold(self) -> int:
        value = self.cleaned_data["anonymity_threshold"]
        if value < MIN_THRESHOLD:
            raise forms.ValidationError(
                f"The anonymity threshold must be at least {MIN_THRESHOLD} respondents "
                f"(you gave {value}): fewer would let people be singled out."
            )
        return int(value)

    @staticmethod
    def initial_for(survey: Survey) -> dict[str, Any]:
        return {
            "title": survey.title,
            "intro": survey.intro,
            "confidential": survey.confidential,
            "anonymity_threshold": survey.anonymity_threshold,
            "repeat_months": survey.repeat_months,
            "reminder_days": survey.reminder_days,
        }


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Section title")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Section description"
    )


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=500, label="Question")
    key = forms.CharField(
        max_length=60,
        label="Key",
        help_text="Short, stable name in results and exports, e.g. ai_comfort",
    )
    kind = forms.ChoiceField(choices=Question.Kind.choices, label="Kind of answer")
    section = forms.ModelChoiceField(
        queryset=Section.objects.none(), required=False, empty_label="No section"
    )
    required = forms.BooleanField(required=False, initial=True)
    help_text = forms.CharField(max_length=500, required=False, label="Help text")
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Choices (one per line, optionally value: Label)",
        help_text="Single and multiple choice; for a Likert scale, the five labels from 1 to 5 "
        "(empty: Strongly disagree … Strongly agree).",
    )
    min_value = forms.FloatField(required=False, label="Minimum (numbers)")
    max_value = forms.FloatField(required=False, label="Maximum (numbers)")

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = survey.sections.all()  # type: ignore[attr-defined]


class WaveForm(forms.Form):
    opens_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="Opens",
    )
    closes_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="Closes",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "The wave must close after it opens.")
        return data
