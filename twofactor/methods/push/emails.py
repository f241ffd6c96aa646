"""The push's own email: a request the person (or someone else) denied."""

from django.utils import timezone

from accounts.emails import send_notice
from twofactor import notifications
from twofactor.methods.push import not_me_links
from twofactor.models import ApprovalRequest


def push_denied(approval: ApprovalRequest) -> None:
    """The person denied a sign-in request: tell them what it was, and give them the
    signed "This wasn't me" link (no provider's app has such a button)."""
    send_notice(
        approval.user,
        "push_denied",
        "a sign-in request was denied",
        {"when": approval.answered_at or timezone.now(), "not_me_url": not_me_links.link(approval),
         **notifications.where(approval.ip_address, approval.user_agent)},
    )
