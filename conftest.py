"""Shared fixtures: the personas every view and endpoint is tested with.

- ``alice``: a learner, reporting to ``maria``.
- ``bob``: another learner on the same team (a peer: must not see alice's data).
- ``maria``: alice's and bob's manager (sees her reporting line only).
- ``charlie``: a learner in another department under another manager (``oscar``).
- ``lena``: an L&D admin. ``erin``: an executive (read-only org-wide). ``audrey``: an auditor.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.browser.chromium import CHROMIUM, LAUNCH_ARGS
from trellis.people.models import Employee
from trellis.people.tests.factories import PASSWORD, DepartmentFactory, EmployeeFactory, UserFactory


@dataclass
class Personas:
    alice: Employee
    bob: Employee
    maria: Employee
    charlie: Employee
    oscar: Employee
    lena: Employee
    erin: Employee
    audrey: Employee

    def client(self, who: str) -> Client:
        client = Client()
        employee: Employee = getattr(self, who)
        assert client.login(username=employee.user.username, password=PASSWORD)
        return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings: Any) -> None:
    # Background tasks run in the test's own thread; tests that check enqueueing override this.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def personas(db: Any) -> Personas:
    tech = DepartmentFactory(name="Technology & Data", code="technology-data")
    sales = DepartmentFactory(name="Sales", code="sales")
    people = DepartmentFactory(name="People & HR", code="people")
    exec_office = DepartmentFactory(name="Executive Office", code="executive")

    def make(username: str, first: str, last: str, **kw: Any) -> Employee:
        roles = kw.pop("roles", None)
        user = UserFactory(username=username, first_name=first, last_name=last, roles=roles)
        return EmployeeFactory(user=user, **kw)

    erin = make("erin", "Erin", "Exec", department=exec_office, roles=["executive"])
    maria = make("maria", "Maria", "Manager", department=tech, manager=erin)
    alice = make("alice", "Alice", "Learner", department=tech, manager=maria)
    bob = make("bob", "Bob", "Peer", department=tech, manager=maria)
    oscar = make("oscar", "Oscar", "Othermanager", department=sales, manager=erin)
    charlie = make("charlie", "Charlie", "Outsider", department=sales, manager=oscar)
    lena = make("lena", "Lena", "Admin", department=people, manager=erin, roles=["ld_admin"])
    audrey = make("audrey", "Audrey", "Auditor", department=people, manager=erin, roles=["auditor"])
    return Personas(
        alice=alice,
        bob=bob,
        maria=maria,
        charlie=charlie,
        oscar=oscar,
        lena=lena,
        erin=erin,
        audrey=audrey,
    )


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback; ``messages`` holds what it received."""

    host: str
    port: int
    messages: list[Any]


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    from email import message_from_bytes
    from email.policy import default as default_policy

    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content, policy=default_policy))
            return "250 Message accepted for delivery"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        yield SmtpSink(host="127.0.0.1", port=port, messages=received)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def shared_data() -> Any:
    """The public data sets in ../shared/data (ESCO, O*NET, OpenStax, ...). Required in CI."""
    import os
    from pathlib import Path

    from django.conf import settings as django_settings

    path = Path(django_settings.TRELLIS_SHARED_DATA)
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data folder {path} is missing (set TRELLIS_SHARED_DATA)")
        pytest.skip(f"shared data folder {path} is not present here")
    return path


# --- browser tests (marked ``browser``): one Debian chromium per test session, for every app ------

# Playwright's sync API runs an event loop in this thread; the Django test database is still used
# synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    yield new_page
    context.close()
