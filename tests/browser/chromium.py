"""Playwright for Python driving Debian's chromium (never a downloaded browser): where it is, how
it is launched, and how a test logs in. The ``browser`` and ``page`` fixtures are in the root
conftest.py, so every app's browser tests share one browser per test session."""

from __future__ import annotations

import os
import shutil
from typing import Any

CHROMIUM = os.environ.get("TRELLIS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
