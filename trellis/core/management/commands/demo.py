from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from trellis.core.demo import build_demo


class Command(BaseCommand):
    help = (
        "Create the database, load the demo organisation (idempotent: a second run reuses what is "
        "there), print the demo logins, then serve Trellis with its background worker."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)"
        )
        parser.add_argument("--no-serve", action="store_true", help="Load the demo, then exit")
        parser.add_argument("--rebuild", action="store_true", help="Run every demo step again")

    def handle(
        self, *args: Any, host: str, port: int, no_serve: bool, rebuild: bool, **options: Any
    ) -> None:
        from trellis.people.demo import DEMO_LOGINS, DEMO_PASSWORD

        self.stdout.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the demo organisation …")
        build_demo(stdout=self.stdout, force=rebuild)
        url = f"http://{host}:{port}/"
        lines = [
            "",
            "Trellis demo is ready.",
            f"  Open      {url}",
            f"  Password  {DEMO_PASSWORD}   (the same for every demo account)",
        ]
        for login in DEMO_LOGINS:
            lines.append(f"  {login['role']:<10}{login['username']:<18}{login['description']}")
        lines.append("")
        self.stdout.write("\n".join(lines))
        if no_serve:
            return
        call_command("serve", host=host, port=port, with_worker=True)
