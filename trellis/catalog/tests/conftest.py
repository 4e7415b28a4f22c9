from __future__ import annotations

from typing import Any

import pytest

from trellis.skills.models import Skill

PY = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
STATS = "http://data.europa.eu/esco/skill/7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
PROMPTING = "trellis:ai-literacy:prompting"


@pytest.fixture
def skills(db: Any) -> dict[str, Skill]:
    return {
        "python": Skill.objects.create(
            uri=PY, source="esco", label="Python (computer programming)"
        ),
        "stats": Skill.objects.create(uri=STATS, source="esco", label="statistics"),
        "prompting": Skill.objects.create(uri=PROMPTING, source="trellis", label="Prompting"),
    }
