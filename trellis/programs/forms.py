"""Forms parse input only; the services decide and write."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from trellis.catalog.models import Item
from trellis.people.models import Department, Employee, Group, JobRole, Location
from trellis.programs.models import Program


def _employees(text: str) -> list[Employee]:
    ids = [v for v in re.split(r"[\s,;]+", text.strip()) if v]
    found = {e.employee_id: e for e in Employee.objects.filter(employee_id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise forms.ValidationError(f"No employee has the id(s) {', '.join(missing)}.")
    return [found[i] for i in ids]


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=200)
    objective = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    category = forms.ChoiceField(choices=Program.Category.choices)
    sponsor = forms.CharField(
        max_length=64, required=False, label="Executive sponsor (employee id)"
    )
    owner = forms.CharField(max_length=64, required=False, label="L&D owner (employee id)")
    mandatory = forms.BooleanField(required=False, initial=True)
    planned_hours = forms.DecimalField(
        label="Planned effort per learner (hours)", min_value=0, max_digits=6, decimal_places=1
    )
    pace_points = forms.CharField(
        required=False,
        label="Planned pace",
        help_text="Day after enrollment: percent completed, e.g. 30: 25, 60: 60, 90: 100. "
        "Empty: a straight line to the due date.",
    )
    due_policy = forms.ChoiceField(choices=Program.DuePolicy.choices, label="Due")
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Fixed due date"
    )
    due_days = forms.IntegerField(required=False, min_value=1, label="Days after enrollment")
    recurrence_months = forms.IntegerField(
        min_value=0, initial=0, label="Recertify every N months (0: never)"
    )
    renewal_window_days = forms.IntegerField(
        min_value=0, initial=30, label="Renewal window (days before expiry)"
    )
    reminder_days = forms.CharField(initial="7, 1", label="Reminders (days before the due date)")
    escalation_days = forms.IntegerField(
        min_value=0, initial=7, label="Tell the manager after N days overdue"
    )
    # the audience: the rules are a formset (``RuleFormSet``); these lists go with them
    include = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Always include (employee ids)",
    )
    exclude = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Always exclude (employee ids)",
    )

    def _one(self, name: str) -> Employee | None:
        value = self.cleaned_data[name].strip()
        if not value:
            return None
        found = Employee.objects.filter(employee_id=value).first()
        if found is None:
            raise forms.ValidationError(f"No employee has the id {value!r}.")
        return found

    def clean_sponsor(self) -> Employee | None:
        return self._one("sponsor")

    def clean_owner(self) -> Employee | None:
        return self._one("owner")

    def clean_include(self) -> list[Employee]:
        return _employees(self.cleaned_data["include"])

    def clean_exclude(self) -> list[Employee]:
        return _employees(self.cleaned_data["exclude"])

    def clean_pace_points(self) -> list[list[int]]:
        text = self.cleaned_data["pace_points"].strip()
        points = []
        for part in filter(None, (p.strip() for p in re.split(r"[,;\n]+", text))):
            match = re.fullmatch(r"(\d+)\s*[:=]\s*(\d+)\s*%?", part)
            if not match:
                raise forms.ValidationError(f"{part!r} is not 'day: percent' (e.g. 30: 25).")
            points.append([int(match[1]), int(match[2])])
        return points

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"]
        try:
            return sorted({int(v) for v in re.split(r"[\s,;]+", text.strip()) if v}, reverse=True)
        except ValueError:
            raise forms.ValidationError("Give whole numbers of days, e.g. 7, 1.") from None

    def program_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            k: d[k]
            for k in (
                "objective",
                "category",
                "sponsor",
                "owner",
                "mandatory",
                "planned_hours",
                "pace_points",
                "due_policy",
                "due_date",
                "due_days",
                "recurrence_months",
                "renewal_window_days",
                "reminder_days",
                "escalation_days",
            )
        }

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": program.name,
            "objective": program.objective,
            "category": program.category,
            "sponsor": program.sponsor.employee_id if program.sponsor else "",
            "owner": program.owner.employee_id if program.owner else "",
            "mandatory": program.mandatory,
            "planned_hours": program.planned_hours,
            "pace_points": ", ".join(f"{d}: {p}" for d, p in program.pace_points),
            "due_policy": program.due_policy,
            "due_date": program.due_date,
            "due_days": program.due_days,
            "recurrence_months": program.recurrence_months,
            "renewal_window_days": program.renewal_window_days,
            "reminder_days": ", ".join(str(d) for d in program.reminders),
            "escalation_days": program.escalation_days,
            "include": " ".join(program.included.values_list("employee_id", flat=True)),
            "exclude": " ".join(program.excluded.values_list("employee_id", flat=True)),
        }
        return out


class RuleForm(forms.Form):
    """One audience rule: a person matches when every criterion set here matches (any of its
    values); nothing set: everyone."""

    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.order_by("path"),
        required=False,
        help_text="With their sub-departments",
    )
    job_roles = forms.ModelMultipleChoiceField(
        queryset=JobRole.objects.order_by("title"), required=False
    )
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.order_by("name"), required=False
    )
    groups = forms.ModelMultipleChoiceField(queryset=Group.objects.order_by("name"), required=False)
    managers = forms.CharField(
        required=False,
        label="Everyone under these managers (employee ids)",
    )
    hired_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Hired from"
    )
    hired_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Hired until"
    )

    def clean_managers(self) -> list[Employee]:
        return _employees(self.cleaned_data["managers"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("hired_from"), data.get("hired_to")
        if start and end and start > end:
            self.add_error("hired_to", "The hire-date window ends before it starts.")
        return data

    def rule(self) -> dict[str, Any]:
        """The criteria set (empty: the rule selects everyone)."""
        d = self.cleaned_data
        return {k: d[k] for k in RULE_CRITERIA if d.get(k)}

    @staticmethod
    def initial_for(rule: Any) -> dict[str, Any]:
        return {
            "departments": list(rule.departments.all()),
            "job_roles": list(rule.job_roles.all()),
            "locations": list(rule.locations.all()),
            "groups": list(rule.groups.all()),
            "managers": " ".join(rule.managers.values_list("employee_id", flat=True)),
            "hired_from": rule.hired_from,
            "hired_to": rule.hired_to,
        }


RULE_CRITERIA = (
    "departments",
    "job_roles",
    "locations",
    "groups",
    "managers",
    "hired_from",
    "hired_to",
)


class BaseRuleFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def rules(self) -> list[dict[str, Any]]:
        """The criteria of each rule kept (not removed); rules with nothing set are left out."""
        return [
            rule
            for form in self.forms
            if not form.cleaned_data.get("DELETE")
            if (rule := form.rule())
        ]


RuleFormSet = forms.formset_factory(
    RuleForm, formset=BaseRuleFormSet, extra=0, can_delete=True, max_num=20, validate_max=True
)


def rule_formset(data: Any = None, *, program: Program | None = None, add: bool = False) -> Any:
    """The rules of ``program`` (or one empty rule for a new program); ``add`` appends an empty
    one (the "Add a rule" button posts the form back without saving)."""
    if data is not None:
        if add:
            data = data.copy()
            data["rules-TOTAL_FORMS"] = str(int(data.get("rules-TOTAL_FORMS") or 0) + 1)
        return RuleFormSet(data, prefix="rules")
    initial = [RuleForm.initial_for(r) for r in program.rules.all()] if program else []
    return RuleFormSet(prefix="rules", initial=initial or [{}])


class RequirementForm(forms.Form):
    item = forms.CharField(
        max_length=300,
        required=False,
        label="Catalog item (its id or exact title)",
        help_text="Leave empty for a policy acknowledgement.",
    )
    title = forms.CharField(max_length=300, required=False, label="Policy title")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Policy text"
    )
    min_score = forms.IntegerField(
        required=False, min_value=0, max_value=100, label="Minimum score (%)"
    )
    group = forms.ModelChoiceField(queryset=None, required=False, label="Elective group")

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = program.groups.all()  # type: ignore[attr-defined]

    def clean_item(self) -> Item | None:
        value = self.cleaned_data["item"].strip()
        if not value:
            return None
        qs = Item.objects.filter(uid=value) if re.fullmatch(r"[0-9a-f-]{36}", value) else None
        if qs is None or not qs.exists():
            qs = Item.objects.filter(title__iexact=value)
        if qs.count() != 1:
            raise forms.ValidationError(f"No single catalog item matches {value!r}.")
        return qs.get()


class GroupForm(forms.Form):
    name = forms.CharField(max_length=200, label="Group name")
    required_count = forms.IntegerField(min_value=1, initial=2, label="How many are needed")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)


class ExtendForm(ReasonForm):
    new_due_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="New due date"
    )


class BudgetForm(forms.Form):
    job_role = forms.ModelChoiceField(
        queryset=JobRole.objects.order_by("title"),
        required=False,
        empty_label="Every role (default)",
    )
    hours_per_quarter = forms.DecimalField(min_value=0, max_digits=6, decimal_places=1)
