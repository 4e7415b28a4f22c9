"""Who an audience's rules select: programs, curated playlists, surveys, policies (set operations
in the database; a constant number of queries however many people match).

Semantics (also in README.md):
- a rule matches a person when **every criterion that is set** matches; within one criterion, **any**
  of its values matches (departments include their sub-departments; managers mean everyone below
  them at every level, not the manager; the hire-date window is inclusive);
- the audience is the **union** of the rules, plus the include list, minus the exclude list;
- inactive people (leavers) are never in it; a rule with no criterion set matches everyone; a
  program with no rule and an empty include list has nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Model, Q, QuerySet, Value, When

from trellis.people.models import Employee, Group

#: The many-to-many criteria of an audience rule (the others are hired_from / hired_to).
RULE_FIELDS = ("departments", "job_roles", "locations", "groups", "managers")


def audience_rules_write(rules: list[dict[str, Any]], *, create: Callable[..., Model]) -> None:
    """Check and write audience rules (a program's or a curated playlist's). Each spec: lists of
    objects under ``RULE_FIELDS`` and hired_from / hired_to dates; ``create(hired_from=…,
    hired_to=…)`` makes one rule row of the owner. Call inside the caller's transaction."""
    for spec in rules:
        unknown = set(spec) - {*RULE_FIELDS, "hired_from", "hired_to"}
        if unknown:
            raise TypeError(f"unknown rule criteria {sorted(unknown)}")
        if (
            spec.get("hired_from")
            and spec.get("hired_to")
            and spec["hired_from"] > spec["hired_to"]
        ):
            raise ValidationError({"hired_to": "The hire-date window ends before it starts."})
        rule = create(hired_from=spec.get("hired_from"), hired_to=spec.get("hired_to"))
        for name in RULE_FIELDS:
            if spec.get(name):
                getattr(rule, name).set(spec[name])


def _rule_q(rule: Any) -> Q:
    q = Q()
    dept_paths = [d.path for d in rule.departments.all()]
    if dept_paths:
        dq = Q()
        for path in dept_paths:
            dq |= Q(department__path__startswith=path)
        q &= dq
    roles = [r.pk for r in rule.job_roles.all()]
    if roles:
        q &= Q(job_role_id__in=roles)
    locations = [loc.pk for loc in rule.locations.all()]
    if locations:
        q &= Q(location_id__in=locations)
    groups = [g.pk for g in rule.groups.all()]
    if groups:
        members = Group.members.through.objects.filter(group_id__in=groups).values("employee_id")
        q &= Q(pk__in=members)
    managers = list(rule.managers.all())
    if managers:
        mq = Q()
        for m in managers:
            mq |= Q(manager_path__startswith=m.manager_path) & ~Q(pk=m.pk)
        q &= mq
    if rule.hired_from:
        q &= Q(hire_date__gte=rule.hired_from)
    if rule.hired_to:
        q &= Q(hire_date__lte=rule.hired_to)
    return q


def _owner_q(owner: Any, rules: Iterable[Any]) -> Q:
    """Who ``owner``'s ``rules`` and its ``included`` / ``excluded`` lists select (not the
    active-people condition)."""
    included = getattr(owner, "included", None)
    selected = Q(pk__in=included.values("pk")) if included is not None else Q(pk__in=[])
    for rule in rules:
        rule_q = _rule_q(rule)
        # an empty Q would vanish from an OR: a rule without criteria means everyone
        selected |= rule_q if rule_q else Q(pk__isnull=False)
    excluded = getattr(owner, "excluded", None)
    if excluded is not None:
        selected &= ~Q(pk__in=excluded.values("pk"))
    return selected


def audience_queryset(owner: Any) -> QuerySet[Employee]:
    """The active employees an audience owner's rules select: a program, a curated playlist, a
    survey, a policy (any model whose rules subclass ``AudienceRuleBase`` with
    ``related_name="rules"``). Its ``included`` / ``excluded`` people lists apply where it has them.
    """
    rules = list(
        owner.rules.prefetch_related("departments", "job_roles", "locations", "groups", "managers")
    )
    return Employee.objects.filter(is_active=True).filter(_owner_q(owner, rules))


#: Prefetch these on a queryset of audience owners before ``audiences_containing``.
AUDIENCE_PREFETCH = tuple(f"rules__{name}" for name in RULE_FIELDS)


def audiences_containing(owners: Iterable[Any], *, employee: Employee) -> set[int]:
    """The primary keys of those ``owners`` whose audience contains ``employee``: one query
    however many owners (prefetch ``AUDIENCE_PREFETCH`` on them first, or their rules are read
    once per owner). The same semantics as ``audience_queryset``, for list pages."""
    owners = list(owners)
    if not owners:
        return set()
    flags = {
        f"in_{n}": Case(
            When(_owner_q(owner, owner.rules.all()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for n, owner in enumerate(owners)
    }
    row = (
        Employee.objects.filter(pk=employee.pk, is_active=True)
        .annotate(**flags)
        .values(*flags)
        .first()
    )
    if row is None:
        return set()
    return {owner.pk for n, owner in enumerate(owners) if row[f"in_{n}"]}


def audience_ids(owner: Any, *, among: Iterable[int] | None = None) -> set[int]:
    qs = audience_queryset(owner)
    if among is not None:
        qs = qs.filter(pk__in=list(among))
    return set(qs.values_list("pk", flat=True))
