"""Completion from learning records: progress rows (projected from xAPI statements) → enrollments.

A requirement is met in a cycle by a progress row of the learner that
- is about the requirement's item, an equivalent item (credit rule), or, for a policy
  acknowledgement, the requirement's own activity (``Requirement.activity_id``);
- is done: it has a completion or a pass (``completed_at`` / ``passed_at``; a fail alone is not);
  with a minimum score, the row's scaled score must reach it;
- was done on or after the cycle's ``starts_on`` — or up to N months earlier when an "earlier
  completion" credit rule says so.

An enrollment is complete when every required requirement is met and each elective group has at
least K of its requirements met; ``completed_at`` is the moment the last needed one was met.
``started_at`` is the first activity on any of its requirements within the window.

``evaluate`` is pure (unit-tested); ``enrollments_recompute`` loads everything in a constant number of
queries and writes only what changed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class Fact:
    item_id: int | None
    activity_id: str
    done_at: dt.datetime | None
    score: float | None
    first_at: dt.datetime
    last_at: dt.datetime | None = None
    #: later completions (statements) of a row whose ``done_at`` (the earliest) is older: the
    #: progress row keeps only the first, so a recertification is found in the statements
    redone: tuple[dt.datetime, ...] = ()


@dataclass(frozen=True)
class ReqSpec:
    pk: int
    item_ids: frozenset[int]
    activity_id: str | None
    min_score: float | None
    earlier_months: int
    group_id: int | None


@dataclass(frozen=True)
class ProgramSpec:
    requirements: tuple[ReqSpec, ...]
    groups: dict[int, int]  # group id → K

    @property
    def total(self) -> int:
        return sum(1 for r in self.requirements if r.group_id is None) + sum(
            min(k, sum(1 for r in self.requirements if r.group_id == g))
            for g, k in self.groups.items()
        )


@dataclass(frozen=True)
class Outcome:
    done_count: int
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    met: dict[int, dt.datetime]  # requirement pk → when it was met


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def evaluate(*, spec: ProgramSpec, starts_on: dt.date, facts: Iterable[Fact]) -> Outcome:
    facts = list(facts)
    met: dict[int, dt.datetime] = {}
    started: dt.datetime | None = None
    for req in spec.requirements:
        window = months_before(starts_on, req.earlier_months) if req.earlier_months else starts_on
        for f in facts:
            if not (
                (f.item_id is not None and f.item_id in req.item_ids)
                or (req.activity_id is not None and f.activity_id == req.activity_id)
            ):
                continue
            done_at = f.done_at
            if done_at is not None and timezone.localdate(done_at) < window:
                # completed before the window: only a completion again within it counts (a
                # recertification); merely opening the item again does not
                done_at = next((t for t in f.redone if timezone.localdate(t) >= window), None)
                if done_at is not None:
                    started = done_at if started is None else min(started, done_at)
            if timezone.localdate(f.first_at) >= window or (
                f.done_at and timezone.localdate(f.done_at) >= window
            ):
                started = f.first_at if started is None else min(started, f.first_at)
            if done_at is None or timezone.localdate(done_at) < window:
                continue
            if req.min_score is not None and (f.score is None or f.score < req.min_score - 1e-9):
                continue
            if req.pk not in met or done_at < met[req.pk]:
                met[req.pk] = done_at
    needed: list[dt.datetime] = []
    complete = True
    done_count = 0
    for req in spec.requirements:
        if req.group_id is None:
            if req.pk in met:
                needed.append(met[req.pk])
                done_count += 1
            else:
                complete = False
    for group_id, k in spec.groups.items():
        times = sorted(
            met[r.pk] for r in spec.requirements if r.group_id == group_id and r.pk in met
        )
        members = sum(1 for r in spec.requirements if r.group_id == group_id)
        k = min(k, members)
        done_count += min(k, len(times))
        if len(times) >= k:
            if k:
                needed.append(times[k - 1])
        else:
            complete = False
    completed_at = max(needed) if complete and needed else None
    if completed_at is not None and started is None:
        started = min(met.values())
    return Outcome(done_count=done_count, started_at=started, completed_at=completed_at, met=met)


def program_specs(program_ids: Iterable[int]) -> dict[int, ProgramSpec]:
    """The requirement specs of these programs (three queries)."""
    from trellis.programs.models import CreditRule, Requirement, RequirementGroup

    ids = sorted(set(program_ids))
    reqs = list(Requirement.objects.filter(program_id__in=ids).order_by("position", "pk"))
    credits: dict[int, list[CreditRule]] = defaultdict(list)
    for c in CreditRule.objects.filter(requirement__program_id__in=ids):
        credits[c.requirement_id].append(c)
    groups: dict[int, dict[int, int]] = defaultdict(dict)
    for g in RequirementGroup.objects.filter(program_id__in=ids):
        groups[g.program_id][g.pk] = g.required_count
    by_program: dict[int, list[ReqSpec]] = defaultdict(list)
    for r in reqs:
        cr = credits.get(r.pk, [])
        items = {r.item_id} if r.item_id else set()
        items |= {c.item_id for c in cr if c.kind == CreditRule.Kind.EQUIVALENT and c.item_id}
        months = max([c.months or 0 for c in cr if c.kind == CreditRule.Kind.EARLIER] or [0])
        by_program[r.program_id].append(
            ReqSpec(
                pk=r.pk,
                item_ids=frozenset(items),
                activity_id=r.activity_id if r.kind == Requirement.Kind.ACKNOWLEDGEMENT else None,
                min_score=r.min_score,
                earlier_months=months,
                group_id=r.group_id if r.group_id in groups[r.program_id] else None,
            )
        )
    return {
        pid: ProgramSpec(requirements=tuple(by_program.get(pid, [])), groups=groups.get(pid, {}))
        for pid in ids
    }


def facts_for(
    *, specs: dict[int, ProgramSpec], employee_ids: Iterable[int] | None
) -> dict[int, list[Fact]]:
    """Progress rows of these employees (None: everyone) about any of the specs' work (one query)."""
    from trellis.lrs.models import Progress

    item_ids = sorted({i for s in specs.values() for r in s.requirements for i in r.item_ids})
    activity_ids = sorted(
        {r.activity_id for s in specs.values() for r in s.requirements if r.activity_id}
    )
    out: dict[int, list[Fact]] = defaultdict(list)
    if not item_ids and not activity_ids:
        return out
    qs = Progress.objects.filter(Q(item_id__in=item_ids) | Q(activity_id__in=activity_ids))
    wanted = set(employee_ids) if employee_ids is not None else None
    if wanted is not None and len(wanted) <= IN_LIMIT:
        qs = qs.filter(employee_id__in=sorted(wanted))
    for (
        employee_id,
        item_id,
        activity_id,
        completed_at,
        passed_at,
        score,
        first,
        last,
    ) in qs.values_list(
        "employee_id",
        "item_id",
        "activity_id",
        "completed_at",
        "passed_at",
        "score_scaled",
        "first_activity_at",
        "last_activity_at",
    ):
        if wanted is not None and employee_id not in wanted:
            continue
        done = passed_at or completed_at
        if passed_at and completed_at:
            done = min(passed_at, completed_at) if score is None else passed_at
        out[employee_id].append(
            Fact(
                item_id=item_id,
                activity_id=activity_id,
                done_at=done,
                score=score,
                first_at=first,
                last_at=last,
            )
        )
    return out


