from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker: executes queued Django tasks from the database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (default 1)"
        )
        parser.add_argument("--batch", action="store_true", help="Run the queued tasks, then exit")

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        kwargs: dict[str, Any] = {"interval": interval}
        if batch:
            kwargs["batch"] = True
        call_command("db_worker", **kwargs)
