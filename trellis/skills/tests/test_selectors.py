from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis.skills.models import SkillEvidence
from trellis.skills.selectors import employee_skill_profile
from trellis.skills.services import role_profile_generate


def _evidence(employee, skill, level, days_ago, kind="self"):
    return SkillEvidence.objects.create(
        employee=employee,
        skill=skill,
        level=level,
        kind=kind,
        observed_on=dt.date.today() - dt.timedelta(days=days_ago),
    )


def test_employee_skill_profile_values(taxonomy, personas):
    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    _evidence(alice, taxonomy.py, 1, days_ago=30)
    _evidence(alice, taxonomy.py, 2, days_ago=1, kind="manager")  # latest wins, any kind
    _evidence(alice, taxonomy.team, 4, days_ago=3)  # not in the role: "other"
    _evidence(alice, taxonomy.ai["prompting"], 3, days_ago=2)
    _evidence(alice, taxonomy.ai["foundations"], 4, days_ago=2)
    _evidence(personas.bob, taxonomy.debug, 5, days_ago=1)  # someone else's

    profile = employee_skill_profile(employee=alice)

    by_uri = {line.uri: line for line in profile.role_lines}
    assert set(by_uri) == {taxonomy.py.uri, taxonomy.debug.uri}
    py = by_uri[taxonomy.py.uri]
    assert (
        py.target_level,
        py.current_level,
        py.level_name,
        py.evidence_kind,
        py.gap,
        py.is_essential,
    ) == (3, 2, "Beginner", "manager", 1, True)
    debug = by_uri[taxonomy.debug.uri]
    assert (debug.current_level, debug.level_name, debug.gap) == (None, "", 3)
    assert [(line.uri, line.current_level, line.target_level) for line in profile.other_lines] == [
        (taxonomy.team.uri, 4, None)
    ]
    assert len(profile.ai_literacy) == 8
    prompting = next(line for line in profile.ai_literacy if line.uri.endswith(":prompting"))
    assert (
        prompting.current_level,
        prompting.level_name,
        prompting.target_level,
        prompting.family,
    ) == (3, "Practitioner", 4, "AI literacy")
    assert (profile.ai_literacy_level, profile.ai_literacy_level_name) == (
        4,
        "Proficient",
    )  # mean 3.5 rounds up
    assert profile.ai_level_names == [
        "Aware",
        "Exploring",
        "Practitioner",
        "Proficient",
        "Advanced",
    ]


def test_employee_skill_profile_query_count_is_constant(taxonomy, personas):
    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    _evidence(alice, taxonomy.py, 2, days_ago=1)
    with CaptureQueriesContext(connection) as small:
        employee_skill_profile(employee=alice)
    for i, skill in enumerate([taxonomy.team, taxonomy.debug, *taxonomy.ai.values()]):
        _evidence(alice, skill, 1 + i % 5, days_ago=i)
        _evidence(alice, skill, 2, days_ago=i + 10)
    with CaptureQueriesContext(connection) as large:
        profile = employee_skill_profile(employee=alice)
    assert len(small.captured_queries) == len(large.captured_queries) == 3
    assert len(profile.other_lines) == 1


def test_employee_without_role_or_evidence(taxonomy, personas):
    charlie = personas.charlie
    charlie.job_role = None
    charlie.save(update_fields=["job_role"])
    profile = employee_skill_profile(employee=charlie)
    assert (
        profile.role_lines,
        profile.other_lines,
        profile.ai_literacy_level,
        profile.ai_literacy_level_name,
    ) == ([], [], None, None)
    assert [line.current_level for line in profile.ai_literacy] == [None] * 8


def test_ai_literacy_levels_for_a_team_match_the_profile_rule(
    taxonomy, personas, django_assert_num_queries
):
    from trellis.skills.selectors import ai_literacy_levels

    alice, bob, charlie = personas.alice, personas.bob, personas.charlie
    _evidence(alice, taxonomy.ai["prompting"], 1, days_ago=10)
    _evidence(alice, taxonomy.ai["prompting"], 3, days_ago=1)  # latest wins
    _evidence(alice, taxonomy.ai["foundations"], 4, days_ago=2)  # mean 3.5 -> 4
    _evidence(bob, taxonomy.ai["foundations"], 2, days_ago=2)
    _evidence(bob, taxonomy.py, 5, days_ago=2)  # not AI literacy: ignored
    with django_assert_num_queries(1):
        levels = ai_literacy_levels(employees=[alice, bob, charlie])
    assert levels == {alice.pk: 4, bob.pk: 2, charlie.pk: None}
    assert levels[alice.pk] == employee_skill_profile(employee=alice).ai_literacy_level
