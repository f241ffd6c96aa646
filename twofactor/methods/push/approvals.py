"""OneTouch (push) approval requests: sent at the password step, answered on the phone.

A request is a row bound to one sign-in attempt, at most one pending per attempt, expiring
after ``ONETOUCH_EXPIRY_SECONDS``. Every answer to it (approve, deny, a wrong pick, "This
wasn't me", withdrawal, expiry, a newer request replacing it) is one conditional UPDATE on
the request's own row (``_close``: ``status = 'pending'`` and the other conditions in that
UPDATE's own WHERE, never through a join), so of answers sent at once exactly one wins and a
denied or expired request can never later be approved. The winner alone writes the audit
row, in the same transaction as the status; the email goes out and waiting browsers are told
(``poll.remember``) after the commit, and a cache or Redis failure there is logged, never
raised: the poll's long way reads the answer from the database.

Number matching is always on: each request carries a two-digit number from ``secrets``,
shown on the challenge page; the phone asks the person to pick it from three. A request is
withdrawn when its sign-in finishes another way or is abandoned, so a late approval does
nothing. "This wasn't me" may pause pushes to a person (``User.push_paused_until``).
"""

import logging
import secrets
from datetime import datetime, timedelta
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.models import User
from portal import limits, metrics
from portal.request_info import browser_label, client_ip, user_agent
from twofactor.conf import conf
from twofactor.methods.push import emails, poll, portal_app
from twofactor.methods.push.portal_app import delivery, phones
from twofactor.methods.push.tags import PushTag
from twofactor.models import ApprovalRequest, PhoneDevice, SignInAttempt
from twofactor.providers import get_provider
from twofactor.providers.base import ApprovalDetails, ApprovalStatus, ProviderError

log = logging.getLogger(__name__)

Status = ApprovalRequest.Status
Denial = ApprovalRequest.Denial
APP = portal_app.PROVIDER  # a request no provider was asked for
AUDIT_TAGS = {
    ApprovalStatus.APPROVED: PushTag.PUSH_APPROVED,
    ApprovalStatus.DENIED: PushTag.PUSH_DENIED,
    ApprovalStatus.EXPIRED: PushTag.PUSH_EXPIRED,
}


class PushPaused(Exception):
    """The person reported a sign-in they did not make: no pushes until ``until``."""

    def __init__(self, until) -> None:
        super().__init__(f"pushes paused until {until:%H:%M} UTC")
        self.until = until

    @property
    def message(self) -> str:
        return (
            "Push requests to your phone are paused until "
            f"{self.until:%H:%M} UTC because a sign-in was reported as not yours. "
            "Use another way to sign in."
        )


def paused_until(user: User):
    """When pushes to ``user`` resume, if they are paused now."""
    until = user.push_paused_until
    return until if until and until > timezone.now() else None


def new_match_number() -> int:
    """The two-digit number the person picks on the phone (10-99, from ``secrets``)."""
    return 10 + secrets.randbelow(90)


def details_for(user: User, request: HttpRequest, number: int) -> ApprovalDetails:
    """What the phone shows: who, which portal, from which address and browser, when, and
    the number to match (in the hidden details too, for an app that enforces the match)."""
    return ApprovalDetails(
        message="Sign in to Partner Portal",
        details={
            "Account": user.email,
            "Portal": "Partner Portal",
            "IP address": client_ip(request) or "unknown",
            "Browser": browser_label(user_agent(request)),
            "Time": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
            "Number to match": str(number),
        },
        hidden_details={"match_number": str(number)},
        expires_in=conf.ONETOUCH_EXPIRY_SECONDS,
    )


def send(
    attempt: SignInAttempt, device: PhoneDevice | None, request: HttpRequest
) -> ApprovalRequest:
    """Send a new push for ``attempt`` (closing any pending one): to the provider's app on
    ``device`` (the registered number, if any) and to every phone with the Partner Portal
    app; one request, one number, the first answer wins. Raises RateLimited when the person
    had too many pushes lately, PushPaused after "This wasn't me", ProviderError when the
    provider fails and no phone has the Partner Portal app (with one, the app still gets
    the request and the failure is audited)."""
    user = attempt.user
    until = paused_until(user)
    if until:
        raise PushPaused(until)
    try:
        limits.hit("push.user", user.pk)
    except limits.RateLimited as tripped:
        audit.record(
            PushTag.PUSH_THROTTLED, request=request, subject=user, retry_after=tripped.retry_after,
            attempt_id=attempt.pk,
        )
        raise
    number = new_match_number()
    provider_name, ref = _ask_provider(attempt, device, request, number)
    now = timezone.now()
    with transaction.atomic():
        # One pending request per attempt: a new one closes the older (no join: one table).
        ApprovalRequest.objects.filter(attempt_id=attempt.pk, status=Status.PENDING).update(
            status=Status.EXPIRED, answered_at=now
        )
        approval = ApprovalRequest.objects.create(
            attempt=attempt,
            user=user,
            provider=provider_name,
            provider_ref=ref,
            match_number=number,
            created_at=now,
            expires_at=now + timedelta(seconds=conf.ONETOUCH_EXPIRY_SECONDS),
            ip_address=client_ip(request) or None,
            user_agent=user_agent(request),
        )
        phones = delivery.prepare(approval)
        audit.record(PushTag.PUSH_SENT, request=request, subject=user, approval=str(approval.pk),
                     attempt_id=attempt.pk)
        _tell_waiting_browsers(approval)
        if phones:
            transaction.on_commit(partial(delivery.push, approval), robust=True)
    return approval


