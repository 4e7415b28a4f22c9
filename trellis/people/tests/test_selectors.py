from __future__ import annotations

import pytest
from django.http import Http404

from trellis.people import selectors
from trellis.people.services import employee_deactivate


def visible(personas, who: str) -> set[str]:
    user = getattr(personas, who).user
    return {e.user.username for e in selectors.employees_visible_to(user).select_related("user")}


EVERYONE = {"alice", "bob", "maria", "charlie", "oscar", "lena", "erin", "audrey"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", {"alice"}),
        ("bob", {"bob"}),
        ("charlie", {"charlie"}),
        ("maria", {"maria", "alice", "bob"}),
        ("oscar", {"oscar", "charlie"}),
        ("lena", EVERYONE),
        ("erin", EVERYONE),
        ("audrey", EVERYONE),
    ],
)
def test_employees_visible_to_each_persona(personas, who, expected):
    assert visible(personas, who) == expected


def test_get_employee_for_user_404_outside_scope(personas):
    p = personas
    assert (
        selectors.get_employee_for_user(user=p.maria.user, employee_id=p.alice.employee_id)
        == p.alice
    )
    with pytest.raises(Http404):
        selectors.get_employee_for_user(user=p.maria.user, employee_id=p.charlie.employee_id)
    with pytest.raises(Http404):
        selectors.get_employee_for_user(user=p.alice.user, employee_id=p.bob.employee_id)
    with pytest.raises(Http404):
        selectors.get_employee_for_user(user=p.lena.user, employee_id="NO-SUCH-ID")


def test_manager_does_not_see_leavers_of_their_line(personas):
    employee_deactivate(actor=None, employee=personas.bob)
    assert visible(personas, "maria") == {"maria", "alice"}


def test_reporting_line_covers_all_levels(personas):
    line = selectors.reporting_line(manager=personas.erin)
    assert {e.user.username for e in line.select_related("user")} == EVERYONE - {"erin"}
    assert list(selectors.manager_chain(employee=personas.alice)) == [personas.erin, personas.maria]


def test_home_summary(personas, django_assert_max_num_queries):
    s = selectors.employee_home_summary(user=personas.maria.user)
    assert (s["employee"], s["team_size"], s["direct_reports"], s["org"]) == (
        personas.maria,
        2,
        2,
        None,
    )
    s = selectors.employee_home_summary(user=personas.erin.user)
    assert (s["team_size"], s["direct_reports"]) == (7, 4)
    assert s["org"] == {"employees": 8, "departments": 4, "job_roles": 8, "locations": 8}
    s = selectors.employee_home_summary(user=personas.alice.user)
    assert (s["team_size"], s["direct_reports"], s["org"]) == (0, 0, None)