def with_redone(
    facts: dict[int, list[Fact]], windows: dict[int, set[dt.date]]
) -> dict[int, list[Fact]]:
    """``facts`` with ``redone`` filled in where it matters: a row done before one of the person's
    cycle windows (``windows``: employee id → the cycles' first days) and active again on or after
    it. The later completions come from the learner's statements (one query, only when such rows
    exist); everything else is unchanged."""
    import dataclasses

    stale: dict[tuple[int, str], dt.date] = {}
    for employee_id, rows in facts.items():
        for f in rows:
            if f.done_at is None or f.last_at is None:
                continue
            done, last = timezone.localdate(f.done_at), timezone.localdate(f.last_at)
            for window in windows.get(employee_id, ()):
                if done < window <= last:
                    key = (employee_id, f.activity_id)
                    stale[key] = min(stale.get(key, window), window)
    if not stale:
        return facts
    redone = _completions_since(stale)
    return {
        employee_id: [
            dataclasses.replace(f, redone=tuple(redone[(employee_id, f.activity_id)]))
            if (employee_id, f.activity_id) in redone
            else f
            for f in rows
        ]
        for employee_id, rows in facts.items()
    }


def _completions_since(stale: dict[tuple[int, str], dt.date]) -> dict[tuple[int, str], list[Any]]:
    """The completing statements' times, sorted, of these (employee, activity) pairs on or after
    each pair's day; the projection's own rules say what completes (a completing or passing verb,
    or ``result.completion`` true). Voided statements and groups are left out. One query."""
    from trellis.lrs.models import Statement
    from trellis.lrs.projection import COMPLETED, PASSED, VERB_RANK, EmployeeResolver
    from trellis.lrs.projection import Fact as StatementFact

    since = timezone.make_aware(dt.datetime.combine(min(stale.values()), dt.time.min))
    completing = [verb for verb, rank in VERB_RANK.items() if rank >= COMPLETED]
    rows = list(
        Statement.objects.filter(
            object_type="Activity",
            object_activity_id__in=sorted({a for _, a in stale}),
            timestamp__gte=since,
            is_voided=False,
        )
        .filter(Q(verb_id__in=completing) | Q(data__result__completion=True))
        .values_list(
            "pk", "statement_id", "actor_ifi", "object_activity_id", "verb_id", "timestamp", "data"
        )
    )
    resolver = EmployeeResolver()
    resolver.prefetch(row[2] for row in rows)
    out: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for pk, statement_id, actor_ifi, activity_id, verb_id, ts, data in rows:
        actor = data.get("actor")
        if isinstance(actor, dict) and actor.get("objectType") == "Group":
            continue
        employee_id = resolver.resolve(actor_ifi)
        day = stale.get((employee_id, activity_id)) if employee_id is not None else None
        if day is None or timezone.localdate(ts) < day:
            continue
        fact = StatementFact.from_result(
            pk=pk,
            statement_id=statement_id,
            verb_id=verb_id,
            timestamp=ts,
            registration=None,
            result=data.get("result"),
        )
        if fact.rank in (COMPLETED, PASSED) or fact.completion:
            out[(employee_id, activity_id)].append(ts)  # type: ignore[index]
    return {key: sorted(times) for key, times in out.items()}


