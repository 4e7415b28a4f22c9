"""The demo organisation builder: an ordered list of idempotent steps, one place to extend.

Each step is a function ``(*, stdout) -> dict`` (a summary) that lives in its app's ``demo.py``.
A step that has finished at its current version is skipped on the next run, so ``trellis demo`` can
be run again and reuses what is there. To add a part to the demo (programs, statements, surveys),
write a step in your app's ``demo.py`` and append it here; bump a step's version to re-run it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any, TextIO

from django.db import transaction

from trellis.core.models import DemoStep


@dataclass(frozen=True)
class Step:
    name: str
    version: int
    target: str  # dotted path of the step function
    description: str


DEMO_STEPS: list[Step] = [
    Step(
        "skills.taxonomy",
        1,
        "trellis.skills.demo.load_taxonomy",
        "ESCO and O*NET subset for the demo roles",
    ),
    Step(
        "skills.ai_literacy",
        1,
        "trellis.skills.demo.load_ai_literacy",
        "AI literacy skill family and its level ladder",
    ),
    Step(
        "people.organisation",
        1,
        "trellis.people.demo.build_organisation",
        "Departments, locations, roles and ~1,000 employees",
    ),
    Step(
        "skills.role_profiles",
        1,
        "trellis.skills.demo.build_role_profiles",
        "Role profiles from the roles' occupations",
    ),
    Step(
        "catalog.items",
        1,
        "trellis.catalog.demo.build_catalog",
        "Catalog: OpenStax textbooks and AI literacy items",
    ),
    Step(
        "discovery.search_index",
        1,
        "trellis.discovery.search.demo_search_index",
        "Search index of the catalog (the worker then embeds the items and suggests skills)",
    ),
    Step(
        "skills.evidence",
        1,
        "trellis.skills.demo.build_self_ratings",
        "Self-rated skill evidence for employees",
    ),
    # Before the LRS step: the programs' learning statements are stored unprojected, and the LRS
    # step's one bulk rebuild of progress projects them with its own.
    Step(
        "programs.demo",
        1,
        "trellis.programs.demo.build_programs",
        "Programs: AI fluency, responsible AI policy, data privacy, AI in sales",
    ),
    Step(
        "lrs.statements",
        1,
        "trellis.lrs.demo.build_statements",
        "Six months of simulated xAPI statements (~300,000) and the progress they give",
    ),
    Step(
        "programs.completion",
        1,
        "trellis.programs.demo.build_completion",
        "Programs: completion from the learning records",
    ),
    Step(
        "notify.demo",
        1,
        "trellis.notify.demo.build_inboxes",
        "Notifications: inboxes of the demo logins and a failed webhook delivery",
    ),
    Step(
        "discovery.paths_playlists",
        1,
        "trellis.discovery.paths.demo_paths_and_playlists",
        "Learning paths and playlists: curated by L&D, Sam's own, Sam's path, Priya's suggestion",
    ),
    Step(
        "discovery.recommendations",
        1,
        "trellis.discovery.recommendations.demo_impressions",
        "For you: two months of simulated feed views (impressions for the fairness report)",
    ),
    Step(
        "surveys.demo",
        1,
        "trellis.surveys.demo.build_demo",
        "Surveys: two waves of the AI-readiness pulse, answered as the survey article found",
    ),
    Step(
        "governance.demo",
        1,
        "trellis.governance.demo.build_demo",
        "AI governance: strategy and usage expectations, owners, AI systems inventory",
    ),
    Step(
        "mentoring.demo",
        1,
        "trellis.mentoring.demo.build_demo",
        "Mentoring: mentors, requests, sessions and feedback",
    ),
    Step(
        "insights.demo",
        1,
        "trellis.insights.demo.build_demo",
        "Insights: the dashboards' aggregates",
    ),
]


def _resolve(target: str) -> Any:
    module, _, name = target.rpartition(".")
    return getattr(import_module(module), name)


def build_demo(*, stdout: TextIO | None = None, force: bool = False) -> dict[str, dict[str, Any]]:
    """Run every demo step that has not finished at its current version. Returns the summaries."""
    done = {step.name: step.version for step in DemoStep.objects.all()}
    results: dict[str, dict[str, Any]] = {}
    for step in DEMO_STEPS:
        if not force and done.get(step.name) == step.version:
            results[step.name] = {"skipped": True}
            if stdout:
                stdout.write(f"  ✓ {step.description} (already there)\n")
            continue
        started = time.monotonic()
        if stdout:
            stdout.write(f"  … {step.description}\n")
            stdout.flush()
        with transaction.atomic():
            summary = _resolve(step.target)(stdout=stdout) or {}
            DemoStep.objects.update_or_create(
                name=step.name, defaults={"version": step.version, "summary": summary}
            )
        summary["seconds"] = round(time.monotonic() - started, 1)
        results[step.name] = summary
        if stdout:
            stdout.write(f"  ✓ {step.description} ({summary['seconds']} s)\n")
    return results
