"""Secrets stored encrypted at rest (an authenticator app's shared secret), with keys that
can be rotated.

``FIELD_ENCRYPTION_KEY`` lists Fernet keys, newest first: the first encrypts, every one
decrypts (``cryptography``'s MultiFernet), so a new key goes in front and the old ones stay
after it until ``python manage.py reencrypt_secrets`` has rewritten every row.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from portal.conf import Settings

conf = Settings({"FIELD_ENCRYPTION_KEY"})

__all__ = ["InvalidToken", "decrypt", "encrypt", "reencrypt"]


def _fernet() -> MultiFernet:
    # Read on each call, so a test's settings override (or a rotation) takes effect.
    return MultiFernet([Fernet(key) for key in conf.FIELD_ENCRYPTION_KEY])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text, or InvalidToken when no configured key opens it."""
    return _fernet().decrypt(token.encode("ascii")).decode()


def reencrypt(token: str) -> str:
    """The same text encrypted with the newest key (for rotation)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")
