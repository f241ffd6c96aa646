"""What every answer to a session goes through, in one middleware (each layer costs every
request, so one does the three jobs):

- lifetimes: a signed-in session ends after ``SESSION_IDLE_SECONDS`` without a request and
  ``SESSION_COOKIE_AGE`` after signing in;
- no-store: no page of a signed-in (or half signed-in) session is kept by a browser or proxy;
- the known-browser cookie, written on the answer to a request that signed someone in.

It costs no query: it reads the session only, and writes the last-seen time at most every
``SESSION_TOUCH_SECONDS``, not on every request.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date, url_has_allowed_host_and_scheme, urlencode

from accounts import audit, known_browsers, reauth
from accounts.audit import Tag
from portal.conf import conf

# What add_never_cache_headers writes on a response that set no caching of its own.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
SIGNED_IN_AT = "twofactor_signed_in_at"
SEEN_AT = "twofactor_seen_at"


def session_ended(session, now: int) -> str:
    """"idle" or "absolute" when a signed-in session has outlived its time, else ""."""
    if now - session.get(SEEN_AT, now) > conf.SESSION_IDLE_SECONDS:
        return "idle"
    if now - session.get(SIGNED_IN_AT, now) > conf.SESSION_COOKIE_AGE:
        return "absolute"
    return ""


def return_path(request: HttpRequest) -> str:
    """Where to come back to after signing in again: this page, if a GET on this host."""
    path = request.get_full_path()
    if request.method == "GET" and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return ""


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.check(request) or self.get_response(request)
        stamp_new_sign_in(request)
        known_browsers.remember_on(request, response)
        no_store(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A view found the session had to end (``reauth.SessionEnded``): to the login
        page, where the message says why."""
        if isinstance(exception, reauth.SessionEnded):
            return redirect("login")
        return None

    def check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        if USER_SESSION_KEY not in session:
            return None
        now = int(timezone.now().timestamp())
        ended = session_ended(session, now)
        if ended:
            return end_session(request, ended)
        if now - session.get(SEEN_AT, 0) >= conf.SESSION_TOUCH_SECONDS:
            session[SEEN_AT] = now
        return None


def stamp_new_sign_in(request: HttpRequest) -> None:
    """A session that signed in during this request starts its idle and absolute clocks."""
    session = getattr(request, "session", None)
    if session is not None and USER_SESSION_KEY in session and SIGNED_IN_AT not in session:
        now = int(timezone.now().timestamp())
        session[SIGNED_IN_AT] = session[SEEN_AT] = now


def end_session(request: HttpRequest, why: str) -> HttpResponse:
    user = request.user
    audit.record(
        Tag.SESSION_EXPIRED, request=request, reason=why,
        subject=user if user.is_authenticated else None,
    )
    logout(request)
    if why == "idle":
        minutes = max(1, conf.SESSION_IDLE_SECONDS // 60)
        text = f"You were signed out after {minutes} minutes without activity. Sign in again."
    else:
        hours = max(1, conf.SESSION_COOKIE_AGE // 3600)
        text = f"You were signed out: a session lasts at most {hours} hours. Sign in again."
    messages.info(request, text)
    next_url = return_path(request)
    target = redirect("login")
    if next_url:
        target["Location"] += "?" + urlencode({"next": next_url})
    return target


def no_store(request: HttpRequest, response: HttpResponse) -> None:
    """``Cache-Control: no-store`` on every answer to a session (signed in, or half-way
    through signing in): a shared computer's back button or disk cache, or a proxy, never
    keeps a page with people, numbers or codes on it. Static files are answered by WhiteNoise
    above this and keep their long cache; answers to strangers keep theirs too."""
    if "no-store" in response.get("Cache-Control", ""):
        return
    if request.user.is_authenticated or not request.session.is_empty():
        if "Cache-Control" in response or "Expires" in response:
            add_never_cache_headers(response)  # merges with what the view set
        else:  # the usual case: Django's never-cache headers, without parsing any
            response.headers["Expires"] = http_date()
            response.headers["Cache-Control"] = NEVER_CACHE