#: Above this many ids, a query loads the rows without an ``IN`` list and the ids are picked in
#: Python (SQLite allows 32,766 parameters in a statement).
IN_LIMIT = 5000


def enrollments_recompute(
    *, employee_ids: Iterable[int] | None = None, program_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Recompute started/completed of the active enrollments of active programs (these employees or
    programs only, when given). Constant number of queries; writes only changed rows."""
    from trellis.programs.models import Enrollment, EnrollmentEvent, Program
    from trellis.programs.services import events_insert

    qs = Enrollment.objects.filter(
        state=Enrollment.State.ACTIVE, program__status=Program.Status.ACTIVE
    )
    ids = sorted(set(employee_ids)) if employee_ids is not None else None
    if ids is not None and len(ids) <= IN_LIMIT:
        qs = qs.filter(employee_id__in=ids)
    if program_ids is not None:
        qs = qs.filter(program_id__in=sorted(set(program_ids)))
    rows = list(
        qs.values_list(
            "pk",
            "program_id",
            "employee_id",
            "starts_on",
            "started_at",
            "completed_at",
            "done_count",
            "expires_on",
        )
    )
    if ids is not None and len(ids) > IN_LIMIT:
        wanted = set(ids)
        rows = [r for r in rows if r[2] in wanted]
    stats = {"enrollments": len(rows), "changed": 0, "completed": 0, "reopened": 0}
    if not rows:
        return stats
    specs = program_specs({r[1] for r in rows})
    windows: dict[int, set[dt.date]] = defaultdict(set)
    for r in rows:
        windows[r[2]].add(r[3])
    facts = with_redone(facts_for(specs=specs, employee_ids=ids), windows)
    recurrence = dict(
        Program.objects.filter(pk__in=list(specs)).values_list("pk", "recurrence_months")
    )
    changed: list[tuple[Any, ...]] = []
    events: list[tuple[int, str, str, None, dt.datetime, dict[str, Any]]] = []
    now = timezone.now()
    for pk, program_id, employee_id, starts_on, started_at, completed_at, done, expires_on in rows:
        outcome = evaluate(
            spec=specs[program_id], starts_on=starts_on, facts=facts.get(employee_id, ())
        )
        months = recurrence.get(program_id) or 0
        expires = (
            months_after(timezone.localdate(outcome.completed_at), months)
            if outcome.completed_at and months
            else None
        )
        new = (outcome.started_at, outcome.completed_at, outcome.done_count, expires)
        if new == (started_at, completed_at, done, expires_on):
            continue
        if outcome.completed_at and not completed_at:
            stats["completed"] += 1
            events.append(
                (
                    pk,
                    EnrollmentEvent.Kind.COMPLETED,
                    "learning records",
                    None,
                    now,
                    {"completed_at": outcome.completed_at.isoformat()},
                )
            )
        elif completed_at and not outcome.completed_at:
            stats["reopened"] += 1
            events.append(
                (
                    pk,
                    EnrollmentEvent.Kind.REOPENED,
                    "learning records changed (a statement was voided)",
                    None,
                    now,
                    {},
                )
            )
        changed.append((*new, now, pk))
    with transaction.atomic():  # one commit (without it, SQLite commits every row of executemany)
        _write_outcomes(changed)
        events_insert(events)
    stats["changed"] = len(changed)
    return stats


def _write_outcomes(changed: list[tuple[Any, ...]]) -> None:
    """Write (started_at, completed_at, done_count, expires_on, updated_at, id) rows: one prepared
    ``UPDATE … WHERE id = %s`` run with ``executemany`` (same SQL on SQLite and PostgreSQL).
    ``bulk_update`` builds a CASE expression per row and field in Python, which took seconds for a
    few thousand rows."""
    from django.db import connections, router

    from trellis.core.bulk import prepare_rows
    from trellis.programs.models import Enrollment

    if not changed:
        return
    fields = ["started_at", "completed_at", "done_count", "expires_on", "updated_at", "id"]
    rows = prepare_rows(Enrollment, fields, changed)
    connection = connections[router.db_for_write(Enrollment)]
    quote = connection.ops.quote_name
    columns = [str(Enrollment._meta.get_field(name).column) for name in fields]
    # Identifiers come from the model (quoted); every value is a parameter.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(Enrollment._meta.db_table),
        ", ".join(f"{quote(column)} = %s" for column in columns[:-1]),
        quote(columns[-1]),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def progress_changed(pairs: Iterable[tuple[int, Any]]) -> None:
    """The LRS projection's hook: these (employee id, item id) pairs changed; recompute them."""
    employee_ids = {e for e, _ in pairs}
    if employee_ids:
        enrollments_recompute(employee_ids=employee_ids)
