"""The portal's VAPID key (RFC 8292): it signs every push, and the phone app subscribes with
its public half (the Push API's ``applicationServerKey``).

``VAPID_PRIVATE_KEY`` is PEM or the raw 32-byte P-256 private value in URL-safe base64. In
development, with none set, a key is derived from SECRET_KEY, so it stays the same across
restarts (a new key would silently orphan every phone's subscription). Production must set
one: the system check twofactor.E040 says so at start-up.
"""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from portal.conf import Settings

conf = Settings({"DEBUG", "SECRET_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"})

# The order of the P-256 group: a private value is in [1, ORDER - 1].
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class KeyProblem(ValueError):
    """VAPID_PRIVATE_KEY is missing or cannot be read (the text says which, never the key)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM or a raw b64url value; :class:`KeyProblem` otherwise."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            # A PEM put in an environment file on one line keeps its newlines as "\n".
            key = load_pem_private_key(text.replace("\\n", "\n").encode(), password=None)
        except (ValueError, TypeError):
            raise KeyProblem("VAPID_PRIVATE_KEY is a PEM block that cannot be read.") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise KeyProblem("VAPID_PRIVATE_KEY must be a P-256 (prime256v1) EC key.")
        return key
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raw = b""
    value = int.from_bytes(raw, "big")
    if len(raw) != 32 or not 0 < value < ORDER:
        raise KeyProblem(
            "VAPID_PRIVATE_KEY must be PEM or a P-256 private value: 32 bytes in URL-safe "
            "base64 (43 characters)."
        )
    return ec.derive_private_key(value, ec.SECP256R1())


@functools.lru_cache(maxsize=4)
def _derived(secret_key: str) -> ec.EllipticCurvePrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(), length=48, salt=None, info=b"portal.vapid-development-key"
    ).derive(secret_key.encode())
    # 48 bytes reduced modulo the order: a uniform private value in [1, ORDER - 1].
    return ec.derive_private_key(int.from_bytes(seed, "big") % (ORDER - 1) + 1, ec.SECP256R1())


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> ec.EllipticCurvePrivateKey:
    return parse(text)


def private_key() -> ec.EllipticCurvePrivateKey:
    """The configured key; in development without one, the key derived from SECRET_KEY."""
    if conf.VAPID_PRIVATE_KEY:
        return _parsed(conf.VAPID_PRIVATE_KEY)
    if conf.DEBUG:
        return _derived(conf.SECRET_KEY)
    raise KeyProblem("VAPID_PRIVATE_KEY is not set.")


def public_key_bytes() -> bytes:
    """The public key as an uncompressed P-256 point (65 bytes)."""
    return private_key().public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def public_key_b64url() -> str:
    """The ``applicationServerKey`` the phone app subscribes with (b64url, no padding)."""
    return b64url(public_key_bytes())


def subject() -> str:
    return conf.VAPID_SUBJECT
