"""Emails about the second factor that a person should know of at once: a push they (or
someone else) denied, and a right password followed by repeated wrong second factors."""

from django.utils import timezone

from accounts.emails import send_notice
from accounts.models import User
from portal.request_info import browser_label
from twofactor.models import ApprovalRequest, FactorLock, SignInAttempt


def _where(ip: str | None, agent: str) -> dict[str, str]:
    return {"ip_address": ip or "an unknown address", "browser": browser_label(agent)}


def push_denied(approval: ApprovalRequest) -> None:
    """The person denied a sign-in request: tell them what it was and what to do."""
    send_notice(
        approval.user,
        "push_denied",
        "a sign-in request was denied",
        {"when": approval.answered_at or timezone.now(), **_where(approval.ip_address,
                                                                   approval.user_agent)},
    )


def second_factor_failing(user: User, attempt: SignInAttempt, *, locked: bool) -> None:
    """Someone had the password but failed the second factor repeatedly; when it locked the
    person, say until when and which administrators can lift it (by name: this goes only to
    the person's own mailbox)."""
    lock = FactorLock.objects.filter(pk=user.pk).first() if locked else None
    admins = (
        User.objects.filter(firm_id=user.firm_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .order_by("full_name")
        if locked
        else User.objects.none()
    )
    send_notice(
        user,
        "second_factor_failed",
        "your account is locked" if locked else "repeated failed sign-in attempts",
        {
            "when": timezone.now(),
            "locked": locked,
            "locked_until": lock.locked_until if lock else None,
            "admins": list(admins),
            **_where(attempt.ip_address, attempt.user_agent),
        },
    )
