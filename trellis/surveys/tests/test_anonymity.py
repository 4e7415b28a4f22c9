"""The anonymity rules, on the pure aggregation function (no database)."""

from __future__ import annotations

from trellis.surveys.anonymity import ALL, REMAINDER, Entry, plan_for, table


def entry(
    *,
    department: str = "eng",
    location: str = "london",
    chain: tuple[int, ...] = (1,),
    answers: dict | None = None,
) -> Entry:
    return Entry(
        segment={
            "department": (department, department.title()),
            "location": (location, location.title()),
            "job_role": ("r", "Role"),
            "role_family": ("f", "Family"),
            "ai_literacy_level": ("2", "Exploring"),
        },
        chain=chain,
        answers=answers or {},
    )


def many(n: int, **kw) -> list[Entry]:
    return [entry(**kw) for _ in range(n)]


def shown(cells) -> dict[str, int | None]:
    return {c.key: c.respondents for c in cells}


def test_every_cell_below_the_threshold_is_suppressed_and_so_is_its_complement():
    entries = many(6, department="eng") + many(5, department="sales") + many(2, department="legal")
    plan = plan_for(entries, k=5)
    cells = table(entries, plan, dimension="department")
    # legal (2) alone would be total minus the others: sales (the smallest shown) joins it
    assert shown(cells) == {"eng": 6, "legal": None, "sales": None}
    assert [c.suppressed for c in cells] == [False, True, True]
    assert plan.groups["department"] == {"eng": "eng", "sales": REMAINDER, "legal": REMAINDER}


def test_no_suppression_needed_when_every_cell_meets_the_threshold():
    entries = many(5, department="eng") + many(6, department="sales")
    cells = table(entries, plan_for(entries, k=5), dimension="department")
    assert shown(cells) == {"eng": 5, "sales": 6}


def test_a_wave_below_the_threshold_publishes_nothing():
    entries = many(4)
    plan = plan_for(entries, k=5)
    assert plan.published is False
    assert [(c.key, c.respondents, c.suppressed) for c in table(entries, plan, dimension=ALL)] == [
        ("all", None, True)
    ]


def test_an_open_wave_publishes_nothing():
    entries = many(30)
    plan = plan_for(entries, k=5, closed=False)
    assert table(entries, plan, dimension=ALL)[0].suppressed is True


def test_manager_line_just_at_and_just_below_the_threshold():
    # manager 2's line (below 1): 5 then 4 respondents; 10 others elsewhere under manager 1
    at = many(5, chain=(1, 2)) + many(10, chain=(1, 3))
    plan = plan_for(at, k=5)
    assert table(at, plan, dimension=ALL, line=2)[0].respondents == 5
    below = many(4, chain=(1, 2)) + many(10, chain=(1, 3))
    plan = plan_for(below, k=5)
    assert table(below, plan, dimension=ALL, line=2)[0].suppressed is True
    assert table(below, plan, dimension=ALL, line=2)[0].respondents is None


def test_a_line_whose_complement_in_the_parent_is_too_small_is_suppressed():
    # line 2 has 8 of the 10 respondents: the wave minus the line would show 2 people
    entries = many(8, chain=(1, 2)) + many(2, chain=(1,))
    plan = plan_for(entries, k=5)
    assert 2 not in plan.lines
    assert table(entries, plan, dimension=ALL, line=2)[0].suppressed is True
    # the wave as a whole is still shown
    assert table(entries, plan, dimension=ALL)[0].respondents == 10


def test_differencing_a_department_and_a_line_cannot_single_anyone_out():
    # line 2 (10 people) is all in finance; finance has 12: finance minus the line = 2 people
    entries = (
        many(10, department="finance", chain=(1, 2))
        + many(2, department="finance", chain=(1, 3))
        + many(20, department="eng", chain=(1, 3))
    )
    plan = plan_for(entries, k=5)
    assert shown(table(entries, plan, dimension="department")) == {"eng": 20, "finance": 12}
    # whoever sees the department table does not get line 2 (finance minus it = 2 people) ...
    assert table(entries, plan, dimension=ALL, line=2)[0].suppressed is True
    # ... nor line 3 (line 3 minus the eng cell, all in line 3, = the same 2 people)
    assert table(entries, plan, dimension=ALL, line=3)[0].suppressed is True
    # a manager who sees only their own line's totals gets them
    assert table(entries, plan, dimension=ALL, line=2, with_wave_tables=False)[0].respondents == 10
    assert table(entries, plan, dimension=ALL, line=3, with_wave_tables=False)[0].respondents == 22


def test_differencing_a_parent_line_and_its_sub_lines_cannot_single_anyone_out():
    # line 2 = lines 3 and 4 (6 each) plus 2 direct reports: 2 minus 3 minus 4 = 2 people
    entries = (
        many(6, chain=(1, 2, 3))
        + many(6, chain=(1, 2, 4))
        + many(2, chain=(1, 2))
        + many(10, chain=(1, 5))
    )
    plan = plan_for(entries, k=5)
    published = {
        m
        for m in (1, 2, 3, 4, 5)
        if not table(entries, plan, dimension=ALL, line=m, with_wave_tables=False)[0].suppressed
    }
    # the smallest team line (3) joins its manager's line: 2 minus 4 = 8 people
    assert published == {1, 2, 4, 5}
    assert table(entries, plan, dimension=ALL, line=2, with_wave_tables=False)[0].respondents == 14


