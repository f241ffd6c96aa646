"""Navigation facts for base.html, read from the person already loaded (no query)."""

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_signed_in": signed_in,
        "nav_is_admin": signed_in and user.is_firm_admin,
    }
