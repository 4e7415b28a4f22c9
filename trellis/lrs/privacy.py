"""What the LRS holds about a person: the statements that name them, their progress rows and the
documents (agent profiles, state) kept for them (export and erasure; contract in
``trellis.governance.personal_data``).

A person is named in a statement by ``mbox`` (``mailto:`` + their email), ``mbox_sha1sum`` of that
IRI, or an ``account`` whose homePage is ``SITE_URL`` and whose name is their username or HRIS id
(the projection's rules). Statements are found through the agent index (``StatementAgent``), so
erasure touches only the person's own statements."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.conf import settings
from django.db.models.functions import Lower

from trellis.lrs.models import Document, Progress, Statement, StatementAgent


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def _sha1(email: str) -> str:
    return hashlib.sha1(f"mailto:{email}".encode(), usedforsecurity=False).hexdigest()


def _identity(employee: Any) -> tuple[set[str], set[str], set[str]]:
    emails = {employee.email, employee.email.lower()}
    local, _, domain = employee.email.rpartition("@")
    emails.add(f"{local}@{domain.lower()}")
    mboxes = {f"mailto:{e}".lower() for e in emails}
    sha1s = {_sha1(e) for e in emails}
    names = {employee.user.username, employee.employee_id}
    return mboxes, sha1s, names


def agent_ifis(employee: Any) -> set[str]:
    """Every agent index string that may name ``employee``."""
    emails = {employee.email, employee.email.lower()}
    local, _, domain = employee.email.rpartition("@")
    emails.add(f"{local}@{domain.lower()}")
    ifis = {f"mbox:mailto:{e}" for e in emails}
    ifis |= {f"mbox_sha1sum:{_sha1(e)}" for e in emails}
    for home in (_site(), f"{_site()}/"):
        ifis |= {f"account:{home}|{n}" for n in (employee.user.username, employee.employee_id)}
    return ifis


def _index_rows(employee: Any) -> Any:
    """The person's agent index rows. IFIs are compared lower-cased, as the projection maps them
    (``mailto:Ada@…`` is Ada too): one scan of the index per erasure or export, a rare request."""
    lowered = sorted({i.lower() for i in agent_ifis(employee)})
    return StatementAgent.objects.annotate(ifi_lower=Lower("agent_ifi")).filter(
        ifi_lower__in=lowered
    )


def _documents(employee: Any) -> Any:
    lowered = sorted({i.lower() for i in agent_ifis(employee)})
    return Document.objects.annotate(ifi_lower=Lower("agent_ifi")).filter(ifi_lower__in=lowered)


def _statement_ids(employee: Any) -> list[int]:
    return sorted(set(_index_rows(employee).values_list("statement_id", flat=True)))


def _is_person(agent: dict[str, Any], identity: tuple[set[str], set[str], set[str]]) -> bool:
    mboxes, sha1s, names = identity
    if isinstance(agent.get("mbox"), str):
        return agent["mbox"].lower() in mboxes
    if isinstance(agent.get("mbox_sha1sum"), str):
        return agent["mbox_sha1sum"].lower() in sha1s
    account = agent.get("account")
    if isinstance(account, dict):
        home = str(account.get("homePage", "")).rstrip("/")
        return home == _site() and account.get("name") in names
    return False


def _rewrite(value: Any, identity: Any, anonymous: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_rewrite(v, identity, anonymous) for v in value]
    if isinstance(value, dict):
        if _is_person(value, identity):
            out = {"objectType": value["objectType"]} if "objectType" in value else {}
            return {**out, **anonymous}
        return {k: _rewrite(v, identity, anonymous) for k, v in value.items()}
    return value


def export_data(*, employee: Any) -> dict[str, Any]:
    ids = _statement_ids(employee)
    statements = [
        data
        for data in Statement.objects.filter(pk__in=ids)
        .order_by("stored", "id")
        .values_list("data", flat=True)
    ]
    documents = []
    for doc in _documents(employee).order_by("updated"):
        content = bytes(doc.content)
        try:
            text: str | None = content.decode("utf-8")
            encoded = None
        except UnicodeDecodeError:
            text, encoded = None, base64.b64encode(content).decode()
        documents.append(
            {
                "kind": doc.kind,
                "activity_id": doc.activity_id,
                "document_id": doc.document_id,
                "content_type": doc.content_type,
                "content": text,
                "content_base64": encoded,
                "updated": doc.updated,
            }
        )
    return {
        "statements": statements,
        "progress": list(
            Progress.objects.filter(employee_id=employee.pk)
            .order_by("first_activity_at", "id")
            .values(
                "activity_id",
                "item__title",
                "status",
                "score_scaled",
                "time_spent_seconds",
                "attempts",
                "first_activity_at",
                "last_activity_at",
                "completed_at",
            )
        ),
        "documents": documents,
    }


def erase_data(*, employee: Any, pseudonym: str) -> dict[str, int]:
    """In every statement that names the person, each of their agent objects becomes the anonymous
    account ``{"homePage": SITE_URL, "name": pseudonym}`` (their name goes with it), in the JSON and
    in the index columns; their agent profiles and state documents are deleted. Statements, their
    count and the progress rows stay."""
    identity = _identity(employee)
    ifis_lower = {i.lower() for i in agent_ifis(employee)}
    anonymous = {"account": {"homePage": _site(), "name": pseudonym}}
    anonymous_ifi = f"account:{_site()}|{pseudonym}"
    names = {employee.full_name}
    ids = _statement_ids(employee)
    changed = 0
    for start in range(0, len(ids), 500):
        batch = list(Statement.objects.filter(pk__in=ids[start : start + 500]))
        for statement in batch:
            data = _rewrite(statement.data, identity, anonymous)
            for name in names:  # the name written anywhere else (a response, an extension)
                if name and name in str(data):
                    data = _replace_text(data, name, pseudonym)
            statement.data = data
            for column in ("actor_ifi", "object_agent_ifi", "authority_ifi"):
                if getattr(statement, column).lower() in ifis_lower:
                    setattr(statement, column, anonymous_ifi)
        Statement.objects.bulk_update(
            batch, ["data", "actor_ifi", "object_agent_ifi", "authority_ifi"]
        )
        changed += len(batch)
    index_pks = list(_index_rows(employee).values_list("pk", flat=True))
    index_rows = sum(
        StatementAgent.objects.filter(pk__in=index_pks[start : start + 500]).update(
            agent_ifi=anonymous_ifi
        )
        for start in range(0, len(index_pks), 500)
    )
    documents = Document.objects.filter(
        pk__in=list(_documents(employee).values_list("pk", flat=True))
    ).delete()[0]
    return {"statements": changed, "agent_index_rows": index_rows, "documents": documents}


def _replace_text(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_text(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_text(v, old, new) for k, v in value.items()}
    return value
