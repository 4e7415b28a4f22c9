"""The progress projection: stored statements → one ``Progress`` row per learner and activity.

How a row is computed (a pure function of the learner's non-voided statements about the activity, so
projecting twice, in any order or batch size, and ``reproject_all`` all give the same rows):

- **Learner**: the statement's actor (an Agent; Groups are skipped) maps to an employee by ``mbox``
  (``mailto:`` + the employee's email, case-insensitive), by ``mbox_sha1sum`` of that mailto IRI, or
  by ``account`` whose ``homePage`` is ``settings.SITE_URL`` and whose ``name`` is the username (then
  the HRIS employee id). Other actors are skipped and counted (``unmapped_statements``).
- **Activity**: the statement's object Activity. It maps to a catalog item by ``ActivityAlias``, or by
  Trellis's own item IRI ``{SITE_URL}/catalog/item/{uid}`` (``item_activity_id``); otherwise the row
  keeps ``item = None``.
- **Status** is the highest rank reached: passed > failed > completed > in_progress > launched.
  Following cmi5 (§9.3.4-9.3.6: once an AU is satisfied by "Passed" it stays satisfied), a ``failed``
  after a ``passed`` does not undo the pass, and a later ``passed`` turns a ``failed`` into passed.
  Verbs: passed/mastered → passed; failed → failed; completed, cmi5 satisfied/waived, or any
  ``result.completion: true`` → completed; progressed/attempted/answered/interacted/resumed/
  suspended/scored, or experienced *with a result* → in_progress; launched/initialized/viewed/
  experienced → launched. Other verbs (terminated, rated, …) never create a row, but count towards
  time spent and last activity once one exists.
- **Score**: from the highest-ranked, then latest (timestamp, then storage order) statement with a
  ``result.score`` among the progress verbs above.
- **Time spent**: ``result.duration`` is cumulative within an attempt (xAPI, cmi5), so per
  registration the largest duration counts; durations of statements without a registration add up.
- **Attempts**: distinct registrations plus launches without a registration; at least 1 once the
  learner got past "launched".
- **completed_at / passed_at**: the earliest completing (completed, passed, or completion true; a
  failure is not a completion) / passing statement.

Voiding: storage marks the target voided; projecting the voiding statement recomputes the target's
learner and activity from the statements that remain, and removes any skill evidence it produced.

Skill evidence: when a row's status is completed or passed and its item has skills, each skill gets
one ``SkillEvidence`` (kind "learning", source_ref = the id of the statement that first completed or
passed it, observed_on = that statement's date, never later than today). Its level is the item's
level capped by the tag's weight: ``min(item.level, ceil(weight * 5))`` (weight 1.0 → up to expert,
0.6 → up to 3, 0.2 → 1): a course that only touches a skill does not prove mastery of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple, TextIO

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Max
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Lower
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.lrs.models import ActivityAlias, Progress, Statement

ADL = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/adl/verbs/"
TINCAN = "http://id.tincanapi.com/verb/"
VOIDED = f"{ADL}voided"

LAUNCHED, IN_PROGRESS, COMPLETED, FAILED, PASSED = 1, 2, 3, 4, 5
RANK_STATUS = {
    LAUNCHED: Progress.Status.LAUNCHED,
    IN_PROGRESS: Progress.Status.IN_PROGRESS,
    COMPLETED: Progress.Status.COMPLETED,
    FAILED: Progress.Status.FAILED,
    PASSED: Progress.Status.PASSED,
}
VERB_RANK: dict[str, int] = {
    f"{ADL}passed": PASSED,
    f"{ADL}mastered": PASSED,
    f"{ADL}failed": FAILED,
    f"{ADL}completed": COMPLETED,
    f"{CMI5}satisfied": COMPLETED,
    f"{CMI5}waived": COMPLETED,
    f"{ADL}progressed": IN_PROGRESS,
    f"{ADL}attempted": IN_PROGRESS,
    f"{ADL}answered": IN_PROGRESS,
    f"{ADL}interacted": IN_PROGRESS,
    f"{ADL}resumed": IN_PROGRESS,
    f"{ADL}suspended": IN_PROGRESS,
    f"{ADL}scored": IN_PROGRESS,
    f"{ADL}launched": LAUNCHED,
    f"{ADL}initialized": LAUNCHED,
    f"{TINCAN}viewed": LAUNCHED,
    f"{ADL}experienced": LAUNCHED,  # in_progress when it carries a result
}
LAUNCH_VERBS = {f"{ADL}launched", f"{ADL}initialized"}
BATCH_SIZE = 2000

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_DURATION_SECONDS = {
    "y": 365 * 86400,
    "mo": 30 * 86400,
    "w": 7 * 86400,
    "d": 86400,
    "h": 3600,
    "mi": 60,
    "s": 1,
}


def duration_seconds(value: Any) -> float | None:
    """Seconds in an ISO 8601 duration (``PT1H2M3.5S``); None when it is not one."""
    if not isinstance(value, str):
        return None
    return _duration_seconds(value)


@functools.lru_cache(maxsize=65_536)
def _duration_seconds(value: str) -> float | None:
    # Durations repeat (PT15M, PT1H…): a rebuild parses each distinct one once.
    match = _DURATION.match(value.strip())
    if not match or value.strip() in {"P", "PT"}:
        return None
    return sum(float(v) * _DURATION_SECONDS[k] for k, v in match.groupdict().items() if v)


def item_activity_id(item: Any) -> str:
    """Trellis's own activity IRI for a catalog item (the object of the statements Trellis records)."""
    return f"{settings.SITE_URL}/catalog/item/{item.uid}"


