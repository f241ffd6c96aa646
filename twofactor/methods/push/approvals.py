"""OneTouch (push) approval requests: sent at the password step, answered on the phone.

A request is a row bound to one sign-in attempt, at most one pending per attempt, expiring
after ``ONETOUCH_EXPIRY_SECONDS``. An answer (a provider callback, a bounded provider poll,
or the simulated phone) goes through ``record_answer``: a conditional UPDATE that moves a
pending, unexpired request to its final status once, so a denied or expired request can
never later be approved.

Number matching is always on: each request carries a two-digit number from ``secrets``,
shown on the challenge page; the phone asks the person to pick it from three. A request is
withdrawn when its sign-in finishes another way or is abandoned, so a late approval does
nothing. "This wasn't me" may pause pushes to a person (``User.push_paused_until``).
"""

import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.audit import Tag
from accounts.models import User
from portal import limits, metrics
from portal.request_info import browser_label, client_ip, user_agent
from twofactor import notifications
from twofactor.conf import conf
from twofactor.methods.push import poll
from twofactor.models import ApprovalRequest, PhoneDevice, SignInAttempt
from twofactor.providers import get_provider
from twofactor.providers.base import ApprovalDetails, ApprovalStatus

Status = ApprovalRequest.Status
AUDIT_TAGS = {
    ApprovalStatus.APPROVED: Tag.PUSH_APPROVED,
    ApprovalStatus.DENIED: Tag.PUSH_DENIED,
    ApprovalStatus.EXPIRED: Tag.PUSH_EXPIRED,
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
            "Use an SMS token or another way below."
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


def send(attempt: SignInAttempt, device: PhoneDevice, request: HttpRequest) -> ApprovalRequest:
    """Send a new push for ``attempt`` (closing any pending one). Raises RateLimited when the
    person had too many pushes lately, PushPaused after "This wasn't me", ProviderError
    when the provider fails."""
    user = attempt.user
    until = paused_until(user)
    if until:
        raise PushPaused(until)
    try:
        limits.hit("push.user", user.pk)
    except limits.RateLimited as tripped:
        audit.record(
            Tag.PUSH_THROTTLED, request=request, subject=user, retry_after=tripped.retry_after
        )
        raise
    provider = get_provider(device.provider)
    number = new_match_number()
    ref = provider.create_approval(user, device.provider_ref, details_for(user, request, number))
    now = timezone.now()
    with transaction.atomic():
        # One pending request per attempt: a new one closes the older.
        attempt.approvals.filter(status=Status.PENDING).update(
            status=Status.EXPIRED, answered_at=now
        )
        approval = ApprovalRequest.objects.create(
            attempt=attempt,
            user=user,
            provider=provider.name,
            provider_ref=ref,
            match_number=number,
            created_at=now,
            expires_at=now + timedelta(seconds=conf.ONETOUCH_EXPIRY_SECONDS),
            ip_address=client_ip(request) or None,
            user_agent=user_agent(request),
        )
    poll.remember(approval)
    audit.record(Tag.PUSH_SENT, request=request, subject=user, approval=str(approval.pk))
    return approval


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
    if status_of(approval) is not ApprovalStatus.PENDING:
        return
    provider = get_provider(approval.provider)
    if not provider.polled_for_answers:
        return
    if not cache.add(poll.provider_asked_key(approval.pk), 1, conf.TWOFACTOR_PROVIDER_POLL_SECONDS):
        return
    device_ref = PhoneDevice.objects.filter(user_id=approval.user_id).values_list(
        "provider_ref", flat=True
    ).first() or ""
    answer = provider.approval_status(device_ref, approval.provider_ref)
    if answer.is_final:
        record_answer(approval.provider_ref, answer, provider=approval.provider)
        approval.refresh_from_db()


def record_answer(
    request_ref: str, status: ApprovalStatus, *, provider: str, notify: bool = True
) -> bool:
    """Record a provider's final answer to a request. True if it changed anything: only a
    pending, unexpired request moves, and only once."""
    status = ApprovalStatus(status)
    if status not in AUDIT_TAGS:
        return False  # pending, or "withdrawn", which only the portal decides
    now = timezone.now()
    pending = ApprovalRequest.objects.filter(
        provider=provider,
        provider_ref=request_ref,
        status=Status.PENDING,
        # An answer for a sign-in that already ended (succeeded or ran out) changes nothing.
        attempt__completed_at__isnull=True,
        attempt__expires_at__gt=now,
    )
    if status is not ApprovalStatus.EXPIRED:
        pending = pending.filter(expires_at__gt=now)
    if not pending.update(status=status.value, answered_at=now):
        return False
    approval = (
        ApprovalRequest.objects.select_related("user__firm")
        .filter(provider=provider, provider_ref=request_ref, answered_at=now)
        .first()
    )
    poll.remember(approval)
    metrics.push_answered(status.value, (now - approval.created_at).total_seconds())
    audit.record(AUDIT_TAGS[status], subject=approval.user, approval=str(approval.pk))
    if status is ApprovalStatus.DENIED and notify:
        notifications.push_denied(approval)
    return True


def withdraw(attempt_id: object) -> int:
    """Close the attempt's pending requests: it finished another way or was abandoned, so
    approving them afterwards does nothing (the phone shows them closed)."""
    now = timezone.now()
    pending = list(
        ApprovalRequest.objects.filter(attempt_id=attempt_id, status=Status.PENDING)
    )
    closed = ApprovalRequest.objects.filter(
        pk__in=[approval.pk for approval in pending], status=Status.PENDING
    ).update(status=Status.WITHDRAWN, answered_at=now)
    for approval in pending:
        approval.status, approval.answered_at = Status.WITHDRAWN, now
        poll.remember(approval)
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
    if ApprovalRequest.objects.filter(pk=approval.pk, status=Status.PENDING).update(
        status=Status.EXPIRED, answered_at=timezone.now()
    ):
        approval.status = Status.EXPIRED
        poll.remember(approval)
        audit.record(Tag.PUSH_EXPIRED, request=request, subject=approval.user)


def was_denied(attempt: SignInAttempt) -> bool:
    return attempt.approvals.filter(status=Status.DENIED).exists()
