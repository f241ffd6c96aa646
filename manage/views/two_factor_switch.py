"""Turning two-factor authentication on or off, for the firm or for a client's end users.

Turning it on while some people have no mobile number lists them and asks to confirm;
turning it off needs the admin's password from the last 10 minutes, asked for on the same
form (``accounts.reauth.PasswordCheck``) so that one Save turns it off.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import reauth
from accounts.models import User
from accounts.policy import needs_second_factor
from manage import people

MISSING_SHOWN = 20


@dataclass
class Confirmation:
    """People who would be asked to contact their admin at their next sign-in."""

    missing: list[User] = field(default_factory=list)
    count: int = 0


def switch(
    request: HttpRequest,
    form: forms.Form,
    *,
    currently_on: bool,
    who: QuerySet[User],
    apply: Callable[[bool], bool],
    password_check: reauth.PasswordCheck,
    what: str,
) -> HttpResponse | Confirmation | None:
    """Apply a valid switch form: a redirect when done, the people to confirm about, or
    None when the password (to turn it off) is missing or wrong: the form shows why."""
    on = form.cleaned_data["two_factor_required"]
    shown = form.cleaned_data["shown"]
    if shown and (shown == "on") != currently_on:
        messages.warning(
            request,
            f"Someone else turned two-factor authentication {'on' if currently_on else 'off'} "
            f"for {what} while this page was open. Nothing was changed: check and save again.",
        )
        return redirect(request.path)
    if on == currently_on:
        messages.info(
            request, f"Two-factor authentication was already {'on' if on else 'off'} for {what}."
        )
        return redirect(request.path)
    if not on and not password_check.passes():
        return None
    if on and not form.cleaned_data["confirm_missing_phones"]:
        missing = people.without_phone(who)
        shown = list(missing[:MISSING_SHOWN])
        if shown:
            count = len(shown) if len(shown) < MISSING_SHOWN else missing.count()
            return Confirmation(shown, count)
    apply(on)
    if on:
        messages.success(request, f"Two-factor authentication is now on for {what}.")
        if own_session_steps_up(request):
            messages.info(
                request,
                "It applies to you too: approve the request on your phone (or type a text "
                "message token) to carry on.",
            )
    else:
        messages.warning(
            request,
            f"Two-factor authentication is now off for {what}. "
            "Your firm's other admins, if any, were told by email.",
        )
    return redirect(request.path)


def own_session_steps_up_if_on(request: HttpRequest) -> bool:
    """Whether turning the firm's 2FA on would make the admin's own session prove a second
    factor at once (it has not proven one), so the page can say so before Save."""
    return DEVICE_ID_SESSION_KEY not in request.session


def own_session_steps_up(request: HttpRequest) -> bool:
    """Whether the admin's own session must now prove a second factor (it was not yet)."""
    return DEVICE_ID_SESSION_KEY not in request.session and needs_second_factor(request.user)
