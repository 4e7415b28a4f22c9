"""Browser tests: the fixtures (``browser``, ``page``) are in the root conftest.py; helpers in
``tests.browser.chromium``."""

from tests.browser.chromium import CHROMIUM, log_in

__all__ = ["CHROMIUM", "log_in"]
