"""A URL map for the error-page tests: the portal's own, plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urls


def boom(request):
    raise RuntimeError("broken on purpose")


def database_down(request):
    raise OperationalError("connection refused")


def forbidden(request):
    raise PermissionDenied("Only your firm's admins open this page.")


def bad(request):
    raise SuspiciousOperation("bad on purpose")


urlpatterns = [
    path("test-errors/500/", boom),
    path("test-errors/database-down/", database_down),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad),
    *portal_urls,
]
