"""``trellis insights refresh [--incremental]``: rebuild the insights aggregates (full by default)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Insights aggregates: refresh (full rebuild; --incremental adds what is new)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument(
            "--incremental", action="store_true", help="only what changed since the last run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from trellis.insights.refresh import insights_refresh

        t0 = time.perf_counter()
        out = insights_refresh(full=not options["incremental"], stdout=self.stdout)
        out["total_seconds"] = round(time.perf_counter() - t0, 2)
        self.stdout.write(json.dumps(out, indent=2, default=str))
