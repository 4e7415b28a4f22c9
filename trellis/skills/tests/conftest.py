from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from trellis.core.importing import run_import
from trellis.people.models import JobRole
from trellis.people.tests.factories import JobRoleFactory
from trellis.skills.models import Occupation, Skill
from trellis.skills.tests.esco_fixture import OCC, S, write_esco


@dataclass
class Taxonomy:
    role: JobRole
    py: Skill
    debug: Skill
    team: Skill
    ai: dict[str, Skill]


@pytest.fixture
def taxonomy(db: Any, tmp_path: Any) -> Taxonomy:
    """The small ESCO fixture imported (plus AI literacy) and a Technology & Data role on its occupation."""
    report = run_import("esco", write_esco(tmp_path / "esco"))
    assert report.ok
    role = JobRoleFactory(
        title="Software Developer",
        family="Technology & Data",
        seniority=2,
        occupation=Occupation.objects.get(uri=OCC + "dev"),
    )
    ai = {s.uri.rsplit(":", 1)[1]: s for s in Skill.objects.filter(family__slug="ai-literacy")}
    return Taxonomy(
        role=role,
        py=Skill.objects.get(uri=S + "py"),
        debug=Skill.objects.get(uri=S + "debug"),
        team=Skill.objects.get(uri=S + "team"),
        ai=ai,
    )
