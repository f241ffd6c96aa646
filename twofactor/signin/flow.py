"""The two ends of a sign-in that needs a second factor, as the seed article tells it.

``begin``: the password was right (or a signed-in session newly needs a second factor). The
person is not signed in; a pending attempt starts and the OneTouch request goes to the phone
at once ("Entering credentials ... triggers an alert in the Authy app"). ``finish``: the
second factor succeeded; sign in, mark the session verified, go where the person was going.
"""

from datetime import datetime

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
from twofactor import devices
from twofactor.methods.push import approvals
from twofactor.models import PhoneDevice, SignInAttempt
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, freshness, lockout


def begin(
    request: HttpRequest, user: User, next_url: str, *, confirm: bool = False
) -> HttpResponse:
    """Start the second step for ``user`` and send them to the challenge page; with
    ``confirm``, a signed-in person proves a factor again ("Confirm it's you")."""
    if not user.phone:
        return no_phone_on_file(request, user)
    verdict = lockout.check_allowed(user)
    if verdict.reason == "locked":  # checked first: nothing is sent to a locked person
        return locked_out(
            request, user, verdict.retry_at, confirming=confirm, end_session=not confirm
        )
    carried = [] if confirm else list(messages.get_messages(request))
    attempt = attempts.start(request, user, next_url, confirm=confirm)
    for message in carried:  # the new session keeps what the last page had to say
        messages.add_message(request, message.level, message.message, message.extra_tags)
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


def no_phone_on_file(request: HttpRequest, user: User) -> HttpResponse:
    """A second factor is needed but there is no phone to send it to: not signed in; the
    page names the firm's administrators who can add the number."""
    audit.record(Tag.NO_PHONE_ON_FILE, request=request, subject=user)
    request.session.flush()
    admins = list(
        User.objects.filter(firm_id=user.firm_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .only("full_name", "email")
    )
    return render(
        request, "twofactor/no_phone.html", {"person": user, "admins": admins}, status=403
    )


def locked_out(
    request: HttpRequest, user: User, until: datetime, *, confirming: bool, end_session: bool
) -> HttpResponse:
    """The person is locked after too many wrong answers: one page saying so, until when,
    that nothing was sent and who can lift it (no names: only a password was typed). At the
    password step (``end_session``) no attempt begins and a half-signed-in session ends; an
    attempt already running stays, refused, until it expires."""
    audit.record(Tag.TOKEN_REJECTED, request=request, subject=user, reason="locked")
    if end_session:
        request.session.flush()
    seconds = max(1, int((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "twofactor/locked.html",
        {"until": until, "minutes": max(1, round(seconds / 60)), "confirming": confirming},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


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
    device = devices.device_for(user)
    django_otp.login(request, device)
    PhoneDevice.objects.filter(pk=device.pk).update(last_verified_at=timezone.now())
    reauth.mark_recent(request, at=int(attempt.created_at.timestamp()))  # the password step
    freshness.mark_verified(request, attempt.method)
    audit.record(Tag.SIGNED_IN, request=request, subject=user, method=attempt.method)
    return redirect(attempt.next_url or "home")
