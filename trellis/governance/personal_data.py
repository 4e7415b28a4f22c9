"""Personal data: export everything Trellis holds about a person, and erase it.

Every installed app may have a ``privacy`` module (``trellis/<app>/privacy.py``) with:

    export_data(*, employee) -> dict          # JSON-serialisable: what this app holds about them
    erase_data(*, employee, pseudonym: str) -> dict[str, int]   # what it changed, as counts

``privacy_modules()`` finds them (``<app config name>.privacy`` for every installed app, in the
order of ``INSTALLED_APPS``). The export gathers every module's part under its app label. Erasure
calls every module with the same pseudonym, the people app last (the others still need the
person's email and username to find their records), then sweeps what is left: every text column
of every model (CharField, TextField, JSONField) is searched for the person's identifiers and each
one found is replaced by the pseudonym (``residual_scrub``); the LRS's statement tables are left to
``trellis.lrs.privacy``, which finds the person's statements through the agent index.

Identifiers: full name, email(s), the SHA-1 of their ``mailto:`` IRI (xAPI ``mbox_sha1sum``), and the
username and HRIS id. The username and HRIS id are matched as whole words, and only when they are
distinctive (6 characters or more, or 4 or more with a digit), so that erasing "sam" does not
rewrite every "sam" in other people's text."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.people.models import Employee

#: Tables ``trellis.lrs.privacy`` handles itself (too large to scan; found through the agent index).
SWEEP_SKIP = frozenset(
    {
        "lrs.statement",
        "lrs.statementagent",
        "lrs.statementactivity",
        "lrs.statementreftarget",
        "lrs.document",
        "lrs.attachmentcontent",
    }
)
ERASED_DOMAIN = "erased.invalid"
FORMAT = "trellis-personal-data/1"


def privacy_modules() -> list[tuple[str, ModuleType]]:
    """``(app label, module)`` of every installed app that has a ``privacy`` module."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.privacy"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        if hasattr(module, "export_data") or hasattr(module, "erase_data"):
            found.append((config.label, module))
    return found


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def personal_data_export(*, employee: Employee, actor: Any) -> dict[str, Any]:
    """Everything Trellis holds about ``employee``, as one JSON-serialisable dict. Audited: the
    person's own download as ``trellis.privacy.exported``; someone else's also as
    ``trellis.privacy.viewed`` (what: "data export")."""
    from trellis.governance.services import personal_data_viewed

    sections: dict[str, Any] = {}
    for label, module in privacy_modules():
        export = getattr(module, "export_data", None)
        if export is not None:
            sections[label] = _json_safe(export(employee=employee))
    personal_data_viewed(actor=actor, employee=employee, what="data export")
    audit_log(
        actor=actor,
        code="trellis.privacy.exported",
        target=employee,
        data={"employee": employee.pk, "sections": sorted(sections)},
    )
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "person": employee.employee_id,
        "sections": sections,
    }


# --- identifiers and the sweep ---------------------------------------------------------------------


def _sha1_mailto(email: str) -> str:
    return hashlib.sha1(f"mailto:{email}".encode(), usedforsecurity=False).hexdigest()


def _distinctive(token: str) -> bool:
    return len(token) >= 6 or (len(token) >= 4 and any(c.isdigit() for c in token))


