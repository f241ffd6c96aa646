"""Turning two-factor authentication on or off, for the firm or for a client's end users.

Turning it on while some people have no mobile number lists them and asks to confirm;
turning it off needs the admin's password from the last 10 minutes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts import reauth
from accounts.models import User
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
    off_next: str,
    what: str,
) -> HttpResponse | Confirmation:
    """Apply a valid switch form: a redirect when done, or the people to confirm about."""
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
    if not on and not reauth.is_recent(request):
        messages.info(
            request,
            "Turning two-factor authentication off needs your password: confirm it, "
            "then press Save again.",
        )
        return redirect(reauth.reauth_url(off_next))
    if on and not form.cleaned_data["confirm_missing_phones"]:
        missing = people.without_phone(who)
        shown = list(missing[:MISSING_SHOWN])
        if shown:
            count = len(shown) if len(shown) < MISSING_SHOWN else missing.count()
            return Confirmation(shown, count)
    apply(on)
    if on:
        messages.success(request, f"Two-factor authentication is now on for {what}.")
    else:
        messages.warning(
            request,
            f"Two-factor authentication is now off for {what}. "
            "Your firm's other admins, if any, were told by email.",
        )
    return redirect(request.path)
