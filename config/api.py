"""The one JSON API of Trellis, at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Authentication: a browser session (with CSRF) or a bearer token (``Authorization: Bearer trl_…``)
created by an L&D admin. Each app contributes one router.
"""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from trellis.core.api_auth import api_auth

api = NinjaAPI(
    title="Trellis API",
    version="1.0.0",
    description="People, skills and catalog of a Trellis learning platform. "
    "Authenticate with a bearer token (Authorization: Bearer trl_…) or a browser session.",
    auth=api_auth(),
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"detail": "Authentication required: a bearer token or a session."}, status=401
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):  # type: ignore[no-untyped-def]
    # Name every field: "body.email", "query.level", ...
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", [])),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors
    ]
    return api.create_response(request, {"detail": "Invalid input", "errors": errors}, status=422)


api.add_router("/people", "trellis.people.api.router")
api.add_router("/skills", "trellis.skills.api.router")
api.add_router("/catalog", "trellis.catalog.api.router")
api.add_router("/tokens", "trellis.core.api.router")
api.add_router("/lrs", "trellis.lrs.api.router")
api.add_router("/programs", "trellis.programs.api.router")
api.add_router("/recommendations", "trellis.discovery.api_recommend.router")
api.add_router("/discovery", "trellis.discovery.api.router")
api.add_router("/notifications", "trellis.notify.api.router")
api.add_router("/surveys", "trellis.surveys.api.router")
api.add_router("/governance", "trellis.governance.api.router")
api.add_router("/mentoring", "trellis.mentoring.api.router")
api.add_router("/insights", "trellis.insights.api.router")
