"""The rule for adding a factor, and for any change that a stolen session must not make.

Adding a way to sign in (a push app, a security key, an authenticator app), changing one's
own number, and the like need both:
- the password entered in the last ``REAUTH_WINDOW_SECONDS`` (at sign-in or re-entered), and
- a second factor proven in the same window, by a method other than a backup code or a
  remembered browser (those prove possession of paper or a cookie, not of a factor).

A person with no such method yet (their first factor) needs only the password. When a factor
is missing, ``step_up.require_fresh_factor`` starts a "Confirm it's you" challenge (the
sign-in's own challenge page and verification path) and comes back to the page afterwards.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from django.http import HttpRequest

from accounts import reauth
from accounts.models import User
from portal.conf import conf
from twofactor import methods

VERIFIED_AT = "twofactor_verified_at"
VERIFIED_BY = "twofactor_verified_by"
# Answers that prove possession of something other than a factor.
WEAK_METHODS = frozenset({"backup_code", "remembered_browser"})


class Verdict(NamedTuple):
    """``allowed``, or what is missing: ``"password"`` or ``"factor"``."""

    allowed: bool
    needs: str = ""


def mark_verified(request: HttpRequest, method: str) -> None:
    """The session just proved a second factor by ``method``."""
    request.session[VERIFIED_AT] = int(time.time())
    request.session[VERIFIED_BY] = method


def has_fresh_factor(request: HttpRequest) -> bool:
    at = request.session.get(VERIFIED_AT)
    return (
        isinstance(at, int)
        and 0 <= time.time() - at <= conf.REAUTH_WINDOW_SECONDS
        and request.session.get(VERIFIED_BY) not in WEAK_METHODS
    )


def strong_methods(user: User) -> list[methods.Method]:
    """The ways ``user`` can prove a factor that counts as fresh."""
    return [method for method in methods.usable_by(user) if method.name not in WEAK_METHODS]


def may_add_factor(request: HttpRequest) -> Verdict:
    if not reauth.is_recent(request):
        return Verdict(False, "password")
    if not has_fresh_factor(request) and strong_methods(request.user):
        return Verdict(False, "factor")
    return Verdict(True)
