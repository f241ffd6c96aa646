"""The two ends of a sign-in that needs a second factor, as the seed article tells it.

``begin``: the password was right (or a signed-in session newly needs a second factor). The
person is not signed in; a pending attempt starts and the OneTouch request goes to the phone
at once ("Entering credentials ... triggers an alert in the Authy app"). ``finish``: the
second factor succeeded; sign in, mark the session verified, go where the person was going.

A browser the person asked to remember skips the second step here (after the password,
never instead of it); otherwise the way the second step starts with (the person's default,
else the strongest offered: ``methods.starting_way``) does what it does at the password
step: a push is sent, a token texted, or nothing (a key, an app). After "This wasn't me"
the next sign-in goes to "Choose a new password" before anything. A person with no way
yet is walked through setting one up (``twofactor.enrolment``) where they may.
"""

from datetime import datetime
from uuid import UUID

import django_otp
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_otp.models import Device

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.models import User
from twofactor import methods
from twofactor.enrolment import first_signin
from twofactor.models import SignInAttempt
from twofactor.remember import browsers
from twofactor.signin import attempts, freshness, lockout

SKIPPED = "remembered_browser"  # recorded as the attempt's method when a browser skips


def begin(
    request: HttpRequest, user: User, next_url: str, *, confirm: bool = False,
    attempt_id: UUID | None = None,
) -> HttpResponse:
    """Start the second step for ``user`` and send them to the challenge page; with
    ``confirm``, a signed-in person proves a factor again ("Confirm it's you"). Someone
    with a security key gets no push: the key is the stronger way, and an unasked-for
    push only teaches people to approve prompts. Nothing is sent to a locked person.
    ``attempt_id`` names the sign-in when the caller audited its start already; every
    event from here on carries it, the ones that end the sign-in before an attempt too."""
    sign_in = attempt_id or attempts.new_id()
    if not confirm:
        abandoned = attempts.pending_id(request)
        if abandoned:
            attempts.abandon(abandoned)  # the person started over
        browser = remembered_browser(request, user)
        if browser is not None:
            attempt = attempts.start(request, user, next_url, attempt_id=sign_in)
            if attempts.complete(attempt, SKIPPED, browser):
                return finish(request, attempt)
            sign_in = attempts.new_id()  # that attempt is spent: the next is another row
    usable = methods.usable_by(user)  # backup codes count here
    if not usable:
        if not confirm and methods.ways_to_set_up(user):  # walk them through one
            return first_signin.start(request, user, next_url)
        return no_way_to_answer(request, user, attempt_id=sign_in)
    verdict = lockout.check_allowed(user)
    if verdict.reason == "locked":  # checked first: nothing is sent to a locked person
        return locked_out(
            request, user, verdict.retry_at, confirming=confirm, end_session=not confirm,
            attempt_id=sign_in,
        )
    carried = [] if confirm else list(messages.get_messages(request))
    attempt = attempts.start(request, user, next_url, confirm=confirm, attempt_id=sign_in)
    for message in carried:  # the new session keeps what the last page had to say
        messages.add_message(request, message.level, message.message, message.extra_tags)
    offered = methods.offered(attempt, usable)
    if not confirm and not offered:  # must use a key, and has none
        return no_way_to_answer(request, user, key_required=methods.key_required(attempt),
                                attempt_id=sign_in)
    way = methods.starting_way(attempt, offered)
    if way is not None:
        way.at_password_step(request, attempt)
    return redirect("twofactor:challenge")


def remembered_browser(request: HttpRequest, user: User) -> Device | None:
    """This browser, if it is remembered for ``user`` and may skip the second step now (not
    while the person is locked out)."""
    browser = browsers.recognised(request, user)
    return browser if browser is not None and not lockout.is_locked(user) else None