@dataclass
class Identifiers:
    """What identifies a person in text: ``phrases`` are replaced wherever they occur (case
    insensitive), ``tokens`` only as whole words."""

    phrases: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, employee: Employee) -> Identifiers:
        user = employee.user
        emails = {e for e in (employee.email, user.email) if e}
        phrases = {employee.full_name.strip(), user.get_full_name().strip()}
        for email in emails:
            phrases |= {email, _sha1_mailto(email), _sha1_mailto(email.lower())}
        tokens = {t for t in (user.username, employee.employee_id) if t and _distinctive(t)}
        phrases = {p for p in phrases if len(p) >= 3}
        # JSON text on SQLite escapes non-ASCII characters: look for that spelling too.
        phrases |= {json.dumps(p)[1:-1] for p in phrases if not p.isascii()}
        return cls(phrases=sorted(phrases, key=len, reverse=True), tokens=sorted(tokens))

    def all_terms(self) -> list[str]:
        return [*self.phrases, *self.tokens]

    def pattern(self) -> re.Pattern[str]:
        parts = [re.escape(p) for p in self.phrases]
        parts += [rf"(?<![\w.]){re.escape(t)}(?![\w])" for t in self.tokens]
        return re.compile("|".join(parts), re.IGNORECASE)


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def _replace(value: Any, pattern: re.Pattern[str], pseudonym: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(pseudonym, value)
    if isinstance(value, list):
        return [_replace(v, pattern, pseudonym) for v in value]
    if isinstance(value, dict):
        return {
            _replace(k, pattern, pseudonym): _replace(v, pattern, pseudonym)
            for k, v in value.items()
        }
    return value


def identifying_values(
    identifiers: Identifiers, *, skip: Iterable[str] = ()
) -> list[tuple[type[models.Model], Any, str, Any]]:
    """Every ``(model, pk, field name, value)`` whose text still identifies the person: the SQL
    pre-filter is a case-insensitive ``LIKE`` per term, the Python check the exact pattern."""
    skip = set(skip)
    terms = identifiers.all_terms()
    pattern = identifiers.pattern()
    found: list[tuple[type[models.Model], Any, str, Any]] = []
    if not terms:
        return found
    for model in apps.get_models():
        if model._meta.label_lower in skip or not model._meta.managed or model._meta.proxy:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        query = models.Q()
        for f in fields:
            for term in terms:
                query |= models.Q(**{f"{f.name}__icontains": term})
        names = [f.name for f in fields]
        for row in model._base_manager.filter(query).values("pk", *names):
            for name in names:
                value = row[name]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if value is not None and pattern.search(text or ""):
                    found.append((model, row["pk"], name, value))
    return found


def residual_scrub(identifiers: Identifiers, *, pseudonym: str) -> int:
    """Replace the identifiers left anywhere (outside ``SWEEP_SKIP``) by the pseudonym; returns how
    many values changed. The audit log is append-only for the app; this is its one redaction, done
    in SQL so that no ORM path to change an entry exists."""
    from trellis.core.models import AuditEvent

    pattern = identifiers.pattern()
    changed = 0
    for model, pk, name, value in identifying_values(identifiers, skip=SWEEP_SKIP):
        new = _replace(value, pattern, pseudonym)
        if new == value:
            continue
        if model is AuditEvent:
            f = next(x for x in AuditEvent._meta.concrete_fields if x.name == name)
            table, column = AuditEvent._meta.db_table, str(f.column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {connection.ops.quote_name(table)} SET "  # noqa: S608 - names from the model
                    f"{connection.ops.quote_name(column)} = %s WHERE id = %s",
                    [f.get_db_prep_value(new, connection, prepared=False), pk],
                )
        else:
            model._base_manager.filter(pk=pk).update(**{name: new})
        changed += 1
    return changed


# --- erasure ----------------------------------------------------------------------------------------


def is_erased(employee: Employee) -> bool:
    return employee.email.endswith(f"@{ERASED_DOMAIN}")


def new_pseudonym() -> str:
    return f"anon-{secrets.token_hex(6)}"


@transaction.atomic
def personal_data_erase(
    *, actor: Any, employee: Employee, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Erase ``employee``'s personal data (on their request; by an L&D admin or an auditor).

    The person is first made a leaver if they are still active (their login is disabled, their
    reports move up: the leaver rule). Each app's ``erase_data`` then removes or anonymises what it
    holds; in learning records the person becomes ``{"account": {"homePage": SITE_URL, "name":
    <pseudonym>}}``; the Employee row stays, anonymised, with department, role and location, and
    so do progress, enrollments and skill evidence: dashboards still count them. Audited as
    ``trellis.privacy.erased`` with the pseudonym, the reason (with any identifier in it replaced)
    and the counts, never the erased data."""
    from trellis.people.services import employee_deactivate

    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why (for instance: the person's request of 3 March)."
    if getattr(getattr(actor, "employee", None), "pk", None) == employee.pk:
        errors["employee"] = "You cannot erase your own data; ask another L&D admin or auditor."
    if is_erased(employee):
        errors["employee"] = "This person's data has already been erased."
    if errors:
        raise ValidationError(errors)
    employee = Employee.objects.select_for_update().select_related("user").get(pk=employee.pk)
    identifiers = Identifiers.of(employee)
    pseudonym = new_pseudonym()
    if employee.is_active:
        employee_deactivate(actor=actor, employee=employee, left_on=timezone.localdate(now))
        employee.refresh_from_db()
    counts: dict[str, Any] = {}
    ordered = sorted(privacy_modules(), key=lambda m: m[0] == "people")
    for label, module in ordered:
        erase = getattr(module, "erase_data", None)
        if erase is not None:
            counts[label] = dict(erase(employee=employee, pseudonym=pseudonym))
    counts["residual"] = residual_scrub(identifiers, pseudonym=pseudonym)
    audit_log(
        actor=actor,
        code="trellis.privacy.erased",
        target=employee,
        data={
            "employee": employee.pk,
            "pseudonym": pseudonym,
            "reason": identifiers.pattern().sub(pseudonym, reason.strip())[:500],
            "counts": counts,
        },
    )
    return {"pseudonym": pseudonym, "counts": counts}
