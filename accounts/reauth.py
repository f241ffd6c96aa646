"""Sensitive actions need the person's password entered within the last 10 minutes: at
sign-in, or re-entered at "Confirm your password". Too many wrong passwords there end the
session (counted in ``accounts.login_limits.ReauthGuess``)."""

import time
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts import audit
from accounts.audit import Tag
from portal.conf import conf

SESSION_KEY = "accounts_reauth_at"


def window_seconds() -> int:
    return conf.REAUTH_WINDOW_SECONDS


def mark_recent(request: HttpRequest, *, at: int | None = None) -> None:
    """The person entered their password (now, or ``at``: the sign-in's password step)."""
    request.session[SESSION_KEY] = int(time.time()) if at is None else at


def is_recent(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= window_seconds()


def reauth_url(next_url: str) -> str:
    return f"{reverse('reauthenticate')}?{urlencode({'next': next_url})}"


def require_recent_password(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """On POST (the action itself), send a person without a recent password to confirm it.

    GETs pass: the form is shown, and the POST that acts is the one that must be fresh, so
    a stale tab cannot perform the action without the password.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and not is_recent(request):
            return redirect(reauth_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def end_session_after_wrong_passwords(request: HttpRequest) -> HttpResponse:
    """Too many wrong passwords in a signed-in session: whoever holds it may not be its
    owner. Sign it out, audit, and say why on the login page."""
    allowed = conf.REAUTH_WRONG_PASSWORDS_ALLOWED
    audit.record(Tag.WRONG_PASSWORDS_ENDED_SESSION, request=request, subject=request.user,
                 wrong_passwords=allowed)
    logout(request)
    messages.error(
        request,
        f"You were signed out after {allowed} wrong passwords. For your safety, log in again "
        "with your email and password.",
    )
    return redirect("login")
