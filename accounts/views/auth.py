"""Signing out, and re-entering a password before a sensitive action.

The password step of signing in belongs to the sign-in flow (``twofactor.views.login``).
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.forms import PasswordConfirmForm
from accounts.login_limits import count_password_guess
from accounts.permissions import reachable_mid_sign_in
from portal import limits
from portal.redirects import safe_next


@reachable_mid_sign_in
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(Tag.SIGNED_OUT, request=request, subject=request.user)
    logout(request)
    messages.success(request, "You are signed out.")
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