# --- mapping actors and activities ------------------------------------------------------------


def _sha1_mbox(email: str) -> str:
    return hashlib.sha1(f"mailto:{email}".encode(), usedforsecurity=False).hexdigest()


class EmployeeResolver:
    """Maps actor IFIs (``trellis.lrs.xapi.agents.agent_ifi`` strings) to employee ids."""

    def __init__(self) -> None:
        self._cache: dict[str, int | None] = {}
        self._by_sha1: dict[str, int] | None = None
        self.site = settings.SITE_URL.rstrip("/")

    def _account_home_ok(self, home: str) -> bool:
        return home.rstrip("/") == self.site

    def _load_sha1(self) -> dict[str, int]:
        if self._by_sha1 is None:
            from trellis.people.models import Employee

            self._by_sha1 = {}
            for pk, email in Employee.objects.values_list("pk", "email").order_by("pk"):
                for variant in (email, email.lower()):
                    self._by_sha1.setdefault(_sha1_mbox(variant), pk)
        return self._by_sha1

    def preload_all(self) -> None:
        """Resolve every employee's identifiers up front (for rebuilding everything)."""
        from trellis.people.models import Employee

        for pk, email, employee_id in Employee.objects.values_list(
            "pk", "email", "employee_id"
        ).order_by("-pk"):
            self._cache[f"mbox:mailto:{email.lower()}"] = pk
            self._cache[f"account:{self.site}|{employee_id}"] = pk
        # usernames win over employee ids (set last)
        for pk, username in Employee.objects.values_list("pk", "user__username").order_by("-pk"):
            self._cache[f"account:{self.site}|{username}"] = pk
        self._load_sha1()
        self._preloaded = True

    def _key(self, ifi: str) -> str | None:
        """The cache key of an IFI, or None when it cannot be an employee's."""
        kind, _, value = ifi.partition(":")
        if kind == "mbox":
            return f"mbox:{value.lower()}" if value.lower().startswith("mailto:") else None
        if kind == "account":
            home, _, name = value.partition("|")
            return f"account:{self.site}|{name}" if self._account_home_ok(home) and name else None
        if kind == "mbox_sha1sum":
            return f"mbox_sha1sum:{value.lower()}"
        return None

    def prefetch(self, ifis: Iterable[str]) -> None:
        from trellis.people.models import Employee

        keys = {k for k in (self._key(i) for i in ifis) if k and k not in self._cache}
        if not keys or getattr(self, "_preloaded", False):
            return
        emails = {k[len("mbox:mailto:") :] for k in keys if k.startswith("mbox:")}
        names = {k.partition("|")[2] for k in keys if k.startswith("account:")}
        if emails:
            for pk, email in (
                Employee.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=emails)
                .values_list("pk", "email")
                .order_by("pk")
            ):
                self._cache.setdefault(f"mbox:mailto:{email.lower()}", pk)
        if names:
            by_username = dict(
                Employee.objects.filter(user__username__in=names).values_list(
                    "user__username", "pk"
                )
            )
            by_employee_id = dict(
                Employee.objects.filter(employee_id__in=names).values_list("employee_id", "pk")
            )
            for name in names:
                found = by_username.get(name, by_employee_id.get(name))
                if found is not None:
                    self._cache[f"account:{self.site}|{name}"] = found
        if any(k.startswith("mbox_sha1sum:") for k in keys):
            self._load_sha1()
        for key in keys:
            self._cache.setdefault(key, None)

    def resolve(self, ifi: str) -> int | None:
        key = self._key(ifi)
        if key is None:
            return None
        if key.startswith("mbox_sha1sum:"):
            return self._load_sha1().get(key.partition(":")[2])
        if key not in self._cache:
            if getattr(self, "_preloaded", False):
                return None
            self.prefetch([ifi])
        return self._cache.get(key)


