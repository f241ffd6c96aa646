"""The two ends of a sign-in that needs a second factor, as the seed article tells it.

``begin``: the password was right (or a signed-in session newly needs a second factor). The
person is not signed in; a pending attempt starts and the OneTouch request goes to the phone
at once ("Entering credentials ... triggers an alert in the Authy app"). ``finish``: the
second factor succeeded; sign in, mark the session verified, go where the person was going.
"""

import django_otp
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.models import User
from portal import limits
from twofactor import devices, methods
from twofactor.methods.push import approvals
from twofactor.methods.totp import authenticator
from twofactor.models import PhoneDevice, SignInAttempt
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, freshness

PHONE_METHODS = frozenset({"push", "sms"})  # the ways a mobile number on file makes usable


def begin(
    request: HttpRequest, user: User, next_url: str, *, confirm: bool = False
) -> HttpResponse:
    """Start the second step for ``user`` and send them to the challenge page; with
    ``confirm``, a signed-in person proves a factor again ("Confirm it's you")."""
    ways = {method.name for method in methods.usable_by(user)}  # backup codes count here
    if not ways:
        return no_way_to_answer(request, user)
    attempt = attempts.start(request, user, next_url, confirm=confirm)
    if "push" not in ways:
        return redirect("twofactor:challenge")  # nothing to send; the page offers the rest
    try:
        device = devices.ensure_registered(user)
        approvals.send(attempt, device, request)
    except limits.RateLimited as tripped:
        messages.warning(
            request,
            "Too many OneTouch requests lately, so none was sent this time. Use an SMS "
            f"token, or ask for a new request in {tripped.wait_text}.",
        )
    except ProviderError as error:
        audit.record(Tag.PROVIDER_FAILED, request=request, subject=user, kind=str(error.kind))
        messages.error(
            request,
            f"{error.user_message} No OneTouch request was sent. "
            f"{what_still_works('push', error)}",
        )
    return redirect("twofactor:challenge")


def no_way_to_answer(request: HttpRequest, user: User) -> HttpResponse:
    """A second factor is needed but the person has no way their firm (or client) allows:
    not signed in. With a phone-based way allowed, what is missing is a number; otherwise
    the page names the allowed ways. Either names the administrators who can help."""
    allowed = [method for method in methods.in_policy() if methods.allowed(user, method.name)]
    if not user.phone and any(method.name in PHONE_METHODS for method in allowed):
        return no_phone_on_file(request, user)
    audit.record(Tag.NO_ALLOWED_METHOD, request=request, subject=user)
    request.session.flush()
    return render(
        request,
        "twofactor/no_method.html",
        {"person": user, "admins": _admins_of(user), "allowed": allowed},
        status=403,
    )


def _admins_of(user: User) -> list[User]:
    return list(
        User.objects.filter(firm_id=user.firm_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .only("full_name", "email")
    )


def no_phone_on_file(request: HttpRequest, user: User) -> HttpResponse:
    """A second factor is needed but there is no phone to send it to: not signed in; the
    page names the firm's administrators who can add the number."""
    audit.record(Tag.NO_PHONE_ON_FILE, request=request, subject=user)
    request.session.flush()
    return render(
        request, "twofactor/no_phone.html", {"person": user, "admins": _admins_of(user)},
        status=403,
    )


def finish(request: HttpRequest, attempt: SignInAttempt) -> HttpResponse:
    """The attempt succeeded (already marked complete): sign in as its person, or, for a
    confirmation, mark the signed-in session's factor as fresh."""
    user = attempt.user
    attempts.forget(request)
    if attempt.purpose == SignInAttempt.Purpose.CONFIRM:
        request.session.cycle_key()
        freshness.mark_verified(request, attempt.method)
        audit.record(Tag.FACTOR_CONFIRMED, request=request, subject=user, method=attempt.method)
        return redirect(attempt.next_url or "security")
    login(request, user, backend="accounts.backends.EmailBackend")  # cycles the session key
    app = authenticator.app_of(user) if attempt.method == "totp" else None
    if app is not None:
        django_otp.login(request, app)  # the session is verified by the app
    else:
        device = devices.device_for(user)
        django_otp.login(request, device)
        PhoneDevice.objects.filter(pk=device.pk).update(last_verified_at=timezone.now())
    reauth.mark_recent(request, at=int(attempt.created_at.timestamp()))  # the password step
    freshness.mark_verified(request, attempt.method)
    audit.record(Tag.SIGNED_IN, request=request, subject=user, method=attempt.method)
    return redirect(attempt.next_url or "home")
