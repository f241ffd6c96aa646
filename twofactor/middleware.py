"""Enforces the second-factor policy and session lifetimes on every request.

- A pending attempt (password right, second factor not done) reaches only the paths in
  ``PENDING_ALLOWED``; anything else is sent to the challenge page.
- A signed-in session whose person now needs a second factor (an admin just switched it on)
  and that was not verified is turned back into a pending attempt.
- A signed-in session ends after ``SESSION_IDLE_SECONDS`` without a request and
  ``SESSION_COOKIE_AGE`` after signing in.

It costs no query on a verified request: it reads the session and the person the auth
backend loads anyway (with firm and client), unlike django-otp's ``OTPMiddleware``, which
loads the device on every request. The last-seen time is written at most every
``SESSION_TOUCH_SECONDS``, not on every request.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import audit
from accounts.audit import Tag
from twofactor import attempts, poll, signin
from twofactor.conf import conf
from twofactor.policy import needs_second_factor

PENDING_ALLOWED = (
    "/login/", "/logout/", "/static/", "/twofactor/callbacks/", "/dev/phone/", "/email/",
)
SIGNED_IN_AT = "twofactor_signed_in_at"
SEEN_AT = "twofactor_seen_at"


def session_ended(session, now: int) -> str:
    """"idle" or "absolute" when a signed-in session has outlived its time, else ""."""
    if now - session.get(SEEN_AT, now) > conf.SESSION_IDLE_SECONDS:
        return "idle"
    if now - session.get(SIGNED_IN_AT, now) > conf.SESSION_COOKIE_AGE:
        return "absolute"
    return ""


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == poll.PATH:
            # The OneTouch poll reads no session: it checks its own signed URL (poll.py).
            return self.get_response(request)
        response = self.enforce(request)
        if response is None:
            response = self.get_response(request)
        stamp_new_sign_in(request)
        return response

    def enforce(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        if attempts.pending_id(request):
            if request.path.startswith(PENDING_ALLOWED):
                return None
            return redirect("twofactor:challenge")
        if USER_SESSION_KEY not in session:
            return None
        now = int(timezone.now().timestamp())
        ended = session_ended(session, now)
        if ended:
            return end_session(request, ended)
        user = request.user
        if (
            not request.path.startswith("/logout/")  # signing out needs no second factor
            and user.is_authenticated
            and DEVICE_ID_SESSION_KEY not in session
            and needs_second_factor(user)
        ):
            audit.record(Tag.SECOND_FACTOR_REQUIRED, request=request, subject=user)
            return signin.begin(request, user, return_path(request))
        if now - session.get(SEEN_AT, 0) >= conf.SESSION_TOUCH_SECONDS:
            session[SEEN_AT] = now
        return None


def stamp_new_sign_in(request: HttpRequest) -> None:
    """A session that signed in during this request starts its idle and absolute clocks."""
    session = getattr(request, "session", None)
    if session is not None and USER_SESSION_KEY in session and SIGNED_IN_AT not in session:
        now = int(timezone.now().timestamp())
        session[SIGNED_IN_AT] = session[SEEN_AT] = now


def return_path(request: HttpRequest) -> str:
    """Where to come back to after signing in again: this page, if a GET on this host."""
    path = request.get_full_path()
    if request.method == "GET" and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return ""


def end_session(request: HttpRequest, why: str) -> HttpResponse:
    user = request.user
    audit.record(
        Tag.SESSION_EXPIRED, request=request, reason=why,
        subject=user if user.is_authenticated else None,
    )
    logout(request)
    if why == "idle":
        minutes = max(1, conf.SESSION_IDLE_SECONDS // 60)
        text = f"You were signed out after {minutes} minutes without activity. Log in again."
    else:
        hours = max(1, conf.SESSION_COOKIE_AGE // 3600)
        text = f"You were signed out: a session lasts at most {hours} hours. Log in again."
    messages.info(request, text)
    next_url = return_path(request)
    target = redirect("login")
    if next_url:
        target["Location"] += "?" + urlencode({"next": next_url})
    return target