class ItemResolver:
    """Maps activity ids to catalog item ids: aliases first, then Trellis's own item IRI."""

    def __init__(self) -> None:
        self._cache: dict[str, int | None] = {}
        self.prefix = f"{settings.SITE_URL.rstrip('/')}/catalog/item/"

    def _uid(self, activity_id: str) -> uuid.UUID | None:
        if not activity_id.startswith(self.prefix):
            return None
        try:
            return uuid.UUID(activity_id[len(self.prefix) :].strip("/"))
        except ValueError:
            return None

    def prefetch(self, activity_ids: Iterable[str]) -> None:
        from trellis.catalog.models import Item

        missing = {a for a in activity_ids if a not in self._cache}
        if not missing:
            return
        found: dict[str, int] = {}
        uids = {a: u for a in missing if (u := self._uid(a)) is not None}
        if uids:
            by_uid = dict(Item.objects.filter(uid__in=uids.values()).values_list("uid", "pk"))
            found.update({a: by_uid[u] for a, u in uids.items() if u in by_uid})
        for chunk in _chunks(sorted(missing), 500):
            found.update(
                ActivityAlias.objects.filter(activity_id__in=chunk).values_list(
                    "activity_id", "item_id"
                )
            )
        for activity_id in missing:
            self._cache[activity_id] = found.get(activity_id)

    def resolve(self, activity_id: str) -> int | None:
        if activity_id not in self._cache:
            self.prefetch([activity_id])
        return self._cache[activity_id]


