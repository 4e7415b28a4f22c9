"""A peer LRS for bench_lrs.py: Ralph (PyPI ``ralph-malph``) with its filesystem backend.

Ralph is installed into its own virtual environment, ``.bench-venv/ralph`` under the repository
root (git-ignored; its pins conflict with Trellis's), the first time it is needed. Its LRS server is
FastAPI; of its LRS backends (Elasticsearch, MongoDB, ClickHouse, fs) only ``fs`` runs on a machine
with none of those servers: statements are appended as JSON lines to one file, and every query,
and every POST's check for already-stored ids, reads that file from the start. It has no backend
on PostgreSQL or SQLite. That makes it a weak baseline; the figures say what a file-backed LRS
costs, not what Ralph on Elasticsearch would do.

Ralph 5.1.0's fs backend, as released, cannot run most scenarios (found by this bench):

- ``POST /xAPI/statements`` writes with ``operation_type`` CREATE, which refuses an existing file:
  once the statements file exists (after one POST, or after a bulk load) every POST answers 500.
- the ``verb`` and ``activity`` filters compare the stored string with a pydantic ``IRI`` model,
  which never equals a string: those queries answer 200 with no statements.
- its ``lrs`` extra does not install ``requests``, which ``ralph.api`` imports (for OIDC), so
  ``requests`` is installed too.

``fixes=True`` (``--ralph-fixes``) starts Ralph through a small module that patches those two
methods (append instead of create; compare the IRIs as strings) and changes nothing else.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench-venv" / "ralph"
VERSION = "5.1.0"
# ``requests``: imported by ralph.api.auth.oidc but missing from the ``lrs`` extra in 5.1.0.
REQUIREMENTS = [f"ralph-malph[lrs,cli]=={VERSION}", "requests"]
STATEMENTS_FILE = "fs_lrs.jsonl"  # FSLRSBackendSettings.DEFAULT_LRS_FILE
HOST = "127.0.0.1"
USER_AGENT_MBOX = "mailto:trellis-bench@example.com"

FIXES_MODULE = '''\
"""Ralph 5.1.0 fs backend with two fixes, for Trellis's bench (bench/peer_ralph.py)."""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

_write = FSLRSBackend.write
_query_statements = FSLRSBackend.query_statements


def write(self, data, target=None, chunk_size=None, ignore_errors=False, operation_type=None):
    # Released: operation_type None -> CREATE, which refuses the existing statements file.
    return _write(
        self, data, target, chunk_size, ignore_errors, operation_type or BaseOperationType.APPEND
    )


def query_statements(self, params, target=None):
    # Released: compares the stored verb/activity id (str) with a pydantic IRI model.
    for name in ("verb", "activity"):
        value = getattr(params, name, None)
        if value is not None and not isinstance(value, str):
            setattr(params, name, str(value))
    return _query_statements(self, params, target)


FSLRSBackend.write = write
FSLRSBackend.query_statements = query_statements