def test_a_line_gives_its_totals_only():
    entries = many(10, location="london", chain=(1, 2)) + many(20, location="paris", chain=(1, 3))
    plan = plan_for(entries, k=5)
    assert table(entries, plan, dimension=ALL, line=2)[0].respondents == 10
    cells = table(entries, plan, dimension="location", line=2)
    assert [(c.key, c.respondents, c.suppressed) for c in cells] == [
        ("london", None, True),
        ("paris", None, True),
    ]


def test_a_line_is_withheld_when_a_group_outside_it_is_too_small():
    # the wave's remainder (london + berlin = 15) minus line 2 (13, all london or berlin) would
    # show the 2 Londoners of line 3
    entries = (
        many(10, location="london", chain=(1, 2))
        + many(3, location="berlin", chain=(1, 2))
        + many(2, location="london", chain=(1, 3))
        + many(20, location="paris", chain=(1, 3))
    )
    plan = plan_for(entries, k=5)
    assert shown(table(entries, plan, dimension="location")) == {
        "berlin": None,
        "london": None,
        "paris": 20,
    }
    assert plan.groups["location"]["london"] == REMAINDER
    assert table(entries, plan, dimension=ALL, line=2)[0].suppressed is True
    assert table(entries, plan, dimension=ALL, line=2, with_wave_tables=False)[0].respondents == 13


def test_finance_minus_finance_in_berlin_is_not_a_query_the_rules_answer():
    # the only cuts are one dimension and a reporting line; a department crossed with a location
    # is no cell of any table, so "Finance" minus "Finance without Berlin" cannot be asked
    entries = (
        many(10, department="finance", location="berlin")
        + many(1, department="finance", location="paris")
        + many(10, department="eng", location="paris")
    )
    plan = plan_for(entries, k=5)
    keys = {c.key for d in ("department", "location") for c in table(entries, plan, dimension=d)}
    assert keys == {"finance", "eng", "berlin", "paris"}
    assert set(plan.groups) == {
        "department",
        "job_role",
        "location",
        "role_family",
        "ai_literacy_level",
    }


def _wave_sets(entries, plan, dimension):
    """The sets whose aggregates the wave's table of one dimension gives (cells, the whole, and
    the whole minus the shown cells)."""
    whole = table(entries, plan, dimension=ALL)[0]
    if whole.suppressed:
        return []
    members = frozenset(id(e) for e in whole.entries)
    sets = [members]
    shown_ids: set[int] = set()
    for c in table(entries, plan, dimension=dimension):
        if not c.suppressed:
            ids = frozenset(id(e) for e in c.entries)
            sets.append(ids)
            shown_ids |= ids
    sets.append(members - shown_ids)
    return [s for s in sets if s]


def _line_set(entries, plan, line, with_wave_tables):
    cell = table(entries, plan, dimension=ALL, line=line, with_wave_tables=with_wave_tables)[0]
    return None if cell.suppressed else frozenset(id(e) for e in cell.entries)


def _check(sets, k):
    assert all(len(s) >= k for s in sets)
    for a in sets:
        inner = [b for b in sets if b < a]
        for b in inner:
            assert len(a - b) >= k
        for b in inner:
            for c in inner:
                if not b & c and b | c < a:
                    assert len(a - b - c) >= k


def test_no_difference_of_published_figures_isolates_fewer_than_k_people():
    """Random organisations: (1) a wave table plus any one line (an org reader who is also a
    manager); (2) every line's totals together (managers pooling what they see)."""
    import random

    rng = random.Random(7)
    for _ in range(60):
        entries = []
        for _ in range(rng.randint(8, 70)):
            chain = rng.choice(
                [(1,), (1, 2), (1, 2, 4), (1, 2, 5), (1, 3), (1, 3, 6), (1, 3, 6, 7)]
            )
            entries.append(
                entry(
                    department=rng.choice(["eng", "eng", "sales", "legal"]),
                    location=rng.choice(["london", "berlin", "paris"]),
                    chain=chain,
                )
            )
        k = rng.choice([3, 5])
        plan = plan_for(entries, k=k)
        lines = sorted({m for e in entries for m in e.chain})
        for dimension in ("department", "location"):
            wave = _wave_sets(entries, plan, dimension)
            for line in lines:
                one = _line_set(entries, plan, line, True)
                _check([*wave, *([one] if one else [])], k)
        totals = [s for line in lines if (s := _line_set(entries, plan, line, False))]
        whole = table(entries, plan, dimension=ALL)[0]
        if not whole.suppressed:
            totals.append(frozenset(id(e) for e in whole.entries))
        _check(totals, k)