def _chunks(values: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- folding statements into a row ------------------------------------------------------------


class Fact(NamedTuple):
    """What the projection needs of one statement (a tuple: hundreds of thousands are made in a
    rebuild)."""

    pk: int
    statement_id: uuid.UUID
    verb_id: str
    timestamp: datetime
    registration: uuid.UUID | None
    rank: int  # 0: not a progress verb
    completion: bool
    score_scaled: float | None
    score_raw: float | None
    has_score: bool
    duration: float | None

    @classmethod
    def of(
        cls,
        *,
        pk: int,
        statement_id: Any,
        verb_id: str,
        timestamp: datetime,
        registration: Any,
        data: dict[str, Any],
    ) -> Fact:
        return cls.from_result(
            pk=pk,
            statement_id=statement_id,
            verb_id=verb_id,
            timestamp=timestamp,
            registration=registration,
            result=data.get("result"),
        )

    @classmethod
    def from_result(
        cls,
        *,
        pk: int,
        statement_id: Any,
        verb_id: str,
        timestamp: datetime,
        registration: Any,
        result: Any,
    ) -> Fact:
        """The fact of a statement given its ``result`` (all the projection reads of its data)."""
        if not isinstance(result, dict):
            result = {}
        rank = VERB_RANK.get(verb_id, 0)
        if verb_id == _EXPERIENCED and result:
            rank = IN_PROGRESS
        completion = result.get("completion") is True and verb_id != VOIDED
        if completion and rank < COMPLETED and (rank or verb_id not in _NEVER_PROGRESS):
            rank = COMPLETED
        score = result.get("score")
        if not isinstance(score, dict):
            score = None
        scaled = score.get("scaled") if score else None
        raw = score.get("raw") if score else None
        duration = result.get("duration")
        return cls(
            pk,
            statement_id if isinstance(statement_id, uuid.UUID) else uuid.UUID(str(statement_id)),
            verb_id,
            timestamp,
            registration,
            rank,
            completion,
            float(scaled) if isinstance(scaled, int | float) else None,
            float(raw) if isinstance(raw, int | float) else None,
            bool(rank) and score is not None,
            None if duration is None else duration_seconds(duration),
        )


_EXPERIENCED = f"{ADL}experienced"
#: verbs whose ``result`` is about something else than progress (a rating's score, for example)
_NEVER_PROGRESS = {f"{TINCAN}rated", VOIDED}


@dataclass
class Accumulator:
    """An order-independent fold of one learner's statements about one activity."""

    rank: int = 0
    first: datetime | None = None
    last_key: tuple[datetime, int] | None = None
    last_statement_id: uuid.UUID | None = None
    completed_at: datetime | None = None
    passed_at: datetime | None = None
    achievement_key: tuple[datetime, int] | None = None  # first statement at the final rank (≥3)
    achievements: dict[int, tuple[datetime, int, uuid.UUID]] = field(default_factory=dict)
    score_key: tuple[int, datetime, int] | None = None
    score: tuple[float | None, float | None] = (None, None)
    per_registration: dict[uuid.UUID, float] = field(default_factory=dict)
    loose_seconds: float = 0.0
    registrations: set[uuid.UUID] = field(default_factory=set)
    loose_launches: int = 0

    def add(self, fact: Fact) -> None:
        ts = fact.timestamp
        key = (ts, fact.pk)
        self.rank = max(self.rank, fact.rank)
        self.first = ts if self.first is None else min(self.first, ts)
        if self.last_key is None or key > self.last_key:
            self.last_key, self.last_statement_id = key, fact.statement_id
        if fact.rank in (COMPLETED, PASSED) or fact.completion:
            self.completed_at = ts if self.completed_at is None else min(self.completed_at, ts)
        if fact.rank == PASSED:
            self.passed_at = ts if self.passed_at is None else min(self.passed_at, ts)
        if fact.rank >= COMPLETED:
            current = self.achievements.get(fact.rank)
            if current is None or key < current[:2]:
                self.achievements[fact.rank] = (ts, fact.pk, fact.statement_id)
        if fact.has_score:
            skey = (fact.rank, ts, fact.pk)
            if self.score_key is None or skey > self.score_key:
                self.score_key, self.score = skey, (fact.score_scaled, fact.score_raw)
        if fact.duration is not None and fact.verb_id not in _NEVER_PROGRESS:
            if fact.registration is None:
                self.loose_seconds += fact.duration
            else:
                seen = self.per_registration.get(fact.registration, 0.0)
                self.per_registration[fact.registration] = max(seen, fact.duration)
        if fact.registration is not None:
            self.registrations.add(fact.registration)
        elif fact.verb_id in LAUNCH_VERBS:
            self.loose_launches += 1

    @property
    def exists(self) -> bool:
        return self.rank > 0

    def source_statement(self) -> tuple[datetime, uuid.UUID] | None:
        """The statement that first brought the row to its completed/passed status (for evidence)."""
        if self.rank not in (COMPLETED, PASSED):
            return None
        ts, _pk, statement_id = self.achievements[self.rank]
        return ts, statement_id

    def row_values(self) -> dict[str, Any]:
        attempts = len(self.registrations) + self.loose_launches
        if self.rank > LAUNCHED:
            attempts = max(attempts, 1)
        assert self.first is not None and self.last_key is not None
        return {
            "status": RANK_STATUS[self.rank],
            "score_scaled": self.score[0],
            "score_raw": self.score[1],
            "time_spent_seconds": round(sum(self.per_registration.values()) + self.loose_seconds),
            "attempts": attempts,
            "first_activity_at": self.first,
            "last_activity_at": self.last_key[0],
            "completed_at": self.completed_at,
            "passed_at": self.passed_at,
            "last_statement_id": self.last_statement_id,
        }


ROW_FIELDS = [
    "item_id",
    "status",
    "score_scaled",
    "score_raw",
    "time_spent_seconds",
    "attempts",
    "first_activity_at",
    "last_activity_at",
    "completed_at",
    "passed_at",
    "last_statement_id",
]

_FACT_COLUMNS = (
    "pk",
    "statement_id",
    "verb_id",
    "timestamp",
    "registration",
    "data",
    "actor_ifi",
    "object_activity_id",
    "is_voided",
)


def _is_group_actor(data: dict[str, Any]) -> bool:
    actor = data.get("actor")
    return isinstance(actor, dict) and actor.get("objectType") == "Group"


# --- skill evidence ---------------------------------------------------------------------------


def evidence_level(*, item_level: int, weight: float) -> int:
    """The level a completion proves: the item's level capped by how much the item is about the skill."""
    cap = max(1, math.ceil(round(weight * 5, 6)))
    return max(1, min(int(item_level), cap))


class ItemSkills:
    """Skills of items (with the level their completion proves), loaded once per item."""

    def __init__(self) -> None:
        self._cache: dict[int, list[tuple[Any, int]]] = {}

    def prefetch(self, item_ids: Iterable[int]) -> None:
        from trellis.catalog.models import ItemSkill

        missing = sorted({i for i in item_ids if i not in self._cache})
        for item_id in missing:
            self._cache[item_id] = []
        for chunk in _chunks(missing, 500):
            for link in (
                ItemSkill.objects.filter(item_id__in=chunk)
                .select_related("skill")
                .annotate(item_level=F("item__level"))
                .order_by("item_id", "skill_id")
            ):
                self._cache[link.item_id].append(
                    (link.skill, evidence_level(item_level=link.item_level, weight=link.weight))
                )

    def of(self, item_id: int) -> list[tuple[Any, int]]:
        if item_id not in self._cache:
            self.prefetch([item_id])
        return self._cache[item_id]


EvidenceKey = tuple[int, int, str]  # employee id, skill id, statement id


def _desired_evidence(
    *,
    employee_id: int,
    item_id: int | None,
    acc: Accumulator,
    skills: ItemSkills,
    today: date | None = None,
    zone: tzinfo | None = None,
) -> dict[EvidenceKey, tuple[Any, int, date]]:
    """``today`` (``timezone.localdate()``) and ``zone`` (the current time zone): given once by a
    caller that asks for many rows."""
    source = acc.source_statement()
    if source is None or item_id is None:
        return {}
    ts, statement_id = source
    observed = min(timezone.localdate(ts, zone), today or timezone.localdate())
    return {
        (employee_id, skill.pk, str(statement_id)): (skill, level, observed)
        for skill, level in skills.of(item_id)
    }


def _apply_evidence(
    *,
    desired: dict[EvidenceKey, tuple[Any, int, date]],
    existing: dict[EvidenceKey, tuple[int, int]],
    employees: dict[int, Any],
    bulk: bool = False,
) -> tuple[int, int]:
    """Create what is desired and missing, delete what exists and is no longer desired. Returns counts."""
    from trellis.skills.models import SkillEvidence
    from trellis.skills.services import skill_evidence_record

    stale = [
        pk
        for key, (pk, level) in existing.items()
        if key not in desired or desired[key][1] != level
    ]
    if stale:
        for chunk in _chunks(stale, 500):
            SkillEvidence.objects.filter(pk__in=chunk).delete()
    created = 0
    missing = [
        key
        for key in sorted(desired)
        if not (key in existing and existing[key][1] == desired[key][1])
    ]
    if bulk:
        # A rebuild: the same rows skill_evidence_record writes, inserted in bulk (one executemany,
        # no model instances), with one audit entry for the whole rebuild instead of one per row.
        from trellis.core.bulk import insert_rows

        now = timezone.now()
        insert_rows(
            SkillEvidence,
            [
                "employee",
                "skill",
                "level",
                "kind",
                "observed_on",
                "recorded_by",
                "note",
                "source_ref",
                "created_at",
                "updated_at",
            ],
            [
                (
                    key[0],
                    key[1],
                    desired[key][1],
                    SkillEvidence.Kind.LEARNING,
                    desired[key][2],
                    None,
                    "From the learning record store",
                    key[2],
                    now,
                    now,
                )
                for key in missing
            ],
        )
        if missing or stale:
            audit_log(
                actor=None,
                code="trellis.lrs.evidence.rebuilt",
                data={"created": len(missing), "removed": len(stale)},
            )
        return len(missing), len(stale)
    for key in missing:
        skill, level, observed = desired[key]
        skill_evidence_record(
            employee=employees[key[0]],
            skill=skill,
            level=level,
            kind=SkillEvidence.Kind.LEARNING,
            observed_on=observed,
            recorded_by=None,
            note="From the learning record store",
            source_ref=key[2],
        )
        created += 1
    return created, len(stale)


def _existing_evidence(
    *, employee_ids: Iterable[int] | None, source_refs: Iterable[str] | None
) -> dict[EvidenceKey, tuple[int, int]]:
    from trellis.skills.models import SkillEvidence

    qs = SkillEvidence.objects.filter(kind=SkillEvidence.Kind.LEARNING).exclude(source_ref="")
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    if source_refs is not None:
        qs = qs.filter(source_ref__in=list(source_refs))
    return {
        (employee_id, skill_id, source_ref): (pk, level)
        for pk, employee_id, skill_id, source_ref, level in qs.values_list(
            "pk", "employee_id", "skill_id", "source_ref", "level"
        )
    }


# --- the services -----------------------------------------------------------------------------


def _employee_candidate_ifis(employee: Any, site: str) -> set[str]:
    """Lower-cased IFIs that may name this employee (the SQL pre-filter; Python re-checks)."""
    email = employee.email
    names = {employee.user.username, employee.employee_id}
    ifis = {f"mbox:mailto:{email}".lower()}
    ifis |= {f"mbox_sha1sum:{_sha1_mbox(e)}" for e in (email, email.lower())}
    for home in (site, f"{site}/"):
        ifis |= {f"account:{home}|{name}".lower() for name in names}
    return ifis


@transaction.atomic
def project_statements(statement_pks: list[int]) -> dict[str, int]:
    """Recompute the progress rows (and learning skill evidence) these statements touch.

    Idempotent. A voiding statement recomputes its target's learner and activity. Returns counts:
    ``statements`` looked at, ``rows`` written or refreshed, ``deleted`` rows, ``unmapped_statements``
    (actor not an employee), ``evidence_created`` / ``evidence_removed``.
    """
    from trellis.people.models import Employee

    stats = dict.fromkeys(
        (
            "statements",
            "rows",
            "deleted",
            "unmapped_statements",
            "evidence_created",
            "evidence_removed",
        ),
        0,
    )
    pks = sorted(set(statement_pks))
    if not pks:
        return stats
    touched: list[tuple[str, str, dict[str, Any]]] = []  # actor ifi, activity id, data
    voided_refs: set[uuid.UUID] = set()
    for chunk in _chunks(pks, 500):
        for actor_ifi, activity_id, object_type, verb_id, ref, data in Statement.objects.filter(
            pk__in=chunk
        ).values_list(
            "actor_ifi",
            "object_activity_id",
            "object_type",
            "verb_id",
            "object_statement_ref",
            "data",
        ):
            stats["statements"] += 1
            if verb_id == VOIDED and ref is not None:
                voided_refs.add(ref)
            elif object_type == "Activity" and activity_id:
                touched.append((actor_ifi, activity_id, data))
    for chunk in _chunks(sorted(voided_refs, key=str), 500):
        touched.extend(
            Statement.objects.filter(statement_id__in=chunk, object_type="Activity").values_list(
                "actor_ifi", "object_activity_id", "data"
            )
        )

    resolver = EmployeeResolver()
    resolver.prefetch(ifi for ifi, _, _ in touched)
    pairs: set[tuple[int, str]] = set()
    for actor_ifi, activity_id, data in touched:
        employee_id = None if _is_group_actor(data) else resolver.resolve(actor_ifi)
        if employee_id is None:
            stats["unmapped_statements"] += 1
        else:
            pairs.add((employee_id, activity_id))
    if not pairs:
        return stats

    employee_ids = sorted({e for e, _ in pairs})
    # One learner's rows are computed by one transaction at a time (PostgreSQL row locks, taken in
    # primary-key order; SQLite's IMMEDIATE transactions already serialise writers).
    employees = {
        e.pk: e
        for e in Employee.objects.select_for_update()
        .select_related("user")
        .filter(pk__in=employee_ids)
        .order_by("pk")
    }
    activity_ids = sorted({a for _, a in pairs})
    candidates = set()
    for employee in employees.values():
        candidates |= _employee_candidate_ifis(employee, resolver.site)
    candidates |= {ifi.lower() for ifi, _, _ in touched}

    accumulators: dict[tuple[int, str], Accumulator] = {pair: Accumulator() for pair in pairs}
    pair_statement_ids: dict[tuple[int, str], set[str]] = defaultdict(set)
    rows = (
        Statement.objects.annotate(actor_lower=Lower("actor_ifi"))
        .filter(object_activity_id__in=activity_ids, actor_lower__in=sorted(candidates))
        .values_list(*_FACT_COLUMNS)
    )
    for pk, statement_id, verb_id, ts, registration, data, actor_ifi, activity_id, voided in rows:
        if _is_group_actor(data):
            continue
        pair = (resolver.resolve(actor_ifi), activity_id)
        if pair not in accumulators:
            continue
        pair_statement_ids[pair].add(str(statement_id))  # type: ignore[index]
        if not voided:
            accumulators[pair].add(  # type: ignore[index]
                Fact.of(
                    pk=pk,
                    statement_id=statement_id,
                    verb_id=verb_id,
                    timestamp=ts,
                    registration=registration,
                    data=data,
                )
            )

    items = ItemResolver()
    items.prefetch(activity_ids)
    existing_rows = {
        (p.employee_id, p.activity_id): p
        for p in Progress.objects.filter(employee_id__in=employee_ids, activity_id__in=activity_ids)
    }
    to_create, to_update, to_delete = [], [], []
    skills = ItemSkills()
    skills.prefetch(i for a in activity_ids if (i := items.resolve(a)) is not None)
    desired: dict[EvidenceKey, tuple[Any, int, date]] = {}
    for pair in sorted(pairs):
        employee_id, activity_id = pair
        acc = accumulators[pair]
        row = existing_rows.get(pair)
        if not acc.exists:
            if row is not None:
                to_delete.append(row.pk)
            continue
        values = {"item_id": items.resolve(activity_id), **acc.row_values()}
        desired.update(
            _desired_evidence(
                employee_id=employee_id, item_id=values["item_id"], acc=acc, skills=skills
            )
        )
        if row is None:
            to_create.append(Progress(employee_id=employee_id, activity_id=activity_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    if to_delete:
        Progress.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Progress.objects.bulk_update(to_update, [*ROW_FIELDS, "updated_at"], batch_size=500)
    if to_create:
        Progress.objects.bulk_create(to_create, batch_size=500)
    stats["rows"] = len(to_create) + len(to_update)
    stats["deleted"] = len(to_delete)

    ref_pair = {ref: pair for pair, refs in pair_statement_ids.items() for ref in refs}
    existing = {
        key: value
        for chunk in _chunks(sorted(ref_pair), 500)
        for key, value in _existing_evidence(employee_ids=employee_ids, source_refs=chunk).items()
        if ref_pair[key[2]][0] == key[0]
    }
    stats["evidence_created"], stats["evidence_removed"] = _apply_evidence(
        desired=desired, existing=existing, employees=employees
    )
    _progress_changed_on_commit(
        sorted({(e, items.resolve(a)) for e, a in pairs}, key=lambda p: (p[0], p[1] or 0))
    )
    return stats


#: Callbacks told which (employee id, item id or None) progress pairs a projection changed, after its
#: transaction commits (programs recompute completion this way). Register with
#: ``progress_listener_add``; a failing callback is logged and does not undo the projection.
_progress_listeners: list[Callable[[list[tuple[int, int | None]]], None]] = []


def progress_listener_add(callback: Callable[[list[tuple[int, int | None]]], None]) -> None:
    if callback not in _progress_listeners:
        _progress_listeners.append(callback)


def _progress_changed_on_commit(pairs: list[tuple[int, int | None]]) -> None:
    if not pairs or not _progress_listeners:
        return

    def run() -> None:
        for callback in list(_progress_listeners):
            try:
                callback(pairs)
            except Exception:
                logging.getLogger(__name__).exception("progress listener %r failed", callback)

    transaction.on_commit(run)


def project_statements_later(statement_pks: list[int]) -> None:
    """Schedule the projection of these stored statements as a task on the worker.

    With the database task backend (the default) the task row is written in the caller's
    transaction: the statements and the job that projects them commit together (one commit, and no
    window in which a crash keeps the statements but loses their projection). Other backends (a
    queue elsewhere, or running tasks immediately, as the tests do) enqueue after the commit.
    """
    from django_tasks_db.backend import DatabaseBackend

    from trellis.lrs.tasks import project_statements_task

    pks = sorted({int(pk) for pk in statement_pks})
    if not pks:
        return
    same_database = isinstance(project_statements_task.get_backend(), DatabaseBackend)
    if same_database and transaction.get_connection().in_atomic_block:
        project_statements_task.enqueue(pks)
    else:
        transaction.on_commit(lambda: project_statements_task.enqueue(pks))


#: statements read per query by ``reproject_all`` (by primary key, only the columns it needs)
REPROJECT_CHUNK = 20_000


def _reproject_facts() -> Any:
    """The statements a rebuild reads: not voided, about an Activity; only what the projection needs
    (the ``result`` and the actor's ``objectType`` are read out of the JSON by the database)."""
    return (
        Statement.objects.filter(is_voided=False, object_type="Activity")
        .exclude(object_activity_id="")
        .annotate(
            result_json=KeyTransform("result", "data"),
            actor_type=KeyTextTransform("objectType", KeyTransform("actor", "data")),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "statement_id",
            "verb_id",
            "timestamp",
            "registration",
            "actor_ifi",
            "object_activity_id",
            "result_json",
            "actor_type",
        )
    )


@transaction.atomic
def reproject_all(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Delete every progress row and rebuild them all from the non-voided statements (in primary-key
    order, in chunks); learning skill evidence is brought in line (created or removed, never
    duplicated).

    Gives exactly the rows that incremental projection gives. This is ``trellis lrs reproject``.
    """
    from trellis.core.bulk import insert_rows
    from trellis.people.models import Employee

    resolver = EmployeeResolver()
    resolver.preload_all()
    items = ItemResolver()
    accumulators: dict[tuple[int, str], Accumulator] = {}
    stats = dict.fromkeys(
        ("statements", "rows", "unmapped_statements", "evidence_created", "evidence_removed"), 0
    )
    last_pk = Statement.objects.aggregate(last=Max("pk"))["last"] or 0
    employee_of: dict[str, int | None] = {}  # actor IFI → employee id, resolved once per IFI
    connection = connections[router.db_for_read(Statement)]
    db_timezone = connection.timezone
    after, reported = 0, 0
    while True:
        # The ORM's SQL, run on a plain cursor: the values are converted here, only as far as the
        # projection needs (ORM row conversion took a third of a rebuild). ``timestamp`` comes as
        # text from SQLite; ``registration`` stays as stored (it is only counted); ``result`` is
        # JSON text.
        sql, params = (
            _reproject_facts().filter(pk__gt=after)[:REPROJECT_CHUNK].query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            chunk = cursor.fetchall()
        if not chunk:
            break
        after = chunk[-1][0]
        stats["statements"] += len(chunk)
        for (
            pk,
            statement_id,
            verb_id,
            ts,
            registration,
            actor_ifi,
            activity_id,
            result,
            actor_type,
        ) in chunk:
            if isinstance(ts, str):
                ts = datetime.fromisoformat(ts)
            if ts.tzinfo is None:
                ts = ts.replace(tzinfo=db_timezone)
            if actor_type == "Group":
                employee_id = None
            elif actor_ifi in employee_of:
                employee_id = employee_of[actor_ifi]
            else:
                employee_id = employee_of[actor_ifi] = resolver.resolve(actor_ifi)
            if employee_id is None:
                stats["unmapped_statements"] += 1
                continue
            pair = (employee_id, activity_id)
            acc = accumulators.get(pair)
            if acc is None:
                acc = accumulators[pair] = Accumulator()
            acc.add(
                Fact.from_result(
                    pk=pk,
                    statement_id=statement_id,
                    verb_id=verb_id,
                    timestamp=ts,
                    registration=registration,
                    result=json.loads(result) if isinstance(result, str | bytes) else result,
                )
            )
        done = min(100, after * 100 // last_pk) if last_pk else 100
        if stdout and done >= reported + 10:
            reported = done - done % 10
            stdout.write(f"    {stats['statements']} statements read ({reported}%)\n")

    Progress.objects.all().delete()
    items.prefetch({a for _, a in accumulators})
    skills = ItemSkills()
    skills.prefetch(i for _, a in accumulators if (i := items.resolve(a)) is not None)
    desired: dict[EvidenceKey, tuple[Any, int, date]] = {}
    now = timezone.now()
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now, zone)
    rows: list[tuple[Any, ...]] = []
    for pair in sorted(accumulators):
        acc = accumulators[pair]
        if not acc.exists:
            continue
        employee_id, activity_id = pair
        item_id = items.resolve(activity_id)
        values = acc.row_values()
        desired.update(
            _desired_evidence(
                employee_id=employee_id,
                item_id=item_id,
                acc=acc,
                skills=skills,
                today=today,
                zone=zone,
            )
        )
        rows.append(
            (employee_id, activity_id, item_id, *(values[name] for name in ROW_FIELDS[1:]), now)
        )
    # One executemany instead of a model instance per row (the same columns bulk_create writes).
    insert_rows(Progress, ["employee", "activity_id", "item", *ROW_FIELDS[1:], "updated_at"], rows)
    stats["rows"] = len(rows)
    if stdout:
        stdout.write(f"    {len(rows)} progress rows written\n")

    existing = _existing_evidence(employee_ids=None, source_refs=None)
    needed = {key[0] for key in desired} | {key[0] for key in existing}
    employees = {
        e.pk: e for e in Employee.objects.filter(pk__in=sorted(needed)).select_related("user")
    }
    stats["evidence_created"], stats["evidence_removed"] = _apply_evidence(
        desired=desired, existing=existing, employees=employees, bulk=True
    )
    if stdout:
        stdout.write(
            f"    {stats['rows']} progress rows from {stats['statements']} statements "
            f"({stats['unmapped_statements']} not by an employee); skill evidence "
            f"+{stats['evidence_created']} -{stats['evidence_removed']}\n"
        )
    return stats


@transaction.atomic
def activity_alias_set(*, activity_id: str, item: Any) -> ActivityAlias:
    """Map an outside activity id to a catalog item; its existing progress rows follow."""
    alias, _ = ActivityAlias.objects.update_or_create(
        activity_id=activity_id, defaults={"item": item}
    )
    # one statement per actor is enough: each recomputes that learner's whole row for the activity
    latest = (
        Statement.objects.filter(object_activity_id=activity_id)
        .values("actor_ifi")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    project_statements(list(latest))
    return alias
