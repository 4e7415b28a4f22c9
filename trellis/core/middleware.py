from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

#: Paths that authenticate themselves (API tokens, xAPI clients) or are public by nature.
OPEN_PREFIXES = ("/api/", "/xapi/", "/static/", "/healthz")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in person unless its view is marked ``login_not_required``.

    The API answers 401 itself (token or session), so it is not redirected to the login page.
    """

    def process_view(self, request: Any, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
