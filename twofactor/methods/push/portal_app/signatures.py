"""What the phone signs, and the check of it.

The phone holds a non-extractable ECDSA P-256 key (WebCrypto). Each request it makes carries
``payload``, canonical JSON (keys sorted, no spaces, ASCII), and ``signature``, WebCrypto's
raw r||s over the payload's bytes, base64url. The portal checks the signature against the
public key that phone registered, over the exact bytes received, then reads the payload and
insists it is canonical: one object has one signed form, so nothing can ride along unsigned.
"""

from __future__ import annotations

import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_PAYLOAD = 4096
POINT_LENGTH = 65  # 0x04 || X || Y on P-256
SIGNATURE_LENGTH = 64  # r || s, 32 bytes each


class BadSignature(Exception):
    """The request is not signed by the phone it names, or is not in the signed form."""


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def canonical(payload: dict) -> str:
    """The one signed form of ``payload``."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def public_key(point: bytes) -> ec.EllipticCurvePublicKey:
    """A registered public key (raises ValueError for anything but a P-256 point)."""
    if len(point) != POINT_LENGTH or point[0] != 4:
        raise ValueError("not an uncompressed P-256 point")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def verified_payload(point: bytes, payload: object, signature: object) -> dict:
    """The payload as a dict, if ``signature`` over it verifies with ``point``."""
    if not isinstance(payload, str) or not isinstance(signature, str):
        raise BadSignature("payload and signature must be strings")
    if len(payload) > MAX_PAYLOAD:
        raise BadSignature("payload too long")
    try:
        raw = b64url_decode(signature)
        key = public_key(point)
    except ValueError as error:
        raise BadSignature(str(error)) from error
    if len(raw) != SIGNATURE_LENGTH:
        raise BadSignature("signature is not 64 bytes of r||s")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, payload.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise BadSignature("signature does not verify") from error
    try:
        data = json.loads(payload)
    except ValueError as error:
        raise BadSignature("payload is not JSON") from error
    if not isinstance(data, dict) or canonical(data) != payload:
        raise BadSignature("payload is not canonical JSON")
    return data


def peek(payload: object) -> dict | None:
    """The payload read WITHOUT checking it: only to find whose key checks it."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
