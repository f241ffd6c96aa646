"""Browsers that signed in to an account before: a long-lived signed cookie, written at every
sign-in, that lists (as keyed digests, not addresses) the accounts signed in from it.

Such a browser is exempt from an account's ceiling of wrong passwords across all addresses
(``login.account``), so an attacker who only knows the email cannot lock its owner out. The
per-address limits still apply to it.
"""

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from accounts.models import User, normalize_email
from portal.conf import conf

_SALT = "accounts.known_browsers"
_SIGNED_IN_NOW = "_known_browser_signed_in"  # request attribute: the digest to add
MAX_ACCOUNTS = 5  # a shared browser remembers the last few people


def _digest(email: str) -> str:
    return salted_hmac(_SALT, normalize_email(email), algorithm="sha256").hexdigest()[:20]


def _remembered(request: HttpRequest) -> list[str]:
    """The accounts this browser signed in to (none if the cookie is missing or forged)."""
    value = request.get_signed_cookie(
        conf.KNOWN_BROWSER_COOKIE_NAME, default="", salt=_SALT,
        max_age=conf.KNOWN_BROWSER_COOKIE_AGE,
    )
    return [digest for digest in value.split(",") if digest][:MAX_ACCOUNTS]


def is_known(request: HttpRequest, email: str) -> bool:
    """Has this browser signed in to the account with ``email`` before?"""
    return _digest(email) in _remembered(request)


def signed_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """``user_logged_in``: remember the account on this request's response."""
    if request is not None:
        setattr(request, _SIGNED_IN_NOW, _digest(user.email))


def connect_signals() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="accounts.known_browsers.signed_in")


def remember_on(request: HttpRequest, response: HttpResponse) -> None:
    """Write the cookie on the answer to a request that signed someone in (the session
    middleware calls this on every answer; it does nothing on the others)."""
    digest = getattr(request, _SIGNED_IN_NOW, None)
    if not digest:
        return
    earlier = [d for d in _remembered(request) if d != digest]
    response.set_signed_cookie(
        conf.KNOWN_BROWSER_COOKIE_NAME,
        ",".join([digest, *earlier][:MAX_ACCOUNTS]),
        salt=_SALT,
        max_age=conf.KNOWN_BROWSER_COOKIE_AGE,
        secure=conf.KNOWN_BROWSER_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
