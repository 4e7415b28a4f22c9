from __future__ import annotations

import atexit
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


def start_worker() -> subprocess.Popen[bytes]:
    """The database-backed task worker as a child process, stopped when serving stops."""
    proc = subprocess.Popen([sys.executable, "-m", "trellis.cli", "worker"])
    atexit.register(proc.terminate)
    return proc


class Command(BaseCommand):
    help = "Serve Trellis with the waitress WSGI server (production-grade, pure Python)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)"
        )
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8)")
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run the background worker"
        )

    def handle(
        self, *args: Any, host: str, port: int, threads: int, with_worker: bool, **options: Any
    ) -> None:
        from waitress import serve

        from config.wsgi import application

        if with_worker:
            start_worker()
        self.stdout.write(f"Trellis is serving on http://{host}:{port}/  (Ctrl+C to stop)")
        serve(application, host=host, port=port, threads=threads, ident="trellis")
