"""The request pipeline every xAPI resource shares (plain Django views; see STYLE.md).

``xapi_view(resource)`` wraps a handler ``(xreq: XapiRequest) -> HttpResponse`` and takes care of:
CORS (preflight and headers), the alternate request syntax (xAPI 1.0.3 §1.3; refused in 2.0),
version negotiation (``X-Experience-API-Version``: 1.0.x or 2.0.x; the response names the version
it speaks), HTTP Basic authentication and scopes, HEAD (a GET without a body), and turning
``XapiError`` into a JSON error with its status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from trellis.lrs.auth import Credential, authenticate, check_scope
from trellis.lrs.xapi.errors import XapiError

V1 = "1.0.3"
V2 = "2.0.0"
ALT_HEADER_PARAMS = {
    "Authorization",
    "X-Experience-API-Version",
    "Content-Type",
    "Content-Length",
    "If-Match",
    "If-None-Match",
}
EXPOSED_HEADERS = "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, X-Experience-API-Consistent-Through, X-Experience-API-Version"
ALLOWED_HEADERS = "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, X-Experience-API-Version, X-Experience-API-Consistent-Through"


def negotiate_version(value: str | None) -> str:
    """1.0.0 to 1.0.3 → "1.0.3"; 2.0 / 2.0.x → "2.0.0"; anything else → 400."""
    if not value:
        raise XapiError("X-Experience-API-Version header is required (1.0.3 or 2.0.0).")
    value = value.strip()
    parts = value.split(".")
    if parts[:2] == ["1", "0"] and len(parts) <= 3 and all(p.isdigit() for p in parts):
        return V1
    if parts[:2] == ["2", "0"] and len(parts) <= 3 and all(p.isdigit() for p in parts):
        return V2
    raise XapiError(f"X-Experience-API-Version: {value!r} is not supported; use 1.0.3 or 2.0.0.")


@dataclass
class XapiRequest:
    """One xAPI call, after the alternate syntax (if any) has been unfolded into method/params/headers/body."""

    request: HttpRequest
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    version: str
    credential: Credential | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self, *, what: str = "body") -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise XapiError(f"{what}: not valid JSON ({exc})") from None


def _cors(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    origin = request.headers.get("Origin")
    response["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response["Access-Control-Allow-Credentials"] = "true"
        response["Vary"] = "Origin"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def xapi_error_response(error: XapiError, version: str = V1) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Trellis LRS"'
    response["X-Experience-API-Version"] = version
    return response


def request_body(request: HttpRequest) -> bytes:
    """The raw body. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is rejected with 413
    (xAPI-Communication.md §3.2: a Statement, Attachment or document larger than the LRS allows MUST
    be rejected with 413 Request Entity Too Large)."""
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise XapiError(
            f"Content-Length: the request body is larger than this LRS accepts ({limit:,} bytes).",
            status=413,
        ) from None


def _unfold_alternate_syntax(
    request: HttpRequest,
) -> tuple[str, dict[str, str], dict[str, str], bytes]:
    """xAPI 1.0.3 §1.3: POST ?method=X with the content, headers and parameters as form fields."""
    if set(request.GET) != {"method"}:
        raise XapiError("Alternate request syntax: the query string must hold only 'method'.")
    method = request.GET["method"].upper()
    if method not in {"GET", "PUT", "POST", "DELETE", "HEAD"}:
        raise XapiError(f"method: {method!r} is not an xAPI method.")
    if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        raise XapiError(
            "Alternate request syntax: the body must be application/x-www-form-urlencoded.",
            status=415,
        )
    form = {
        k: v[-1]
        for k, v in parse_qs(request_body(request).decode("utf-8"), keep_blank_values=True).items()
    }
    headers = {k.lower(): v for k, v in request.headers.items()}
    params: dict[str, str] = {}
    body = b""
    for name, value in form.items():
        if name == "content":
            body = value.encode("utf-8")
        elif name in ALT_HEADER_PARAMS:
            headers[name.lower()] = value
        else:
            params[name] = value
    if "content-type" not in {k for k in form if k in ALT_HEADER_PARAMS} and body:
        headers["content-type"] = form.get("Content-Type", "application/json")
    return method, params, headers, body


def xapi_view(
    resource: str, *, methods: set[str], auth: bool = True
) -> Callable[[Callable[[XapiRequest], HttpResponse]], Callable[..., HttpResponse]]:
    allowed = {m.upper() for m in methods} | (
        {"HEAD"} if "GET" in {m.upper() for m in methods} else set()
    )

    def decorator(handler: Callable[[XapiRequest], HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(status=200)
                response["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed | {"OPTIONS"}))
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = "86400"
                return _cors(response, request)
            version = V1
            try:
                if request.method == "POST" and "method" in request.GET:
                    method, params, headers, body = _unfold_alternate_syntax(request)
                    version = negotiate_version(headers.get("x-experience-api-version"))
                    if version == V2:
                        raise XapiError("The alternate request syntax is not part of xAPI 2.0.")
                else:
                    method = request.method or "GET"
                    params = {k: str(request.GET.get(k, "")) for k in request.GET}
                    headers = {k.lower(): v for k, v in request.headers.items()}
                    body = request_body(request)
                    if resource != "about":
                        version = negotiate_version(headers.get("x-experience-api-version"))
                if method not in allowed:
                    raise XapiError(f"{method} is not allowed on /{resource}.", status=405)
                xreq = XapiRequest(
                    request=request,
                    method=method,
                    params=params,
                    headers=headers,
                    body=body,
                    version=version,
                )
                if auth:
                    xreq.credential = authenticate(headers.get("authorization"))
                    check_scope(
                        xreq.credential, resource, write=method in {"PUT", "POST", "DELETE"}
                    )
                if method == "HEAD":
                    xreq.method = "GET"
                    response = handler(xreq)
                    length = len(response.content) if not response.streaming else None
                    response.content = b""
                    if length is not None:
                        response["Content-Length"] = str(length)
                else:
                    response = handler(xreq)
            except XapiError as error:
                response = xapi_error_response(error, version)
            response["X-Experience-API-Version"] = version
            return _cors(response, request)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return decorator
