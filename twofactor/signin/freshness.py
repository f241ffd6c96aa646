"""The rule for adding a factor, and for any change that a stolen session must not make.

Adding a way to sign in (a push app, a security key, an authenticator app), changing one's
own number, and the like need both:
- the password entered in the last ``REAUTH_WINDOW_SECONDS`` (at sign-in or re-entered), and
- a second factor proven in the same window, by a method other than a backup code or a
  remembered browser (those prove possession of paper or a cookie, not of a factor).

A person with no such method yet (their first factor) needs only the password. Which
device verified the session is django-otp's record (``DEVICE_ID_SESSION_KEY``); the
method it belongs to says whether it counts (``Method.fresh``), and a stamp in the session
says when: no query. When a factor is missing, ``step_up.require_fresh_factor`` starts a
"Confirm it's you" challenge (the sign-in's own challenge page and verification path) and
comes back to the page afterwards.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import reauth
from portal.conf import conf
from twofactor import methods

VERIFIED_AT = "twofactor_verified_at"


class Verdict(NamedTuple):
    """``allowed``, or what is missing: ``"password"`` or ``"factor"``."""

    allowed: bool
    needs: str = ""


def mark_verified(request: HttpRequest) -> None:
    """The session was just verified by the device ``django_otp.login`` recorded."""
    request.session[VERIFIED_AT] = int(time.time())


def has_fresh_factor(request: HttpRequest) -> bool:
    at = request.session.get(VERIFIED_AT)
    method = methods.of_device(request.session.get(DEVICE_ID_SESSION_KEY))
    return (
        isinstance(at, int)
        and 0 <= time.time() - at <= conf.REAUTH_WINDOW_SECONDS
        and method is not None
        and method.fresh
    )


def may_add_factor(request: HttpRequest) -> Verdict:
    if not reauth.is_recent(request):
        return Verdict(False, "password")
    if not has_fresh_factor(request) and methods.strong_methods(request.user):
        return Verdict(False, "factor")
    return Verdict(True)
