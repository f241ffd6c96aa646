"""Email links that let a person set a password: invitations and "Forgot your password?".

In the manner of Django's password-reset tokens: a stateless HMAC over the person's id,
password hash, last login, email and active flag and a timestamp. Setting the password
changes the hash, so a link works once; PASSWORD_RESET_TIMEOUT makes it expire. Each kind
has its own salt, so an invitation link cannot be replayed as a reset link or the reverse.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User


class _PersonTokenGenerator(PasswordResetTokenGenerator):
    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # A deactivated person's links die with the account.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


class InvitationTokenGenerator(_PersonTokenGenerator):
    key_salt = "accounts.tokens.InvitationTokenGenerator"


class PasswordResetLinkGenerator(_PersonTokenGenerator):
    key_salt = "accounts.tokens.PasswordResetLinkGenerator"


class RecordLinkGenerator(PasswordResetTokenGenerator):
    """Django's token over any record's state instead of a person's, each kind with its own
    expiry rule (not PASSWORD_RESET_TIMEOUT): subclasses give ``_make_hash_value(record,
    timestamp)`` and ``still_valid(record, timestamp)``. Checked in constant time against
    SECRET_KEY and SECRET_KEY_FALLBACKS, as Django checks its own."""

    max_token_length = 64

    def still_valid(self, record: object, timestamp: int) -> bool:
        raise NotImplementedError

    def age(self, timestamp: int) -> int:
        return self._num_seconds(self._now()) - timestamp

    def check_token(self, record: object, token: object) -> bool:
        if not isinstance(token, str) or len(token) > self.max_token_length or "-" not in token:
            return False
        try:
            timestamp = base36_to_int(token.split("-", 1)[0])
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(record, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return signed and self.still_valid(record, timestamp)


invitation_tokens = InvitationTokenGenerator()
reset_tokens = PasswordResetLinkGenerator()


def encode_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def person_from_uid(uidb64: str) -> User | None:
    """The active person a link names, or None for anything malformed or unknown."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.select_related("firm", "client").filter(pk=pk, is_active=True).first()
