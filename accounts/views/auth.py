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
from accounts.login_limits import ReauthGuess
from accounts.permissions import (
    reachable_before_new_password,
    reachable_mid_sign_in,
    reachable_setting_up,
)
from portal.redirects import safe_next


@reachable_mid_sign_in
@reachable_before_new_password
@reachable_setting_up
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
        # Its own count, not the sign-in's: a stolen session is no unlimited password
        # oracle, and guesses elsewhere cannot stop a signed-in admin confirming.
        guess = ReauthGuess(request)
        if not guess.allowed:
            return reauth.end_session_after_wrong_passwords(request)
        if form.is_valid():
            guess.refund()
            reauth.mark_recent(request)
            audit.record(Tag.REAUTHENTICATED, request=request, subject=request.user)
            return redirect(safe_next(request, "home"))
        if not form.has_error("password", "wrong_password"):
            guess.refund()
        elif guess.used_up():
            return reauth.end_session_after_wrong_passwords(request)
    return render(
        request, "accounts/reauthenticate.html", {"form": form, "next": safe_next(request)}
    )
