"""Signed links in phone-change emails, built on Django's ``PasswordResetTokenGenerator``.

Its token is an HMAC over a hash value and a timestamp, checked in constant time against
``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` (so rotating the key is documented Django
practice). Here the hash value is the phone-change request's state instead of a person's:
the confirm link hashes the request's status, so it stops working the moment it has been used
(the status moved on), and it expires after ``PHONE_CHANGE_CONFIRM_SECONDS``; the cancel link
works for as long as the request is open, however long the hold.
"""

import enum

from accounts.tokens import RecordLinkGenerator
from twofactor.conf import conf
from twofactor.models import PhoneChangeRequest


class Purpose(enum.StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"


class _PhoneChangeLinkGenerator(RecordLinkGenerator):
    """Django's token over a request's state; each purpose has its own salt, so a cancel
    link is never a confirm link."""

    def state(self, change: PhoneChangeRequest) -> str:
        raise NotImplementedError

    def _make_hash_value(self, change: PhoneChangeRequest, timestamp: int) -> str:
        return f"{change.pk}|{self.state(change)}|{timestamp}"


class ConfirmLinkGenerator(_PhoneChangeLinkGenerator):
    key_salt = "twofactor.recovery.email_links.ConfirmLinkGenerator"

    def state(self, change: PhoneChangeRequest) -> str:
        return f"{change.status}|{change.proven_at}|{change.new_phone}|{change.user.email}"

    def still_valid(self, change: PhoneChangeRequest, timestamp: int) -> bool:
        return 0 <= self.age(timestamp) <= conf.PHONE_CHANGE_CONFIRM_SECONDS


class CancelLinkGenerator(_PhoneChangeLinkGenerator):
    key_salt = "twofactor.recovery.email_links.CancelLinkGenerator"

    def state(self, change: PhoneChangeRequest) -> str:
        return f"{change.created_at}|{change.new_phone}"

    def still_valid(self, change: PhoneChangeRequest, timestamp: int) -> bool:
        return change.is_open


GENERATORS = {Purpose.CONFIRM: ConfirmLinkGenerator(), Purpose.CANCEL: CancelLinkGenerator()}


def make_token(change: PhoneChangeRequest, purpose: Purpose) -> str:
    return GENERATORS[purpose].make_token(change)


def check_token(change: PhoneChangeRequest, purpose: Purpose, token: object) -> bool:
    """True when ``token`` was made for this request, purpose and state, and is still valid."""
    return GENERATORS[purpose].check_token(change, token)
