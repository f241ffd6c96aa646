"""The password step: the first page of signing in.

A right password signs in at once when the person's firm (or client) asks for no second
factor; otherwise the sign-in flow begins (``twofactor.signin.flow.begin``) and the person is
not signed in until the second factor is done. Wrong email, wrong password and an inactive
person get the same page, status and hasher work.
"""

from datetime import timedelta

from django.contrib.auth import login
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.forms import LoginForm
from accounts.login_limits import reserve_password_guess
from accounts.models import User, normalize_email
from accounts.permissions import reachable_mid_sign_in
from accounts.policy import needs_second_factor
from portal import limits
from portal.redirects import safe_next
from twofactor.signin import attempts, flow


@reachable_mid_sign_in
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request, "home"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        try:  # counted before the check, refunded when right: only wrong passwords count
            guess = reserve_password_guess(
                request, normalize_email(request.POST.get("email", ""))[:254]
            )
        except limits.RateLimited as tripped:
            return password_guessing_limited(request, tripped)
        try:
            valid = form.is_valid()
        except DatabaseError:  # the check never finished: not a wrong password (503 follows)
            guess.refund()
            raise
        if valid:
            guess.refund()
            return password_accepted(request, form.user, safe_next(request))
        audit.record(Tag.PASSWORD_REFUSED, request=request, email=_email_domain(request))
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request)})


def password_accepted(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right: sign in, or go on to the second factor when it is needed."""
    sign_in = attempts.new_id()  # the events of this sign-in, to its end, share it
    audit.record(Tag.PASSWORD_ACCEPTED, request=request, subject=user, attempt_id=sign_in)
    if needs_second_factor(user):
        return flow.begin(request, user, next_url, attempt_id=sign_in)
    login(request, user)
    reauth.mark_recent(request)
    audit.record(Tag.SIGNED_IN, request=request, subject=user, attempt_id=sign_in)
    return redirect(next_url or "home")


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
            "throttled": _throttled_words(tripped),
        },
        status=429,
    )
    response["Retry-After"] = str(tripped.retry_after)
    return response


def _throttled_words(tripped: limits.RateLimited) -> str:
    """The truth about a fixed window: the count starts afresh when the window ends, however
    late in it the last attempt came (so "24 seconds" is not a mistake)."""
    ends = timezone.now() + timedelta(seconds=tripped.retry_after)
    return (
        "Too many sign-in attempts. For your safety, attempts are counted in blocks of "
        f"{limits.window_words(tripped.name)}; this block ends at {ends:%H:%M:%S} UTC, in "
        f"{tripped.wait_text}: try again then."
    )


def _email_domain(request: HttpRequest) -> str:
    """Only the domain of a refused email is kept: enough to spot a campaign, no more."""
    email = request.POST.get("email", "")
    return email.rpartition("@")[2][:100] if "@" in email else ""
