"""The operator's middleware, first in the list: health, readiness, metrics, request ids.

``/healthz``, ``/readyz`` and (to allowed addresses) ``/metrics`` are answered here, before
any other middleware runs: no session, CSRF, user or page headers, and above
SecurityMiddleware and CommonMiddleware, so neither SECURE_SSL_REDIRECT (a load balancer
checks over plain HTTP) nor ALLOWED_HOSTS (it asks by IP address) turns them away. They
build nothing from the Host header, so skipping its check is safe.

Every other request is served under a request id (``portal.logs``), echoed in
``X-Request-ID``, timed for ``portal_http_request_seconds`` and, with JSON logs, logged as
one line.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal import health, logs, metrics

READ_METHODS = ("GET", "HEAD")


class OperationsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answered = self._answer_here(request)
        if answered is not None:
            return answered
        started = time.perf_counter()
        with logs.request_scope(request.META.get("HTTP_X_REQUEST_ID")) as request_id:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            logs.request_answered(request, response.status_code, seconds)
        metrics.request_answered(request.method or "", response.status_code, seconds)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def _answer_here(request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path == health.LIVE_PATH or path == health.READY_PATH:
            if request.method not in READ_METHODS:
                return _method_not_allowed()
            return health.live_response() if path == health.LIVE_PATH else health.ready_response()
        if path == metrics.PATH and metrics.allowed(request):
            if request.method not in READ_METHODS:
                return _method_not_allowed()
            return metrics.exposition()
        return None  # a refused /metrics goes on to Django: a plain "Page not found"


def _method_not_allowed() -> HttpResponse:
    response = HttpResponse(
        "Only GET and HEAD are answered here.\n", status=405, content_type="text/plain"
    )
    response["Allow"] = ", ".join(READ_METHODS)
    return response
