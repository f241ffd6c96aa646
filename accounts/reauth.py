"""Sensitive actions need the person's password entered within the last 10 minutes: at
sign-in, re-entered at "Confirm your password", or typed on the sensitive form itself
(``PasswordCheck``: the field is shown there, so one press carries the action out and no
POST is ever kept to be replayed). Too many wrong passwords end the session (counted on its
row by ``accounts.login_limits.ReauthGuess``, never charged to the sign-in's limits)."""

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
from accounts.forms import PasswordConfirmForm
from accounts.login_limits import ReauthGuess
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
        f"You were signed out after {allowed} wrong passwords. For your safety, sign in again "
        "with your email and password.",
    )
    return redirect("login")


class PasswordCheck:
    """The password asked for on the sensitive form itself, when the last one entered is
    older than the window: ``check.needed`` says whether to show the field (include
    ``accounts/_password_check.html`` with ``password_check``), ``check.passes()`` on POST
    counts the try against the password-guessing limits and, when right, marks the
    password recent."""

    prefix = "reauth"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.needed = not is_recent(request)
        bound = request.method == "POST" and self.needed
        self.form = PasswordConfirmForm(
            request.user, data=request.POST if bound else None, prefix=self.prefix
        )
        self.form.fields["password"].widget.attrs.pop("autofocus", None)  # the form's own first
        self.form.fields["password"].error_messages["required"] = "Enter your password."

    def passes(self) -> bool:
        """True if the action may go ahead (checked at most once per request)."""
        if not self.needed:
            return True
        if not self.form.is_bound:
            return False
        guess = ReauthGuess(self.request)
        if not guess.allowed:
            self._end_session()
        if not self.form.is_valid():
            if guess.used_up():
                self._end_session()
            return False
        guess.refund()
        mark_recent(self.request)
        self.needed = False
        audit.record(audit.Tag.REAUTHENTICATED, request=self.request, subject=self.request.user)
        return True

    def _end_session(self) -> None:
        """Too many wrong passwords: this session ends, and so does the request (the
        session middleware answers ``SessionEnded`` with the login page)."""
        end_session_after_wrong_passwords(self.request)
        raise SessionEnded


class SessionEnded(Exception):
    """Raised mid-view once the session was signed out for wrong passwords."""