def no_way_to_answer(
    request: HttpRequest, user: User, *, key_required: bool = False,
    attempt_id: UUID | None = None,
) -> HttpResponse:
    """A second factor is needed but the person has no way their firm (or client) allows:
    not signed in. With a phone-based way allowed, what is missing is a number; otherwise
    the page names the allowed ways. Either names the administrators who can help."""
    allowed = [
        method for method in methods.in_policy()
        if methods.allowed(user, method) and (method.phishing_resistant or not key_required)
    ]
    if not key_required and not user.phone and any(method.uses_phone for method in allowed):
        return no_phone_on_file(request, user, attempt_id=attempt_id)
    audit.record(Tag.NO_ALLOWED_METHOD, request=request, subject=user, attempt_id=attempt_id)
    request.session.flush()
    return render(
        request,
        "twofactor/no_method.html",
        {"person": user, "admins": _admins_of(user), "allowed": allowed,
         "key_required": key_required},
        status=403,
    )


def _admins_of(user: User) -> list[User]:
    return list(
        User.objects.filter(firm_id=user.firm_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .only("full_name", "email")
    )


def no_phone_on_file(
    request: HttpRequest, user: User, *, attempt_id: UUID | None = None
) -> HttpResponse:
    """A second factor is needed but there is no phone to send it to: not signed in; the
    page names the firm's administrators who can add the number."""
    audit.record(Tag.NO_PHONE_ON_FILE, request=request, subject=user, attempt_id=attempt_id)
    request.session.flush()
    return render(
        request, "twofactor/no_phone.html", {"person": user, "admins": _admins_of(user)},
        status=403,
    )


def locked_out(
    request: HttpRequest, user: User, until: datetime, *, confirming: bool, end_session: bool,
    attempt_id: UUID | None = None,
) -> HttpResponse:
    """The person is locked after too many wrong answers: one page saying so, until when,
    that nothing was sent and who can lift it (no names: only a password was typed). At the
    password step (``end_session``) no attempt begins and a half-signed-in session ends; an
    attempt already running stays, refused, until it expires."""
    audit.record(Tag.TOKEN_REJECTED, request=request, subject=user, reason="locked",
                 attempt_id=attempt_id)
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


def finish(
    request: HttpRequest, attempt: SignInAttempt, *, password_checked: bool = True
) -> HttpResponse:
    """The attempt succeeded (already marked complete): sign in as its person, or, for a
    confirmation, mark the signed-in session's factor as fresh. The session is marked
    verified (django-otp) by the device that answered; ``password_checked`` is False for a
    passkey sign-in, which had no password step."""
    user = attempt.user
    attempts.forget(request)
    device = Device.from_persistent_id(attempt.device)
    if attempt.is_confirmation:
        request.session.cycle_key()
        django_otp.login(request, device)
        freshness.mark_verified(request)
        audit.record(Tag.FACTOR_CONFIRMED, request=request, subject=user, method=attempt.method,
                     attempt_id=attempt.pk)
        return redirect(attempt.next_url or "security")
    login(request, user, backend="accounts.backends.EmailBackend")  # cycles the session key
    django_otp.login(request, device)
    User.objects.filter(pk=user.pk).update(last_second_factor_at=timezone.now())
    if password_checked:
        reauth.mark_recent(request, at=int(attempt.created_at.timestamp()))
    freshness.mark_verified(request)
    audit.record(Tag.SIGNED_IN, request=request, subject=user, method=attempt.method,
                 attempt_id=attempt.pk)
    if user.must_change_password:
        response = redirect("choose_new_password")  # before anything else
    else:
        response = redirect(attempt.next_url or "home")
    if wants_remembering(request, attempt):
        browsers.remember(request, response, user)
        audit.record(Tag.BROWSER_REMEMBERED, request=request, subject=user,
                     attempt_id=attempt.pk)
    return response


def wants_remembering(request: HttpRequest, attempt: SignInAttempt) -> bool:
    """The person ticked "Don't ask again on this browser for 30 days" on a sign-in's
    challenge, and may."""
    return (
        request.method == "POST"
        and request.POST.get("remember") == "on"
        and attempt.method != SKIPPED
        and browsers.may_remember(attempt.user)
    )
