"""Benchmark learning paths: time to plan, and total learning time against the exact optimum.

    .venv/bin/python bench/bench_paths.py [--items 20000] [--skills 2000] [--gap 30] [--repeat 20]
        [--random 200] [--catalog 40] [--demo 40] [--seed 7] [--time-limit 60]

Pure engine (``trellis.discovery.engine.paths``), no database. Three families of instances:

- **catalog**: a synthetic catalog shaped like a real one (``--items`` items over ``--skills``
  skills in clusters of ten related skills; a primary skill chosen with a long tail of popularity,
  0-3 related skills at lower weights; levels 1-5 mostly 2-3; formats with their usual lengths,
  longer for higher levels and more skills) and a role gap of ``--gap`` skills from three to four
  clusters (current level 0-2, target 1-3 rungs above). The timing target: under 200 ms.
- **random**: small unstructured instances (40-1,500 items, 5-40 skills, any skills per item, any
  durations), the hardest for a greedy: 1-6 skills per item at random rungs.
- **demo**: the catalog the demo ships (OpenStax sections with their books' tags and the Trellis
  Academy items), gaps of 5-20 skills it teaches.

``--service`` also times the Django service ``path_create`` end to end (read the learner's gap
and skill evidence, load the items that teach the target's skills, plan, write the steps and the
audit entry) on a temporary SQLite database (migrated from scratch, deleted afterwards) holding
the same synthetic catalog as real items, one 30-skill role profile per run.

For every instance the exact optimum of the same cover comes from an integer programme
(``exact_cost``: SciPy ``milp``/HiGHS, which ignores the order; a lower bound of the ordered
optimum), and the ratio heuristic / optimum is printed (mean, worst, share of exact hits). Also
printed: the plain greedy's ratio (the baseline), and the planning time (median, p95, max) of the
full plan (cover, order, weeks) at the target size, next to the load average of the machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trellis.discovery.engine.paths import (  # noqa: E402
    NoOrderedPlan,
    PathConstraints,
    PathItem,
    SkillGoal,
    build_problem,
    cover_cost,
    exact_cost,
    plan_path,
    rung_for,
    solve_cover,
)

FORMATS = {  # format: (weight, minutes low, minutes high)
    "video": (25, 4, 25),
    "article": (20, 5, 20),
    "course": (20, 60, 480),
    "book_section": (12, 10, 40),
    "podcast": (6, 20, 60),
    "interactive": (12, 15, 90),
    "live": (5, 60, 180),
}
LEVEL_WEIGHTS = [18, 32, 28, 16, 6]


def synthetic_catalog(rng: random.Random, n_items: int, n_skills: int) -> list[PathItem]:
    clusters = max(1, n_skills // 10)
    popularity = [1 / (k + 1) ** 0.8 for k in range(n_skills)]
    order = list(range(n_skills))
    rng.shuffle(order)
    names = list(FORMATS)
    fweights = [FORMATS[f][0] for f in names]
    items = []
    primaries = rng.choices(order, weights=popularity, k=n_items)
    for i in range(n_items):
        primary = primaries[i]
        level = rng.choices(range(1, 6), weights=LEVEL_WEIGHTS)[0]
        fmt = rng.choices(names, weights=fweights)[0]
        _, low, high = FORMATS[fmt]
        extra = rng.choices([0, 1, 2, 3], weights=[35, 35, 20, 10])[0]
        teaches = {primary: level}
        cluster = primary // 10
        for _ in range(extra):
            if rng.random() < 0.8:
                skill = cluster * 10 + rng.randrange(10)
            else:
                skill = rng.randrange(clusters) * 10 + rng.randrange(10)
            skill = min(skill, n_skills - 1)
            if skill not in teaches:
                teaches[skill] = rung_for(item_level=level, weight=rng.choice([0.2, 0.4, 0.6, 0.8]))
        base = math.exp(rng.uniform(math.log(low), math.log(high)))
        minutes = round(base * (1 + 0.15 * (level - 1)) * (1 + 0.3 * (len(teaches) - 1)))
        items.append(PathItem(i + 1, max(1, minutes), fmt, level, tuple(sorted(teaches.items()))))
    return items


def role_gap(rng: random.Random, n_skills: int, size: int) -> list[SkillGoal]:
    clusters = max(1, n_skills // 10)
    picked: list[int] = []
    chosen_clusters = rng.sample(range(clusters), min(clusters, rng.randint(3, 4)))
    pool = [c * 10 + k for c in chosen_clusters for k in range(10) if c * 10 + k < n_skills]
    rng.shuffle(pool)
    picked = pool[:size]
    while len(picked) < size:
        skill = rng.randrange(n_skills)
        if skill not in picked:
            picked.append(skill)
    goals = []
    for skill in picked:
        current = rng.choices([0, 1, 2], weights=[50, 30, 20])[0]
        target = min(5, current + rng.choices([1, 2, 3], weights=[40, 40, 20])[0])
        goals.append(SkillGoal(skill, current, target, essential=rng.random() < 0.7))
    return goals


def random_instance(rng: random.Random) -> tuple[list[SkillGoal], list[PathItem]]:
    n_skills = rng.randint(5, 40)
    goals = []
    for skill in range(n_skills):
        current = rng.randint(0, 3)
        goals.append(SkillGoal(skill, current, min(5, current + rng.randint(1, 3))))
    items = []
    for i in range(rng.randint(40, 1500)):
        k = rng.randint(1, 6)
        level = rng.randint(1, 5)
        teaches = {rng.randrange(n_skills): rng.randint(1, level) for _ in range(k)}
        items.append(
            PathItem(i + 1, rng.randint(5, 600), "course", level, tuple(sorted(teaches.items())))
        )
    return goals, items


def demo_catalog() -> tuple[list[PathItem], list[int]]:
    from trellis.catalog import openstax_skills

    ids: dict[str, int] = {}

    def sid(uri: str) -> int:
        return ids.setdefault(uri, len(ids) + 1)

    items = []
    data = ROOT / "trellis" / "catalog" / "demo_data"
    with gzip.open(data / "openstax-catalog.jsonl.gz", "rt") as fh:
        for n, line in enumerate(fh):
            row = json.loads(line)
            slug = row["book_slug"]
            level = openstax_skills.book_level(slug, row.get("book_title", ""))
            teaches = tuple(
                sorted(
                    (sid(uri), rung_for(item_level=level, weight=w))
                    for uri, w in openstax_skills.book_skills(slug)
                )
            )
            minutes = int(row.get("reading_minutes") or 10)
            items.append(PathItem(n + 1, minutes, "book_section", level, teaches))
    for name in ("ai-literacy.json", "workplace-essentials.json"):
        doc = json.loads((data / name).read_text())
        for row in doc["items"] if isinstance(doc, dict) else doc:
            level = int(row.get("level", 2))
            tags = [
                (t["uri"], float(t.get("weight", 1.0))) if isinstance(t, dict) else (t, 1.0)
                for t in row.get("skills", [])
            ]
            teaches = tuple(
                sorted({sid(u): rung_for(item_level=level, weight=w) for u, w in tags}.items())
            )
            items.append(
                PathItem(
                    len(items) + 1,
                    int(row.get("duration_minutes") or 30),
                    row["format"],
                    level,
                    teaches,
                )
            )
    return items, sorted(ids.values())


def ratios(label: str, instances, time_limit: float, ordered_limit: int) -> dict[str, float]:
    """Plan / exact optimum over ``instances``. The optimum respects the order (prerequisites)
    where the instance has at most ``ordered_limit`` candidate items; above that, the cover's
    optimum without the order (a lower bound, so the ratio printed is an upper bound)."""
    found, greedy, hits, sizes, unsolved, bounds, no_order = [], [], 0, [], 0, 0, 0
    plan_ms: list[float] = []
    for goals, items in instances:
        problem = build_problem(goals, items, PathConstraints())
        if not problem.elements:
            continue
        best = None
        if len(problem.candidates) <= ordered_limit:
            try:
                best = exact_cost(problem, ordered=True, time_limit=time_limit)
            except NoOrderedPlan:
                no_order += 1
        if best is None:
            best = exact_cost(problem, time_limit=time_limit)
            bounds += best is not None
        if best is None or best == 0:
            unsolved += 1
            continue
        started = time.perf_counter()
        plan = plan_path(goals, items)
        plan_ms.append((time.perf_counter() - started) * 1000)
        heuristic = plan.total_minutes
        if plan.covered_levels != len(problem.elements):
            raise SystemExit(f"{label}: a plan left a rung uncovered")
        plain = cover_cost(problem, solve_cover(problem, improve=False))
        found.append(heuristic / best)
        greedy.append(plain / best)
        hits += heuristic == best
        sizes.append((len(problem.candidates), len(problem.elements)))
    if not found:
        print(f"{label}: no instance solved")
        return {}
    cands = [c for c, _ in sizes]
    els = [e for _, e in sizes]
    notes = []
    if bounds:
        notes.append(f"{bounds} against the lower bound without the order")
    if no_order:
        notes.append(
            f"{no_order} where no ordered plan exists (the plan takes two steps side by side)"
        )
    if unsolved:
        notes.append(f"{unsolved} not solved by the MILP in time")
    print(
        f"{label}: {len(found)} instances ({min(cands)}-{max(cands)} candidate items, "
        f"{min(els)}-{max(els)} rungs to cover){'; ' + ', '.join(notes) if notes else ''}\n"
        f"    plan / optimum: mean {statistics.mean(found):.4f}, worst {max(found):.4f}, "
        f"optimal in {hits}/{len(found)}; planning median {statistics.median(plan_ms):.1f} ms\n"
        f"    plain greedy / optimum (baseline, its order not checked): mean {statistics.mean(greedy):.4f}, "
        f"worst {max(greedy):.4f}"
    )
    return {"mean": statistics.mean(found), "worst": max(found)}


def service_timing(args: argparse.Namespace, catalog: list[PathItem], rng: random.Random) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        os.environ["TRELLIS_DATA_DIR"] = folder
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        import datetime as dt

        from trellis.catalog.models import Item, ItemSkill, Provider
        from trellis.discovery.paths import path_create, path_replan
        from trellis.people.models import JobRole
        from trellis.people.tests.factories import EmployeeFactory
        from trellis.skills.models import RoleSkill, Skill, SkillEvidence

        started = time.perf_counter()
        provider = Provider.objects.create(slug="bench", name="Bench")
        skills = Skill.objects.bulk_create(
            [
                Skill(uri=f"bench:{n}", source="trellis", label=f"Skill {n}")
                for n in range(args.skills)
            ]
        )
        Item.objects.bulk_create(
            [
                Item(
                    provider=provider,
                    external_id=f"b{it.id}",
                    title=f"Item {it.id}",
                    format=it.format,
                    duration_minutes=it.minutes,
                    level=it.level,
                )
                for it in catalog
            ],
            batch_size=2000,
        )
        ids = dict(Item.objects.values_list("external_id", "id"))
        ItemSkill.objects.bulk_create(
            [
                # the engine reads rung = min(level, ceil(weight x 5)): weight rung / 5 gives it back
                ItemSkill(item_id=ids[f"b{it.id}"], skill=skills[s], weight=r / 5)
                for it in catalog
                for s, r in it.teaches
            ],
            batch_size=5000,
        )
        print(f"\nservice: built {len(catalog):,} items in {time.perf_counter() - started:.1f} s")
        create_ms, replan_ms = [], []
        for n in range(args.repeat):
            goals = role_gap(rng, args.skills, args.gap)
            role = JobRole.objects.create(title=f"Bench role {n}")
            RoleSkill.objects.bulk_create(
                [
                    RoleSkill(job_role=role, skill=skills[g.skill_id], target_level=g.target)
                    for g in goals
                ]
            )
            employee = EmployeeFactory(job_role=role)
            SkillEvidence.objects.bulk_create(
                [
                    SkillEvidence(
                        employee=employee,
                        skill=skills[g.skill_id],
                        level=g.current,
                        observed_on=dt.date(2026, 1, 1),
                    )
                    for g in goals
                    if g.current
                ]
            )
            began = time.perf_counter()
            path = path_create(owner=employee, actor=None, target_kind="role", weekly_minutes=180)
            create_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            path_replan(path=path, employee=employee, actor=None)
            replan_ms.append((time.perf_counter() - began) * 1000)
        for label, values in (("path_create", create_ms), ("path_replan", replan_ms)):
            values.sort()
            p95 = values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]
            print(
                f"    {label} (30-skill role, {len(catalog):,} items, SQLite): median "
                f"{statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {values[-1]:.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--skills", type=int, default=2000)
    parser.add_argument("--gap", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--random", type=int, default=200)
    parser.add_argument("--catalog", type=int, default=40)
    parser.add_argument("--demo", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--service", action="store_true", help="also time path_create on a temporary database"
    )
    parser.add_argument("--only-service", action="store_true", help="only the service timing")
    parser.add_argument(
        "--ordered-limit",
        type=int,
        default=1200,
        help="largest instance (candidate items) solved exactly with the order",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # --- timing at the target size --------------------------------------------------------------
    catalog = synthetic_catalog(rng, args.items, args.skills)
    if args.service or args.only_service:
        service_timing(args, catalog, random.Random(args.seed + 1))
        if args.only_service:
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return
    by_skill: dict[int, list[PathItem]] = {}
    started = time.perf_counter()
    for item in catalog:
        for skill, _ in item.teaches:
            by_skill.setdefault(skill, []).append(item)
    index_ms = (time.perf_counter() - started) * 1000
    times, full_times, steps, minutes = [], [], [], []
    gaps = [role_gap(rng, args.skills, args.gap) for _ in range(args.repeat)]
    for goals in gaps:
        constraints = PathConstraints(weekly_minutes=180, deadline_weeks=26)
        started = time.perf_counter()
        seen: dict[int, PathItem] = {}
        for goal in goals:
            for item in by_skill.get(goal.skill_id, ()):
                seen[item.id] = item
        plan = plan_path(goals, seen.values(), constraints)
        times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        plan_path(goals, catalog, constraints)
        full_times.append((time.perf_counter() - started) * 1000)
        steps.append(len(plan.steps))
        minutes.append(plan.total_minutes)
    times.sort()
    full_times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    print(
        f"\nplan for a role gap of {args.gap} skills over {args.items:,} items "
        f"({args.skills:,} skills), {args.repeat} gaps:\n"
        f"    from the skill index (what the service does): median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms\n"
        f"    scanning all {args.items:,} items: median {statistics.median(full_times):.1f} ms, "
        f"max {full_times[-1]:.1f} ms\n"
        f"    (building the skill index once: {index_ms:.1f} ms)\n"
        f"    plans: {statistics.median(steps):.0f} steps, {statistics.median(minutes) / 60:.1f} h median"
    )

    # --- optimality -----------------------------------------------------------------------------
    print("\nratio of total learning time to the exact optimum (MILP):")
    catalog_instances = []
    for _ in range(args.catalog):
        goals = role_gap(rng, args.skills, args.gap)
        wanted = {g.skill_id for g in goals}
        catalog_instances.append(
            (goals, [it for it in catalog if any(s in wanted for s, _ in it.teaches)])
        )
    ratios(
        f"catalog ({args.items:,} items, {args.gap}-skill role gaps)",
        catalog_instances,
        args.time_limit,
        args.ordered_limit,
    )
    ratios(
        "random small instances",
        [random_instance(rng) for _ in range(args.random)],
        args.time_limit,
        args.ordered_limit,
    )
    demo_items, demo_skills = demo_catalog()
    demo_instances = []
    for _ in range(args.demo):
        picked = rng.sample(demo_skills, min(len(demo_skills), rng.randint(5, 20)))
        goals = []
        for skill in picked:
            current = rng.choice([0, 0, 1])
            goals.append(SkillGoal(skill, current, min(5, current + rng.randint(1, 3))))
        demo_instances.append((goals, demo_items))
    ratios(
        f"demo catalog ({len(demo_items):,} items)",
        demo_instances,
        args.time_limit,
        args.ordered_limit,
    )
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
