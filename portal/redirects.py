"""Where a ``next`` parameter may send a person: only a path on this host."""

import unicodedata

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# The longest ``next`` kept: a pending sign-in stores it in a column this long.
MAX_NEXT_LENGTH = 2000


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` parameter when it is a path on this host, else ``default``.

    A ``next`` with a control character (PostgreSQL refuses NUL in text, and no path the
    portal makes has one) or longer than ``MAX_NEXT_LENGTH`` is dropped like a foreign one.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if len(candidate) > MAX_NEXT_LENGTH or any(
        unicodedata.category(char) == "Cc" for char in candidate
    ):
        return default
    # Only a path: a bare word would be taken by redirect() for a view name (a 500 if none).
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
