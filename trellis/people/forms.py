"""Forms parse input only; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.people.models import Department, Employee, JobRole, Location
from trellis.people.services import valid_timezones


class EmployeeForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Name")
    email = forms.EmailField(label="Email")
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("path"), required=False, label="Department"
    )
    job_role = forms.ModelChoiceField(
        queryset=JobRole.objects.order_by("title"), required=False, label="Job role"
    )
    manager = forms.CharField(
        max_length=64,
        required=False,
        label="Manager's employee id",
        help_text="Leave empty for the top of the organisation.",
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"), required=False, label="Location"
    )
    language = forms.CharField(
        max_length=16, label="Language", help_text="A language code such as en, de or pt-BR."
    )
    timezone = forms.CharField(
        max_length=64, label="Time zone", help_text="An IANA name such as Europe/London."
    )
    hire_date = forms.DateField(
        required=False, label="Hire date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_manager(self) -> Employee | None:
        value = self.cleaned_data["manager"].strip()
        if not value:
            return None
        manager = Employee.objects.filter(employee_id=value).first()
        if manager is None:
            raise forms.ValidationError(f"No employee has the id {value!r}.")
        return manager

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if value not in valid_timezones():
            raise forms.ValidationError(
                f"Unknown time zone {value!r}; use an IANA name such as Europe/London."
            )
        return value

    @classmethod
    def initial_for(cls, employee: Employee) -> dict[str, Any]:
        return {
            "full_name": employee.full_name,
            "email": employee.email,
            "department": employee.department_id,
            "job_role": employee.job_role_id,
            "manager": employee.manager.employee_id if employee.manager_id else "",
            "location": employee.location_id,
            "language": employee.language,
            "timezone": employee.timezone,
            "hire_date": employee.hire_date,
        }


class LeaveForm(forms.Form):
    left_on = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))


class DepartmentForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    parent = forms.ModelChoiceField(
        queryset=Department.objects.order_by("path"),
        required=False,
        label="Inside",
        empty_label="(top level)",
    )


class LocationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    country = forms.CharField(
        max_length=2, required=False, label="Country", help_text="ISO code, e.g. GB"
    )
    timezone = forms.CharField(
        max_length=64,
        label="Time zone",
        initial="UTC",
        help_text="An IANA name such as Europe/London.",
    )


class GroupForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description"
    )


class GroupMembersForm(forms.Form):
    employee_ids = forms.CharField(
        label="Employee ids",
        help_text="One or more employee ids, separated by commas or spaces.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_employee_ids(self) -> list[Employee]:
        ids = [part for part in self.cleaned_data["employee_ids"].replace(",", " ").split() if part]
        found = {e.employee_id: e for e in Employee.objects.filter(employee_id__in=ids)}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise forms.ValidationError("Unknown employee id(s): " + ", ".join(unknown))
        return list(found.values())