from ralph.api import app  # noqa: E402,F401
'''


def _uv() -> list[str]:
    for candidate in (shutil.which("uv"), ROOT / ".venv" / "bin" / "uv"):
        if candidate and Path(candidate).exists():
            return [str(candidate)]
    return [sys.executable, "-m", "uv"]


def ensure_venv(log: Callable[[str], None]) -> Path:
    """Create ``.bench-venv/ralph`` with Ralph if it is missing or holds another version; return
    its ``bin`` folder."""
    marker = VENV / "trellis-bench-requirements.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if marker.exists() and marker.read_text() == wanted and (VENV / "bin" / "uvicorn").exists():
        return VENV / "bin"
    log(f"peer: installing {' '.join(REQUIREMENTS)} into {VENV.relative_to(ROOT)}")
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    if not (VENV / "bin" / "python").exists():
        subprocess.run(
            [*_uv(), "venv", "--quiet", "--python", "3.11", str(VENV)],
            env=env,
            check=True,
            timeout=300,
        )
    subprocess.run(
        [
            *_uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(VENV / "bin" / "python"),
            *REQUIREMENTS,
        ],
        env=env,
        check=True,
        timeout=900,
    )
    marker.write_text(wanted)
    return VENV / "bin"


class RalphPeer:
    """One Ralph server on a free port, its data, credentials and logs in a temporary folder."""

    def __init__(self, *, fixes: bool, log: Callable[[str], None]) -> None:
        self.fixes = fixes
        self.log = log
        self.bin = ensure_venv(log)
        self.dir = Path(tempfile.mkdtemp(prefix="bench-ralph-"))
        self.data = self.dir / "lrs"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("RALPH_")}
        self.env.update(
            {
                # Everything Ralph writes stays in the temporary folder (its default app dir is
                # ~/.config/ralph; it also reads a .env file from its working directory).
                "RALPH_APP_DIR": str(self.dir / "app"),
                "RALPH_AUTH_FILE": str(self.dir / "auth.json"),
                "RALPH_HISTORY_FILE": str(self.dir / "history.json"),
                "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
                "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
            }
        )
        self.auth = ""

    @property
    def statements_file(self) -> Path:
        return self.data / STATEMENTS_FILE

    def _run(self, args: list[str], *, stdin: bytes | None = None, timeout: float = 120) -> str:
        done = subprocess.run(
            [str(self.bin / "ralph"), *args],
            input=stdin,
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(
                f"ralph {' '.join(args[:1])} failed ({done.returncode}):\n"
                f"{done.stdout.decode()[-2000:]}\n{done.stderr.decode()[-2000:]}"
            )
        return done.stdout.decode()

    def create_user(self) -> str:
        """Basic credentials written by Ralph's own ``ralph auth`` command (scope ``all``)."""
        password = secrets.token_urlsafe(24)
        self._run(
            [
                "auth",
                "--username",
                "trellis-bench",
                "--password",
                password,
                "--scope",
                "all",
                "--agent-ifi-mbox",
                USER_AGENT_MBOX,
                "--write-to-disk",
            ]
        )
        self.auth = "Basic " + base64.b64encode(f"trellis-bench:{password}".encode()).decode()
        return self.auth

    def bulk_load(self, lines: Iterable[bytes], timeout: float) -> None:
        """Append JSON lines to the statements file with Ralph's bulk path, ``ralph write -b fs``
        (no validation, no duplicate check: a raw append)."""
        self.data.mkdir(parents=True, exist_ok=True)
        log_path = self.dir / "write.log"
        with log_path.open("wb") as write_log:
            proc = subprocess.Popen(
                [
                    str(self.bin / "ralph"),
                    "write",
                    "--backend",
                    "fs",
                    "--target",
                    STATEMENTS_FILE,
                    "--operation-type",
                    "append",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=write_log,
                cwd=self.dir,
                env=self.env,
            )
            assert proc.stdin is not None
            try:
                for chunk in lines:
                    proc.stdin.write(chunk)
                proc.stdin.close()
                proc.wait(timeout=timeout)
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        if proc.returncode != 0:
            raise SystemExit(
                f"ralph write failed ({proc.returncode}):\n{log_path.read_text()[-2000:]}"
            )

    def start(self) -> None:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        if self.fixes:
            (self.dir / "trellis_bench_ralph_fixes.py").write_text(FIXES_MODULE)
            app = "trellis_bench_ralph_fixes:app"
        else:
            app = "ralph.api:app"
        self.server_log = (self.dir / "server.log").open("wb")
        # One uvicorn worker: the fs backend appends to one file, which several processes would
        # interleave. (Its sync backend calls run on the event loop, one request at a time.)
        self.proc = subprocess.Popen(
            [
                str(self.bin / "uvicorn"),
                app,
                "--app-dir",
                str(self.dir),
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=self.dir,
            env=self.env,
            stdout=self.server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 60) -> None:
        """Until ``/__heartbeat__`` (which also checks the backend) answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc and self.proc.poll() is None:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/__heartbeat__")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"Ralph did not answer /__heartbeat__:\n{self.log_tail()}")

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request("GET", path, headers={"Authorization": self.auth})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def has_statement(self, statement_id: str) -> bool:
        """Whether ``GET ?statementId=`` returns it (Ralph wraps the one statement in a
        ``{"statements": [...]}`` result where xAPI returns the statement itself)."""
        status, body = self.get(f"/xAPI/statements?statementId={statement_id}")
        if status != 200:
            return False
        answer = json.loads(body)
        found = answer.get("statements", [answer])
        return [st.get("id") for st in found] == [statement_id]

    def count_stored(self) -> int:
        if not self.statements_file.exists():
            return 0
        with self.statements_file.open("rb") as file:
            return sum(1 for _ in file)

    def log_tail(self, chars: int = 3000) -> str:
        path = self.dir / "server.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def remove(self) -> None:
        self.stop()
        if getattr(self, "server_log", None):
            self.server_log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
