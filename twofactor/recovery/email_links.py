"""Signed links in phone-change emails, built on Django's ``PasswordResetTokenGenerator``.

Its token is an HMAC over a hash value and a timestamp, checked in constant time against
``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` (so rotating the key is documented Django
practice). Here the hash value is the phone-change request's state instead of a person's:
the confirm link hashes the request's status, so it stops working the moment it has been used
(the status moved on), and it expires after ``PHONE_CHANGE_CONFIRM_SECONDS``; the cancel link
works for as long as the request is open, however long the hold.
"""

import enum

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from twofactor.conf import conf
from twofactor.models import PhoneChangeRequest

MAX_TOKEN_LENGTH = 64


class Purpose(enum.StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"


class _PhoneChangeLinkGenerator(PasswordResetTokenGenerator):
    """Django's token over a request's state; each purpose has its own salt, so a cancel
    link is never a confirm link. Expiry is each purpose's own (not PASSWORD_RESET_TIMEOUT)."""

    def state(self, change: PhoneChangeRequest) -> str:
        raise NotImplementedError

    def still_valid(self, change: PhoneChangeRequest, timestamp: int) -> bool:
        raise NotImplementedError

    def _make_hash_value(self, change: PhoneChangeRequest, timestamp: int) -> str:
        return f"{change.pk}|{self.state(change)}|{timestamp}"

    def check_token(self, change: PhoneChangeRequest, token: object) -> bool:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or "-" not in token:
            return False
        try:
            timestamp = base36_to_int(token.split("-", 1)[0])
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(change, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return signed and self.still_valid(change, timestamp)


class ConfirmLinkGenerator(_PhoneChangeLinkGenerator):
    key_salt = "twofactor.recovery.email_links.ConfirmLinkGenerator"

    def state(self, change: PhoneChangeRequest) -> str:
        return f"{change.status}|{change.proven_at}|{change.new_phone}|{change.user.email}"

    def still_valid(self, change: PhoneChangeRequest, timestamp: int) -> bool:
        age = self._num_seconds(self._now()) - timestamp
        return 0 <= age <= conf.PHONE_CHANGE_CONFIRM_SECONDS


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
