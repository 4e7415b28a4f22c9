from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from trellis.governance.models import AISystem, OwnershipArea, OwnershipAssignment, Policy
from trellis.people.models import Department, Employee, JobRole, Location


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form, each message on the field it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class EmployeeField(forms.CharField):
    """A person by HRIS id, username or email (active people only)."""

    def clean(self, value: Any) -> Employee | None:  # type: ignore[override]
        value = super().clean(value)
        if not value:
            return None
        employee = (
            Employee.objects.filter(is_active=True).filter(employee_id=value).first()
            or Employee.objects.filter(is_active=True, user__username=value).first()
            or Employee.objects.filter(is_active=True, email__iexact=value).first()
        )
        if employee is None:
            raise ValidationError(f"No active person with the id, username or email “{value}”.")
        return employee


class PolicyForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Policy.Kind.choices)
    summary = forms.CharField(max_length=300, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=Policy._meta.get_field("body").help_text,
    )
    sponsor = EmployeeField(
        label="Executive sponsor",
        help_text="HRIS id, username or email of the leader on whose behalf you publish",
    )
    due_days = forms.IntegerField(
        min_value=1, max_value=365, initial=30, label="Days to acknowledge"
    )
    reminder_days = forms.CharField(
        required=False,
        initial="7, 1",
        label="Reminders (days before the due date)",
        help_text="Comma-separated, e.g. 7, 1",
    )
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        help_text="Audience: with their sub-departments. Leave all three empty for everyone.",
    )
    job_roles = forms.ModelMultipleChoiceField(queryset=JobRole.objects.all(), required=False)
    locations = forms.ModelMultipleChoiceField(queryset=Location.objects.all(), required=False)

    def clean_reminder_days(self) -> list[int]:
        raw = self.cleaned_data.get("reminder_days") or ""
        days = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 0 < int(part) <= 90:
                raise ValidationError("Give whole numbers of days from 1 to 90, e.g. 7, 1.")
            days.append(int(part))
        return sorted(set(days), reverse=True)

    def audience_rules(self) -> list[dict[str, Any]]:
        rule = {
            name: list(self.cleaned_data[name])
            for name in ("departments", "job_roles", "locations")
            if self.cleaned_data.get(name)
        }
        return [rule]


class PublishForm(forms.Form):
    change_note = forms.CharField(
        max_length=300, required=False, label="What changed (shown with the new version)"
    )


class AreaForm(forms.Form):
    name = forms.CharField(max_length=150)
    description = forms.CharField(max_length=500, required=False)


class AssignForm(forms.Form):
    area = forms.ModelChoiceField(queryset=OwnershipArea.objects.all())
    employee = EmployeeField(label="Person", help_text="HRIS id, username or email")
    role = forms.ChoiceField(choices=OwnershipAssignment.Role.choices)


class AISystemForm(forms.Form):
    owner = EmployeeField(required=False, help_text="HRIS id, username or email")
    status = forms.ChoiceField(choices=AISystem.Status.choices)
    model_name = forms.CharField(max_length=200, required=False)
    model_version = forms.CharField(max_length=100, required=False)
    evaluated_on = forms.DateField(required=False, help_text="YYYY-MM-DD")
    limitations = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    controls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="How a learner turns it off or withdraws consent",
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, help_text="Username or name; “system” for the system")
    code = forms.CharField(required=False, label="Code starts with")
    target = forms.CharField(required=False, help_text="people.employee:42, people.employee or 42")
    date_from = forms.CharField(required=False, label="From (YYYY-MM-DD)")
    date_to = forms.CharField(required=False, label="To (YYYY-MM-DD)")
    q = forms.CharField(required=False, label="Text in the details")


class ErasureForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why (e.g. the person's request and its date). Do not write their name.",
    )
    confirm = forms.CharField(
        label="Type the person's HRIS id to confirm",
        help_text="Erasure cannot be undone.",
    )

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.employee = employee

    def clean_confirm(self) -> str:
        value = (self.cleaned_data.get("confirm") or "").strip()
        if value != self.employee.employee_id:
            raise ValidationError("This is not the person's HRIS id; nothing was erased.")
        return value
