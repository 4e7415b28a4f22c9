"""Benchmark the catalog list page (and API list) on 10,000 items.

    .venv/bin/python bench/bench_catalog_list.py [--items 10000] [--repeat 5]

Builds a temporary SQLite database (migrated from scratch, deleted afterwards) with 10,000 items
from 5 providers, 300 skills and 3 tags per item, then requests pages with a logged-in test
client. For each request it prints the median time and the number of SQL queries. Ratios are
against baselines measured in the same run: the same page over a provider with only 100 items,
and a bare ``Item.objects.count()``. Nothing is asserted; the numbers are for reading.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)


def build(n_items: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from trellis.catalog.models import Item, ItemSkill, Provider
    from trellis.skills.models import Skill

    rng = random.Random(42)
    providers = [Provider.objects.create(slug=f"p{n}", name=f"Provider {n}") for n in range(4)]
    small = Provider.objects.create(slug="small", name="Small provider")
    skills = Skill.objects.bulk_create(
        [
            Skill(uri=f"bench:skill:{n}", source="trellis", label=f"Skill {n:03d}")
            for n in range(300)
        ]
    )
    formats = [f for f, _ in Item.Format.choices]
    items = [
        Item(
            provider=small if n < 100 else providers[n % 4],
            external_id=f"bench-{n}",
            title=f"Item {n:05d} about topic {rng.randint(1, 500)}",
            description="A short description of what this item teaches. " * 3,
            format=rng.choice(formats),
            duration_minutes=rng.choice([5, 8, 15, 25, 40, 55, 90, 150, 240]),
            level=rng.randint(1, 5),
            language=rng.choice(["en", "en", "en", "de", "fr"]),
            launch_url=f"https://learn.example.com/{n}",
            license="CC BY 4.0",
            attribution="Bench data",
        )
        for n in range(n_items)
    ]
    Item.objects.bulk_create(items, batch_size=1000)
    ids = list(Item.objects.values_list("id", flat=True))
    links = [
        ItemSkill(item_id=item_id, skill=skill, weight=round(rng.random(), 2))
        for item_id in ids
        for skill in rng.sample(skills, 3)
    ]
    ItemSkill.objects.bulk_create(links, batch_size=2000)
    user = get_user_model().objects.create_user(username="bench", password="x")
    popular = ItemSkill.objects.values("skill_id").order_by("skill_id").first()
    return {"user": user, "skill": popular["skill_id"] if popular else skills[0].pk}


def measure(client: Any, url: str, repeat: int, **headers: Any) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    status = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
        status = response.status_code
    return statistics.median(times) * 1000, queries, status


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the catalog list page")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as tmp:
        started = time.perf_counter()
        setup_django(Path(tmp) / "bench.sqlite3")
        data = build(args.items)
        print(
            f"built {args.items} items, {args.items * 3} tags in {time.perf_counter() - started:.1f} s (SQLite, temporary)"
        )

        from django.test import Client

        from trellis.catalog.models import Item

        client = Client()
        client.force_login(data["user"])
        client.get("/catalog/")  # warm up templates and caches

        t0 = time.perf_counter()
        for _ in range(args.repeat):
            Item.objects.count()
        count_ms = (time.perf_counter() - t0) / args.repeat * 1000
        baseline_ms, baseline_q, _ = measure(client, "/catalog/?provider=small", args.repeat)
        print(
            f"baseline: Item.objects.count() {count_ms:.2f} ms; page over 100 items (provider=small) {baseline_ms:.1f} ms, {baseline_q} queries"
        )
        print()
        skill = data["skill"]
        scenarios = [
            ("no filter, 12 per page", "/catalog/?per_page=12", {}),
            ("no filter, 24 per page", "/catalog/", {}),
            ("no filter, 48 per page", "/catalog/?per_page=48", {}),
            ("no filter, 96 per page", "/catalog/?per_page=96", {}),
            ("format=video", "/catalog/?format=video", {}),
            ("skill filter", f"/catalog/?skill={skill}", {}),
            ("level 2+3, 10-30 min", "/catalog/?level=2&level=3&duration=10-30", {}),
            ("search q=topic 42", "/catalog/?q=topic+42", {}),
            ("page 1", "/catalog/?page=1", {}),
            ("page 200", "/catalog/?page=200", {}),
            ("htmx partial, 24 per page", "/catalog/", {"HTTP_HX_REQUEST": "true"}),
            ("htmx partial, 96 per page", "/catalog/?per_page=96", {"HTTP_HX_REQUEST": "true"}),
            ("API list, page_size=50", "/api/v1/catalog/items", {}),
            ("API list, page_size=200", "/api/v1/catalog/items?page_size=200", {}),
        ]
        print(f"{'request':32} {'ms':>8} {'queries':>8} {'x 100-item page':>16} {'x count()':>10}")
        for name, url, headers in scenarios:
            ms, queries, status = measure(client, url, args.repeat, **headers)
            flag = "" if status == 200 else f"  (HTTP {status})"
            print(
                f"{name:32} {ms:8.1f} {queries:8d} {ms / baseline_ms:16.1f} {ms / count_ms:10.0f}{flag}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
