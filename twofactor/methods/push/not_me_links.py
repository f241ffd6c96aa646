"""The signed "This wasn't me" link in the email sent on a denial.

Built on Django's ``PasswordResetTokenGenerator`` (an HMAC over a hash value and a timestamp,
checked in constant time against ``SECRET_KEY`` and its fallbacks), as the phone-change
links are. The hash value includes ``reported_at``, so the link works once; it expires after
a week.
"""

from django.urls import reverse

from accounts.tokens import RecordLinkGenerator
from portal import links as portal_links
from twofactor.models import ApprovalRequest

LINK_VALID_SECONDS = 7 * 24 * 3600


class _NotMeLinkGenerator(RecordLinkGenerator):
    """Django's token over the request's state: once reported, the link stops working."""

    key_salt = "twofactor.methods.push.report.NotMeLinkGenerator"

    def _make_hash_value(self, approval: ApprovalRequest, timestamp: int) -> str:
        return f"{approval.pk}|{approval.user_id}|{approval.reported_at}|{timestamp}"

    def still_valid(self, approval: ApprovalRequest, timestamp: int) -> bool:
        return 0 <= self.age(timestamp) <= LINK_VALID_SECONDS and approval.reported_at is None


links = _NotMeLinkGenerator()


def link(approval: ApprovalRequest) -> str:
    """The signed "This wasn't me" link for the denial email."""
    path = reverse(
        "push_not_me", kwargs={"approval_id": approval.pk, "token": links.make_token(approval)}
    )
    return portal_links.absolute_url(path)


def from_link(approval_id: object, token: object) -> ApprovalRequest | None:
    approval = (
        ApprovalRequest.objects.select_related("user__firm").filter(pk=approval_id).first()
    )
    return approval if approval is not None and links.check_token(approval, token) else None


