"""Absolute links for mail and texts, built in one place.

Production (``DEBUG=0``) requires ``PUBLIC_BASE_URL`` (a ``check --deploy`` error without it)
and every link starts with it. In development, when it is not set, a link points at the host
of the request being answered, or at ``http://localhost:$PORT`` when there is none (a
management command, a job).
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("portal_request", default=None)
_base: ContextVar[str] = ContextVar("portal_base_url", default="")


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """``path`` (starting with "/") as a link a person can follow from an email or a text."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + path
    if request is None and _base.get():
        return _base.get() + path
    request = request or _current_request.get()
    if request is not None:
        return request.build_absolute_uri(path)
    return f"http://localhost:{settings.PORT}{path}"


def base_url(request: HttpRequest | None = None) -> str:
    """The portal's address without a trailing slash (templates add paths to it)."""
    return absolute_url("/", request)[:-1]


def keeping_base(work: Callable[[], None]) -> Callable[[], None]:
    """``work`` to run later (after the response) with the links it makes still pointing at
    the host being answered now."""
    base = base_url()

    def run() -> None:
        token = _base.set(base)
        try:
            work()
        finally:
            _base.reset(token)

    return run


class RequestForLinksMiddleware:
    """Lets mail sent while a request is answered link to that request's host (development)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if settings.PUBLIC_BASE_URL:  # production: every link uses it; no layer per request
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
