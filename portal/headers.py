"""The security headers every page carries that do not depend on the request, built once.

One middleware sets ``X-Frame-Options`` (Django's clickjacking protection, from
``X_FRAME_OPTIONS``) and the content security policy (django-csp's policy, from
``CONTENT_SECURITY_POLICY``), in place of Django's and django-csp's two middleware. The
portal's policy is static (no nonces, no inline script or style, no view changes it), so
its header is built once per process by django-csp, not per response.
"""

from collections.abc import Callable
from functools import cache

from csp.constants import HEADER
from csp.utils import build_policy
from django.conf import settings
from django.core.checks import Warning, register
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse

MIDDLEWARE = "portal.headers.SecurityHeadersMiddleware"


@cache
def content_security_policy() -> str:
    """This process's Content-Security-Policy header (rebuilt when a test changes settings)."""
    return build_policy()


def _forget(**kwargs) -> None:
    content_security_policy.cache_clear()


setting_changed.connect(_forget)


class SecurityHeadersMiddleware:
    """X-Frame-Options and Content-Security-Policy on every response that did not set its
    own (or, for X-Frame-Options, exempt itself with ``@xframe_options_exempt``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "X-Frame-Options" not in response and not getattr(
            response, "xframe_options_exempt", False
        ):
            response.headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        # Django's technical 404 and 500 pages (DEBUG only) use inline style (django-csp
        # leaves them without a policy too).
        if HEADER not in response and not (settings.DEBUG and response.status_code in (404, 500)):
            response.headers[HEADER] = content_security_policy()
        return response


@register("security", deploy=True)
def security_headers_middleware_installed(app_configs=None, **kwargs) -> list[Warning]:
    """In place of Django's security.W002, which looks for its own clickjacking middleware
    by name (silenced in settings: this one replaces it)."""
    if MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [Warning(
        f"{MIDDLEWARE} is not in MIDDLEWARE: pages carry no X-Frame-Options and no "
        "content security policy.",
        hint=f"Add {MIDDLEWARE!r} to MIDDLEWARE.",
        id="portal.W002",
    )]
