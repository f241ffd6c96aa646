"""Where a ``next`` parameter may send a person: only a path on this host."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` parameter when it is a path on this host, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: a bare word would be taken by redirect() for a view name (a 500 if none).
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
