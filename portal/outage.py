"""The answer when a store the portal needs is down: 503 "briefly unavailable", never a 500.

Django turns every exception that escapes a view or a middleware into the ``handler500``
view (``portal.urls``). Here that view tells an outage apart from a bug: the rate-limit
counters unreachable (``limits.Unavailable``, failing closed), Redis refused or timed out, or
the database unreachable or its pool exhausted (``OperationalError``, ``InterfaceError``).
An outage gets HTTP 503 with ``Retry-After`` (JSON for ``fetch`` callers), anything else
the usual 500 page. Both render with no request context and no query: the database may be
the thing that is down.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from redis.exceptions import RedisError

from portal.limits import Unavailable

RETRY_AFTER_SECONDS = 60
MESSAGE = "Sign-in is briefly unavailable, try again in a minute."
OUTAGES = (Unavailable, RedisError, OperationalError, InterfaceError)


def is_outage(error: BaseException | None) -> bool:
    """An error that says a store is down (the error itself, or what it was raised from)."""
    while error is not None:
        if isinstance(error, OUTAGES):
            return True
        error = error.__cause__
    return False


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "") or (
        request.content_type == "application/json"
    )


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the page, or ``{"error": ...}`` for a JSON caller."""
    if wants_json(request):
        response: HttpResponse = JsonResponse({"error": MESSAGE}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: called while the exception is being handled, so it can look at it."""
    if is_outage(sys.exception()):
        return unavailable(request)
    return HttpResponse(render_to_string("500.html"), status=500)
