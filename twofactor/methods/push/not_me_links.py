"""The signed "This wasn't me" link in the email sent on a denial.

Built on Django's ``PasswordResetTokenGenerator`` (an HMAC over a hash value and a timestamp,
checked in constant time against ``SECRET_KEY`` and its fallbacks), as the phone-change
links are. The hash value includes ``reported_at``, so the link works once; it expires after
a week.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from portal import links as portal_links
from twofactor.models import ApprovalRequest

LINK_VALID_SECONDS = 7 * 24 * 3600
MAX_TOKEN_LENGTH = 64


class _NotMeLinkGenerator(PasswordResetTokenGenerator):
    """Django's token over the request's state: once reported, the link stops working."""

    key_salt = "twofactor.methods.push.report.NotMeLinkGenerator"

    def _make_hash_value(self, approval: ApprovalRequest, timestamp: int) -> str:
        return f"{approval.pk}|{approval.user_id}|{approval.reported_at}|{timestamp}"

    def check_token(self, approval: ApprovalRequest, token: object) -> bool:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or "-" not in token:
            return False
        try:
            timestamp = base36_to_int(token.split("-", 1)[0])
        except ValueError:
            return False
        signed = any(
            constant_time_compare(
                self._make_token_with_timestamp(approval, timestamp, secret), token
            )
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return signed and 0 <= age <= LINK_VALID_SECONDS and approval.reported_at is None


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


