"""Signing in (the password step), signing out, and re-entering a password."""

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.forms import LoginForm, PasswordConfirmForm
from accounts.models import User, normalize_email
from portal.request_info import client_ip
from twofactor import limits, signin
from twofactor.policy import needs_second_factor


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` parameter when it is a path on this host, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: a bare word would be taken by redirect() for a view name (a 500 if none).
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request, "home"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        try:
            count_password_guess(request, normalize_email(request.POST.get("email", ""))[:254])
        except limits.RateLimited as tripped:
            return password_guessing_limited(request, tripped)
        if form.is_valid():
            return password_accepted(request, form.user, safe_next(request))
        audit.record(Tag.PASSWORD_REFUSED, request=request, email=_email_domain(request))
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request)})


def password_accepted(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right: sign in, or go on to the second factor when it is needed."""
    audit.record(Tag.PASSWORD_ACCEPTED, request=request, subject=user)
    if needs_second_factor(user):
        return signin.begin(request, user, next_url)
    login(request, user)
    audit.record(Tag.SIGNED_IN, request=request, subject=user)
    return redirect(next_url or "home")


def count_password_guess(request: HttpRequest, email: str) -> None:
    """Count a password try per email address and per client address (credential stuffing);
    raise RateLimited when either has had too many. Counted before the check, so parallel
    guesses cannot slip past the limit."""
    limits.hit_all([("login.account", email), ("login.ip", client_ip(request))])


def password_guessing_limited(request: HttpRequest, tripped: limits.RateLimited) -> HttpResponse:
    audit.record(Tag.LOGIN_THROTTLED, request=request, limit=tripped.name,
                 email=_email_domain(request))
    # A fresh form with the email kept: checking the bound one would run the password check.
    form = LoginForm(request, initial={"email": request.POST.get("email", "")[:254]})
    response = render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": safe_next(request),
            "throttled": "Too many sign-in attempts. For your safety, try again in "
                         f"{tripped.wait_text}.",
        },
        status=429,
    )
    response["Retry-After"] = str(tripped.retry_after)
    return response


def _email_domain(request: HttpRequest) -> str:
    """Only the domain of a refused email is kept: enough to spot a campaign, no more."""
    email = request.POST.get("email", "")
    return email.rpartition("@")[2][:100] if "@" in email else ""


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(Tag.SIGNED_OUT, request=request, subject=request.user)
    logout(request)
    return redirect("login")


@sensitive_post_parameters("password")
@never_cache
def reauthenticate_view(request: HttpRequest) -> HttpResponse:
    """Confirm your password; then back to the action you were doing."""
    if not request.user.is_authenticated:
        return redirect("login")
    form = PasswordConfirmForm(request.user, data=request.POST or None)
    if request.method == "POST":
        try:  # the sign-in's limits: a stolen session is no unlimited password oracle
            count_password_guess(request, request.user.email)
        except limits.RateLimited as tripped:
            audit.record(Tag.LOGIN_THROTTLED, request=request, subject=request.user,
                         limit=tripped.name)
            response = render(request, "accounts/reauthenticate.html", {
                "form": PasswordConfirmForm(request.user), "next": safe_next(request),
                "throttled": "Too many password attempts. For your safety, try again in "
                             f"{tripped.wait_text}.",
            }, status=429)
            response["Retry-After"] = str(tripped.retry_after)
            return response
    if request.method == "POST" and form.is_valid():
        reauth.mark_recent(request)
        audit.record(Tag.REAUTHENTICATED, request=request, subject=request.user)
        return redirect(safe_next(request, "home"))
    return render(
        request, "accounts/reauthenticate.html", {"form": form, "next": safe_next(request)}
    )
