"""Emails about the second factor that a person should know of at once: a push they (or
someone else) denied, and a right password followed by repeated wrong second factors."""

from django.utils import timezone

from accounts.emails import send_notice
from accounts.models import User
from portal.request_info import browser_label
from twofactor.methods.push import not_me_links
from twofactor.models import ApprovalRequest, SignInAttempt


def _where(ip: str | None, agent: str) -> dict[str, str]:
    return {"ip_address": ip or "an unknown address", "browser": browser_label(agent)}


def push_denied(approval: ApprovalRequest) -> None:
    """The person denied a sign-in request: tell them what it was, and give them the
    signed "This wasn't me" link (no provider's app has such a button)."""
    send_notice(
        approval.user,
        "push_denied",
        "a sign-in request was denied",
        {"when": approval.answered_at or timezone.now(), "not_me_url": not_me_links.link(approval),
         **_where(approval.ip_address, approval.user_agent)},
    )


def second_factor_failing(user: User, attempt: SignInAttempt, *, locked: bool) -> None:
    """Someone had the password but failed the second factor repeatedly."""
    send_notice(
        user,
        "second_factor_failed",
        "your account is locked" if locked else "repeated failed sign-in attempts",
        {"when": timezone.now(), "locked": locked, **_where(attempt.ip_address,
                                                            attempt.user_agent)},
    )
