"""Password guessing: counted per email address and per client address (credential
stuffing), for the sign-in's password step and for "Confirm your password"."""

from django.http import HttpRequest

from portal import limits
from portal.request_info import client_ip


def count_password_guess(request: HttpRequest, email: str) -> None:
    """Count a password try; raise ``limits.RateLimited`` when either bucket is full.
    Counted before the check, so parallel guesses cannot slip past the limit."""
    limits.hit_all([("login.account", email), ("login.ip", client_ip(request))])
