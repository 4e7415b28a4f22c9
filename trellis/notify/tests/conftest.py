from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    # The header's unread badge is cached per user id; ids are reused between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def allow_http_webhooks(settings: Any) -> None:
    settings.TRELLIS_NOTIFY_ALLOW_HTTP_WEBHOOKS = True
