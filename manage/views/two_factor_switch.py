"""Turning two-factor authentication on or off, for the firm or for a client's end users:
who would be stuck without a number, and what the admin is told once it is switched
(``manage.views.sign_in_policy`` decides when)."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import User
from accounts.policy import needs_second_factor
from manage import people

MISSING_SHOWN = 20


@dataclass
class Confirmation:
    """People who would be asked to contact their admin at their next sign-in."""

    missing: list[User] = field(default_factory=list)
    count: int = 0


def missing_phones(who: QuerySet[User]) -> Confirmation | None:
    """The people turning it on would leave unable to sign in, or None."""
    missing = people.without_phone(who)
    shown = list(missing[:MISSING_SHOWN])
    if not shown:
        return None
    return Confirmation(shown, len(shown) if len(shown) < MISSING_SHOWN else missing.count())


def said_done(request: HttpRequest, on: bool, what: str) -> None:
    """Tell the admin it was switched, and what happens to their own session."""
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


def own_session_steps_up_if_on(request: HttpRequest) -> bool:
    """Whether turning the firm's 2FA on would make the admin's own session prove a second
    factor at once (it has not proven one), so the page can say so before Save."""
    return DEVICE_ID_SESSION_KEY not in request.session


def own_session_steps_up(request: HttpRequest) -> bool:
    """Whether the admin's own session must now prove a second factor (it was not yet)."""
    return DEVICE_ID_SESSION_KEY not in request.session and needs_second_factor(request.user)
