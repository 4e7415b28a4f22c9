from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from trellis.lrs.http import V1, V2, XapiRequest, xapi_view


@xapi_view("about", methods={"GET"}, auth=False)
def about(xreq: XapiRequest) -> HttpResponse:
    """The versions this LRS speaks (xAPI 1.0.3 §2.8; needs no authentication)."""
    return JsonResponse({"version": ["1.0.0", "1.0.1", "1.0.2", V1, V2], "extensions": {}})
