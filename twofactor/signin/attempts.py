"""The pending sign-in attempt: the password was right, the second factor is not yet done.

The person is NOT signed in meanwhile. The session (its key cycled at the password step)
holds only the attempt's id; everything else (who, since when, where to go next, and the
person's session auth hash, so that a new password or "Sign out everywhere else" ends it) is
on the ``SignInAttempt`` row. An attempt lasts ``TWOFACTOR_ATTEMPT_SECONDS`` and succeeds once:
``complete`` is a conditional UPDATE, so of any number of racing requests exactly one wins.
"""

import uuid
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.models import Device

from accounts.models import User
from portal.request_info import client_ip, user_agent
from twofactor import methods
from twofactor.conf import conf
from twofactor.models import SignInAttempt

SESSION_KEY = "twofactor_attempt"
CONFIRM_KEY = "twofactor_confirm"  # a signed-in person's "Confirm it's you" challenge


def new_id() -> uuid.UUID:
    """An id for a sign-in about to start: named before its attempt exists, so the
    password step's audit events carry the id of the attempt that follows them."""
    return uuid.uuid4()


def start(
    request: HttpRequest, user: User, next_url: str, *, confirm: bool = False,
    attempt_id: uuid.UUID | None = None,
) -> SignInAttempt:
    """Begin an attempt for ``user`` (with ``attempt_id`` when the sign-in was named
    already: ``new_id``). A sign-in gets a fresh session (new key, nothing carried over)
    holding only the new attempt's id; a signed-in person's confirmation keeps their
    session and sits beside it."""
    now = timezone.now()
    attempt = SignInAttempt.objects.create(
        id=attempt_id or new_id(),
        purpose=SignInAttempt.Purpose.CONFIRM if confirm else SignInAttempt.Purpose.SIGN_IN,
        user=user,
        created_at=now,
        expires_at=now + timedelta(seconds=conf.TWOFACTOR_ATTEMPT_SECONDS),
        next_url=next_url,
        ip_address=client_ip(request) or None,
        user_agent=user_agent(request),
        session_hash=user.get_session_auth_hash(),
    )
    if confirm:
        request.session[CONFIRM_KEY] = str(attempt.pk)
    else:
        request.session.flush()
        request.session[SESSION_KEY] = str(attempt.pk)
    return attempt


def pending_id(request: HttpRequest) -> str | None:
    """The id of the session's pending attempt, if any (no query)."""
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, str) else None


def session_attempt_id(request: HttpRequest) -> str | None:
    """The id of the session's attempt, a sign-in or a confirmation (no query)."""
    return pending_id(request) or _confirm_id(request)


def _confirm_id(request: HttpRequest) -> str | None:
    value = request.session.get(CONFIRM_KEY)
    user = getattr(request, "user", None)
    return value if isinstance(value, str) and user and user.is_authenticated else None


def current(request: HttpRequest) -> SignInAttempt | None:
    """The session's attempt while it can still succeed (a pending sign-in, else a signed-in
    person's own confirmation), with its person (whose firm and client, rarely needed on
    these pages, load on first use: a three-table join costs more to build than the pages
    use it)."""
    attempt_id = pending_id(request)
    mine = live().filter(purpose=SignInAttempt.Purpose.SIGN_IN)
    if attempt_id is None:
        attempt_id = _confirm_id(request)
        if attempt_id is None:
            return None
        mine = live().filter(purpose=SignInAttempt.Purpose.CONFIRM, user_id=request.user.pk)
    attempt = mine.select_related("user").filter(pk=attempt_id, user__is_active=True).first()
    if attempt is None or not constant_time_compare(
        attempt.session_hash, attempt.user.get_session_auth_hash()
    ):
        return None  # the password or the session stamp changed since the password step
    return attempt


def live():
    """Attempts that have neither succeeded nor expired."""
    return SignInAttempt.objects.filter(completed_at__isnull=True, expires_at__gt=timezone.now())


def complete(attempt: SignInAttempt, method: str, device: Device) -> bool:
    """Mark the attempt as succeeded by ``method`` through ``device`` (the django-otp device
    that answered, which ``flow.finish`` marks the session with); False if it had already
    ended."""
    now = timezone.now()
    won = bool(
        SignInAttempt.objects.filter(
            pk=attempt.pk, completed_at__isnull=True, expires_at__gt=now
        ).update(completed_at=now, method=method, device=device.persistent_id)
    )
    if won:
        attempt.completed_at, attempt.method = now, method
        attempt.device = device.persistent_id
    return won


def answered(attempt: SignInAttempt, method: str) -> None:
    """The attempt succeeded by ``method``: the other ways close what they had open."""
    methods.attempt_closed(attempt.pk, by=method)


def abandon(attempt_id: object) -> None:
    """The person started over or walked away: every way closes what it had open."""
    methods.attempt_closed(attempt_id)


def end_all(user: User) -> int:
    """End the person's attempts still in progress: their phone or second factor changed,
    so a token or approval already sent to the old phone must not finish a sign-in."""
    return end_all_where(user=user)


def end_all_where(**people) -> int:
    """End every attempt in progress of the people matched (e.g. a firm whose policy changed)."""
    return live().filter(**people).update(expires_at=timezone.now())


def forget(request: HttpRequest) -> None:
    """Drop the attempt from the session (it ended, or the person starts over)."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(CONFIRM_KEY, None)