def _ask_provider(
    attempt: SignInAttempt, device: PhoneDevice | None, request: HttpRequest, number: int
) -> tuple[str, str]:
    """The provider's name and reference for a new request, or ``APP`` and the portal's own
    when there is no registered number, or the provider failed and the app can still go."""
    user = attempt.user
    if device is not None:
        provider = get_provider(device.provider)
        try:
            details = details_for(user, request, number)
            return provider.name, provider.create_approval(user, device.provider_ref, details)
        except ProviderError as error:
            if not phones.has_phone(user):
                raise
            audit.record(PushTag.PUSH_PROVIDER_SKIPPED, request=request, subject=user,
                         kind=str(error.kind), attempt_id=attempt.pk)
    return APP, secrets.token_hex(16)


def latest(attempt_id: str) -> ApprovalRequest | None:
    """The newest request of a live attempt, in one indexed lookup (None if the attempt ended)."""
    return (
        ApprovalRequest.objects.filter(
            attempt_id=attempt_id,
            attempt__completed_at__isnull=True,
            attempt__expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


def latest_of(attempt: SignInAttempt) -> ApprovalRequest | None:
    """The newest request of an attempt the caller already holds as live (no join)."""
    return ApprovalRequest.objects.filter(attempt_id=attempt.pk).order_by("-created_at").first()


def status_of(approval: ApprovalRequest | None) -> ApprovalStatus | None:
    """The request's status as of now: a pending request past its expiry reads as expired."""
    if approval is None:
        return None
    if approval.status == Status.PENDING and approval.expires_at <= timezone.now():
        return ApprovalStatus.EXPIRED
    return ApprovalStatus(approval.status)


def refresh_from_provider(approval: ApprovalRequest) -> None:
    """For providers ``polled_for_answers``: ask at most every TWOFACTOR_PROVIDER_POLL_SECONDS
    per request, however often browsers poll. Other providers are never asked: their
    answers arrive through ``record_answer``."""
    if status_of(approval) is not ApprovalStatus.PENDING or approval.provider == APP:
        return
    provider = get_provider(approval.provider)
    if not provider.polled_for_answers:
        return
    try:
        due = cache.add(poll.provider_asked_key(approval.pk), 1,
                        conf.TWOFACTOR_PROVIDER_POLL_SECONDS)
    except Exception:  # no shared memory of the last ask: do not hammer the provider
        log.warning("could not check when push %s was last asked for", approval.pk,
                    exc_info=True)
        return
    if not due:
        return
    device_ref = PhoneDevice.objects.filter(user_id=approval.user_id).values_list(
        "provider_ref", flat=True
    ).first() or ""
    answer = provider.approval_status(device_ref, approval.provider_ref)
    if answer.is_final:
        record_answer(approval.provider_ref, answer, provider=approval.provider)
        approval.refresh_from_db()


def record_answer(
    request_ref: str, status: ApprovalStatus, *, provider: str, notify: bool = True,
    denied_because: str = Denial.TAPPED_DENY,
) -> bool:
    """Record a provider's final answer to a request. True if this answer won: only a
    pending, unexpired request of a live sign-in moves, and only once; a caller that gets
    False lost to an earlier answer (or the request had closed) and changed nothing.
    ``denied_because``: a denial's cause (a different number tapped, "This wasn't me"),
    written in the same UPDATE, so the page says which."""
    status = ApprovalStatus(status)
    if status not in AUDIT_TAGS:
        return False  # pending, or "withdrawn", which only the portal decides
    pk = (
        ApprovalRequest.objects.filter(
            provider=provider, provider_ref=request_ref, status=Status.PENDING
        )
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return False
    # Approve and deny count only before the expiry; a provider may say "expired" later.
    in_time = True if status is not ApprovalStatus.EXPIRED else None
    now = timezone.now()
    with transaction.atomic():
        # An answer for a sign-in that already ended (succeeded or ran out) changes nothing.
        denial = denied_because if status is ApprovalStatus.DENIED else Denial.TAPPED_DENY
        if not _close(pk, Status(status.value), now, unexpired=in_time,
                      attempt_live=True, denied_because=denial):
            return False
        approval = ApprovalRequest.objects.select_related("user__firm").get(pk=pk)
        audit.record(AUDIT_TAGS[status], subject=approval.user, approval=str(approval.pk),
                     attempt_id=approval.attempt_id)
        if status is ApprovalStatus.DENIED and notify:
            transaction.on_commit(partial(emails.push_denied, approval), robust=True)
        _tell_waiting_browsers(approval)
    metrics.push_answered(status.value, (now - approval.created_at).total_seconds())
    return True


def withdraw(attempt_id: object) -> int:
    """Close the attempt's pending requests: it finished another way or was abandoned, so
    approving them afterwards does nothing (the phone shows them closed)."""
    now = timezone.now()
    closed = 0
    for approval in ApprovalRequest.objects.filter(attempt_id=attempt_id, status=Status.PENDING):
        if _close(approval.pk, Status.WITHDRAWN, now):
            approval.status, approval.answered_at = Status.WITHDRAWN, now
            _tell_waiting_browsers(approval)
            closed += 1
    return closed


def withdraw_abandoned(**which) -> int:
    """Withdraw pending requests (of the people and providers ``which`` selects) whose
    sign-in has ended without them: it succeeded another way or ran out."""
    now = timezone.now()
    abandoned = ApprovalRequest.objects.filter(status=Status.PENDING, **which).filter(
        Q(attempt__completed_at__isnull=False) | Q(attempt__expires_at__lte=now)
    )
    return sum(withdraw(attempt_id) for attempt_id in
               set(abandoned.values_list("attempt_id", flat=True)))


def expire(approval: ApprovalRequest, request: HttpRequest | None = None) -> None:
    """Record, once, that a pending request ran out of time."""
    if approval.status != Status.PENDING or status_of(approval) is not ApprovalStatus.EXPIRED:
        return
    now = timezone.now()
    with transaction.atomic():
        if not _close(approval.pk, Status.EXPIRED, now, unexpired=False):
            return
        approval.status, approval.answered_at = Status.EXPIRED, now
        audit.record(PushTag.PUSH_EXPIRED, request=request, subject=approval.user,
                     approval=str(approval.pk), attempt_id=approval.attempt_id)
        _tell_waiting_browsers(approval)


def stop(attempt_id: object) -> None:
    """"This wasn't me" ended the attempt: each of its requests still pending or denied now
    reads as stopped (one UPDATE whose WHERE holds the statuses, so an approval can never
    turn into it), and a page waiting on the newest learns it at once."""
    now = timezone.now()
    ApprovalRequest.objects.filter(
        attempt_id=attempt_id, status__in=(Status.PENDING, Status.DENIED)
    ).update(status=Status.DENIED, denied_because=Denial.REPORTED,
             answered_at=Coalesce("answered_at", now))
    newest = ApprovalRequest.objects.filter(attempt_id=attempt_id).order_by("-created_at").first()
    if newest is not None:
        _tell_waiting_browsers(newest)


def _close(
    pk: object, status: Status, now: datetime, *, unexpired: bool | None = None,
    attempt_live: bool = False, denied_because: str = "",
) -> bool:
    """The one write every answer makes: move the pending request ``pk`` to ``status``.
    Every condition sits in the UPDATE's own WHERE on the request's own row (PostgreSQL
    re-checks them on the row a concurrent answer just changed; through a join it would
    re-check only an outer ``id IN (...)``), so exactly one of simultaneous answers wins.
    ``unexpired``: True only before the request's expiry, False only after it."""
    pending = ApprovalRequest.objects.filter(pk=pk, status=Status.PENDING)
    if unexpired is True:
        pending = pending.filter(expires_at__gt=now)
    elif unexpired is False:
        pending = pending.filter(expires_at__lte=now)
    if attempt_live:
        pending = pending.filter(Exists(SignInAttempt.objects.filter(
            pk=OuterRef("attempt_id"), completed_at__isnull=True, expires_at__gt=now
        )))
    return bool(pending.update(status=status, answered_at=now, denied_because=denied_because))


def _tell_waiting_browsers(approval: ApprovalRequest) -> None:
    """Once the answer is committed, write it to the poll's cache and announce it."""
    transaction.on_commit(partial(_remember, approval))


def _remember(approval: ApprovalRequest) -> None:
    try:
        poll.remember(approval)
    except Exception:  # cache or Redis away: the answer stands; the poll's long way reads it
        log.warning("could not tell waiting browsers of push %s", approval.pk, exc_info=True)
