"""Forms parse and validate input only; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.skills.models import LEVELS, Skill


class RoleSkillForm(forms.Form):
    skill_id = forms.IntegerField(widget=forms.HiddenInput)
    target_level = forms.TypedChoiceField(label="Target level", choices=LEVELS, coerce=int)
    is_essential = forms.BooleanField(label="Essential", required=False)

    def clean_skill_id(self) -> Skill:
        skill = Skill.objects.filter(pk=self.cleaned_data["skill_id"]).first()
        if skill is None:
            raise forms.ValidationError("This skill does not exist.")
        return skill


class SelfRatingForm(forms.Form):
    """One select per skill, named ``skill_<id>``, with the skill's own ladder names."""

    def __init__(self, *args: Any, skills: list[Skill], current: dict[int, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.skills = skills
        for skill in skills:
            choices = [("", "Not rated")] + [
                (n, f"{n}: {skill.level_name(n)}") for n in range(1, 6)
            ]
            self.fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
                label=skill.label,
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                initial=current.get(skill.pk),
                error_messages={
                    "invalid_choice": "Choose a level from 1 to 5 (%(value)s is not one)."
                },
            )

    def ratings(self) -> dict[int, int]:
        return {
            int(name.removeprefix("skill_")): value
            for name, value in self.cleaned_data.items()
            if value is not None
        }
