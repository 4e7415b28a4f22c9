from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background worker: executes queued Django tasks from the database, and runs the "
        "periodic scheduler (trellis.core.scheduler) in a thread next to it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (default 1)"
        )
        parser.add_argument("--batch", action="store_true", help="Run the queued tasks, then exit")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not enqueue periodic jobs from this worker (another worker does)",
        )

    def handle(
        self, *args: Any, interval: float, batch: bool, no_scheduler: bool, **options: Any
    ) -> None:
        kwargs: dict[str, Any] = {"interval": interval}
        if batch:
            kwargs["batch"] = True
        stop = None
        if not batch and not no_scheduler:
            from trellis.core.scheduler import start_in_thread

            stop = start_in_thread()
        try:
            call_command("db_worker", **kwargs)
        finally:
            if stop is not None:
                stop.set()
