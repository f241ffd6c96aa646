"""The two ends of a sign-in that needs a second factor, as the seed article tells it.

``begin``: the password was right (or a signed-in session newly needs a second factor). The
person is not signed in; a pending attempt starts and the OneTouch request goes to the phone
at once ("Entering credentials ... triggers an alert in the Authy app"). ``finish``: the
second factor succeeded; sign in, mark the session verified, go where the person was going.

A browser the person asked to remember skips the second step here (after the password,
never instead of it); someone whose default way is SMS is texted instead of pushed; and
after "This wasn't me" the next sign-in goes to "Choose a new password" before anything.
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
from twofactor import devices, methods
from twofactor.methods.push import approvals
from twofactor.methods.remember import browsers
from twofactor.methods.sms import sending
from twofactor.methods.totp import authenticator
from twofactor.models import PhoneDevice, SignInAttempt
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, freshness, lockout

PHONE_METHODS = frozenset({"push", "sms"})  # the ways a mobile number on file makes usable


def begin(
    request: HttpRequest, user: User, next_url: str, *, confirm: bool = False
) -> HttpResponse:
    """Start the second step for ``user`` and send them to the challenge page; with
    ``confirm``, a signed-in person proves a factor again ("Confirm it's you"). Someone
    with a security key gets no push: the key is the stronger way, and an unasked-for
    push only teaches people to approve prompts. Nothing is sent to a locked person."""
    if not confirm:
        abandoned = attempts.pending_id(request)
        if abandoned:
            approvals.withdraw(abandoned)  # the person started over
        if remembered_browser_skips(request, user):
            attempt = attempts.start(request, user, next_url)
            if attempts.complete(attempt, browsers.METHOD_NAME):
                return finish(request, attempt)
    ways = {method.name for method in methods.usable_by(user)}  # backup codes count here
    if not ways:
        return no_way_to_answer(request, user)
    verdict = lockout.check_allowed(user)
    if verdict.reason == "locked":  # checked first: nothing is sent to a locked person
        return locked_out(
            request, user, verdict.retry_at, confirming=confirm, end_session=not confirm
        )
    carried = [] if confirm else list(messages.get_messages(request))
    attempt = attempts.start(request, user, next_url, confirm=confirm)
    for message in carried:  # the new session keeps what the last page had to say
        messages.add_message(request, message.level, message.message, message.extra_tags)
    if "security_key" in ways or "push" not in ways:
        return redirect("twofactor:challenge")  # no push; the page offers the rest
    if user.preferred_method == "sms" and "sms" in ways:
        sending.text_token(request, attempt).tell(request)
        return redirect("twofactor:challenge")
    try:
        device = devices.ensure_registered(user)
        approvals.send(attempt, device, request)
    except approvals.PushPaused:
        pass  # the challenge page says so, with when pushes resume
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


def remembered_browser_skips(request: HttpRequest, user: User) -> bool:
    """This browser is remembered for ``user`` (and may skip the second step now: not while
    the person is locked out)."""
    return browsers.recognised(request, user) is not None and not lockout.is_locked(user)


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
    now = timezone.now()
    app = authenticator.app_of(user) if attempt.method == "totp" else None
    if app is not None:
        django_otp.login(request, app)  # the session is verified by the app
    else:
        device = devices.device_for(user)
        django_otp.login(request, device)
        PhoneDevice.objects.filter(pk=device.pk).update(last_verified_at=now)
    User.objects.filter(pk=user.pk).update(last_second_factor_at=now)  # survives a reset
    if attempt.method != "passkey":  # a passkey sign-in had no password step
        reauth.mark_recent(request, at=int(attempt.created_at.timestamp()))
    freshness.mark_verified(request, attempt.method)
    audit.record(Tag.SIGNED_IN, request=request, subject=user, method=attempt.method)
    if user.must_change_password:
        response = redirect("choose_new_password")  # before anything else
    else:
        response = redirect(attempt.next_url or "home")
    if wants_remembering(request, attempt):
        browsers.remember(request, response, user)
        audit.record(Tag.BROWSER_REMEMBERED, request=request, subject=user)
    return response


def wants_remembering(request: HttpRequest, attempt: SignInAttempt) -> bool:
    """The person ticked "Don't ask again on this browser for 30 days" on a sign-in's
    challenge, and may."""
    return (
        request.method == "POST"
        and request.POST.get("remember") == "on"
        and attempt.method != browsers.METHOD_NAME
        and browsers.may_remember(attempt.user)
    )
