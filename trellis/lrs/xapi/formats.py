"""The ``format`` parameter of GET statements: exact, ids, canonical (xAPI-Communication.md §2.1.3).

- ``exact``: the statement as stored.
- ``ids``: Agents and identified Groups reduced to ``objectType`` and their IFI; anonymous Groups to
  ``objectType`` and their members reduced that way; Activities to ``objectType`` and ``id``; Verbs to
  ``id``. Applies to the actor, object (and inside a SubStatement), context instructor, team,
  contextActivities, contextAgents/contextGroups and authority.
- ``canonical``: Activities carry the LRS's canonical definition (``activity_definitions``, by id, when
  the caller has it; otherwise the definition in the statement) and Verbs the canonical display
  (``verb_displays``), with every language map of those reduced to the one language that best matches
  the request's Accept-Language (RFC 2616 §14.4, applied to each map on its own), falling back to
  the map's first entry. Agents and Groups stay as in ``exact``.
Pure Python.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from trellis.lrs.xapi.errors import XapiError

__all__ = ["FORMATS", "format_statement", "parse_accept_language", "pick_language"]

FORMATS = ("exact", "ids", "canonical")
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_LANGUAGE_MAPS = ("name", "description")
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def format_statement(
    data: dict[str, Any],
    *,
    fmt: str,
    languages: list[str],
    activity_definitions: Mapping[str, dict[str, Any]] | None = None,
    verb_displays: Mapping[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """``data`` (a stored statement) in format ``fmt``; ``exact`` returns ``data`` itself (not a copy)."""
    if fmt == "exact":
        return data
    if fmt == "ids":
        return _ids_body(data)
    if fmt == "canonical":
        return _canonical_body(data, languages, activity_definitions or {}, verb_displays or {})
    raise XapiError(f"format: must be one of exact, ids, canonical, not {fmt!r}")


# --- ids -----------------------------------------------------------------------------------------


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out: dict[str, Any] = {"objectType": agent.get("objectType", "Agent")}
    for key in IFI_KEYS:
        if key in agent:
            out[key] = agent[key]
            return out
    if isinstance(agent.get("member"), list):
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _ids_activity(activity: Any) -> Any:
    if not isinstance(activity, dict):
        return activity
    return {"objectType": "Activity", "id": activity.get("id")}


def _ids_object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return _ids_activity(obj)
    if object_type in ("Agent", "Group"):
        return _ids_agent(obj)
    if object_type == "SubStatement":
        return _ids_body(obj)
    return dict(obj)


def _ids_body(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "actor" in out:
        out["actor"] = _ids_agent(out["actor"])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    if "object" in out:
        out["object"] = _ids_object(out["object"])
    if "authority" in out:
        out["authority"] = _ids_agent(out["authority"])
    context = out.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _ids_agent(context[key])
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            context["contextActivities"] = {
                key: [_ids_activity(a) for a in (acts if isinstance(acts, list) else [acts])]
                for key, acts in activities.items()
            }
        for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
            if isinstance(context.get(key), list):
                context[key] = [
                    {**item, inner: _ids_agent(item.get(inner))} if isinstance(item, dict) else item
                    for item in context[key]
                ]
        out["context"] = context
    return out


# --- canonical -----------------------------------------------------------------------------------


def _canonical_body(
    data: dict[str, Any],
    languages: list[str],
    definitions: Mapping[str, dict[str, Any]],
    displays: Mapping[str, dict[str, str]],
) -> dict[str, Any]:
    out = dict(data)
    verb = out.get("verb")
    if isinstance(verb, dict):
        verb = dict(verb)
        display = displays.get(verb.get("id", ""), verb.get("display"))
        if isinstance(display, dict):
            verb["display"] = pick_language(display, languages)
        out["verb"] = verb
    obj = out.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            out["object"] = _canonical_activity(obj, languages, definitions)
        elif object_type == "SubStatement":
            out["object"] = _canonical_body(obj, languages, definitions, displays)
    context = out.get("context")
    if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
        context = dict(context)
        context["contextActivities"] = {
            key: [
                _canonical_activity(a, languages, definitions)
                for a in (acts if isinstance(acts, list) else [acts])
            ]
            for key, acts in context["contextActivities"].items()
        }
        out["context"] = context
    return out


def _canonical_activity(
    activity: dict[str, Any], languages: list[str], definitions: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    if not isinstance(activity, dict):
        return activity
    out = dict(activity)
    definition = definitions.get(activity.get("id", ""), activity.get("definition"))
    if not isinstance(definition, dict):
        return out
    definition = copy.deepcopy(definition)
    for key in _LANGUAGE_MAPS:
        if isinstance(definition.get(key), dict):
            definition[key] = pick_language(definition[key], languages)
    for key in _COMPONENT_LISTS:
        for component in definition.get(key) or ():
            if isinstance(component, dict) and isinstance(component.get("description"), dict):
                component["description"] = pick_language(component["description"], languages)
    out["definition"] = definition
    return out


def pick_language(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    """The one entry of ``language_map`` that best matches ``languages`` (most preferred first).

    A range matches a tag equal to it or starting with it followed by "-" (case-insensitive); "*"
    matches anything. If no range matches, a tag with the same primary language as a range is used
    (en-US asked, en present); then the map's first entry.
    """
    if len(language_map) <= 1:
        return dict(language_map)
    lowered = [(tag.lower(), tag) for tag in language_map]
    for wanted in languages:
        wanted = wanted.lower()
        if wanted == "*":
            tag = lowered[0][1]
            return {tag: language_map[tag]}
        for low, tag in lowered:
            if low == wanted or low.startswith(wanted + "-"):
                return {tag: language_map[tag]}
    for wanted in languages:
        primary = wanted.lower().split("-")[0]
        for low, tag in lowered:
            if low.split("-")[0] == primary:
                return {tag: language_map[tag]}
    tag = lowered[0][1]
    return {tag: language_map[tag]}


def parse_accept_language(header: str | None) -> list[str]:
    """Language ranges of an Accept-Language header, most preferred first (q=0 ranges dropped)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.split(";")
        tag = pieces[0].strip()
        if not tag:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, tag))
    ranked.sort()
    return [tag for _, _, tag in ranked]
