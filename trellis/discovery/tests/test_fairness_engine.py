"""The fairness report's arithmetic and flag rule, without the database."""

from __future__ import annotations

import pytest

from trellis.discovery.engine.fairness import GroupCounts, fairness_report, is_flagged


@pytest.mark.parametrize(
    ("rate", "overall", "flagged"),
    [
        (0.50, 0.70, True),  # 0.71 of the overall rate, 20 points below
        (0.60, 0.70, False),  # 0.86 of the overall rate
        (0.03, 0.06, False),  # half the rate, but only 3 points below
        (None, 0.5, False),
        (0.0, 0.0, False),
    ],
)
def test_flag_rule(rate, overall, flagged):
    assert is_flagged(rate, overall) is flagged


def test_report_flags_a_large_group_below_four_fifths_and_never_a_small_one():
    counts = [
        GroupCounts("Department", "Sales", 40, 12, 100, 20, 5),
        GroupCounts("Department", "Finance", 40, 36, 300, 150, 60),
        GroupCounts("Department", "Legal", 4, 0, 0, 0, 0),
        GroupCounts("Location", "Paris", 84, 48, 400, 170, 65),
    ]
    department, location = fairness_report(counts)
    assert department.dimension == "Department"
    assert department.overall == {
        "exposure": 48 / 84,
        "high_quality": 170 / 400,
        "acceptance": 65 / 400,
    }
    rows = {r.group: r for r in department.rows}
    assert [r.group for r in department.rows] == ["Finance", "Legal", "Sales"]
    assert rows["Sales"].flags == ["exposure", "high_quality", "acceptance"]
    assert rows["Finance"].flags == []
    assert rows["Legal"].flags == []
    assert rows["Legal"].too_small == ["exposure", "high_quality", "acceptance"]
    assert rows["Sales"].rates["exposure"] == pytest.approx(0.3)
    assert rows["Sales"].ratios["exposure"] == pytest.approx(0.3 / (48 / 84))
    assert [r.group for r in department.flagged] == ["Sales"]
    assert location.flagged == []
