"""Decrypting a Web Push message body (RFC 8291: aes128gcm in RFC 8188's record format).

The loopback push service (``web_push.py``) opens every message the portal sends with this.
It is written on ``cryptography`` alone, apart from the sender's library (``http_ece``), so a
mistake there is caught here instead of being mirrored; RFC 8291's Appendix A example checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HEADER_BYTES = 16 + 4 + 1  # salt, record size, key id length (RFC 8188 section 2.1)
TAG_BYTES = 16
POINT_BYTES = 65  # an uncompressed P-256 point: the sender's public key is the key id


class DecryptError(ValueError):
    """The body is not an aes128gcm message for these keys (the text says what is wrong)."""


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def decrypt(body: bytes, ua_private_key: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """The plaintext of ``body``, sent to the user agent holding ``ua_private_key`` and
    ``auth_secret``; :class:`DecryptError` when it is malformed, forged or for other keys."""
    if len(body) < HEADER_BYTES:
        raise DecryptError("shorter than the aes128gcm header")
    salt = body[:16]
    (record_size,) = struct.unpack("!L", body[16:20])
    id_length = body[20]
    sender_point = body[HEADER_BYTES : HEADER_BYTES + id_length]
    records = body[HEADER_BYTES + id_length :]
    if record_size < TAG_BYTES + 2:
        raise DecryptError(f"record size {record_size} is below 18")
    if id_length != POINT_BYTES:
        raise DecryptError("the key id is not the sender's uncompressed P-256 public key")
    try:
        sender_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_point)
    except ValueError:
        raise DecryptError("the key id is not a point on P-256") from None

    # RFC 8291 section 3.4: the input keying material mixes the ECDH secret and the auth secret.
    ecdh_secret = ua_private_key.exchange(ec.ECDH(), sender_key)
    key_info = b"WebPush: info\x00" + _public_bytes(ua_private_key.public_key()) + sender_point
    ikm = _hmac(_hmac(auth_secret, ecdh_secret), key_info + b"\x01")
    # RFC 8188 section 2.2 and 2.3: the content key and the nonce base, from the salt.
    prk = _hmac(salt, ikm)
    content_key = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce_base = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]

    if not records:
        raise DecryptError("no records")
    plaintext = []
    chunks = [records[i : i + record_size] for i in range(0, len(records), record_size)]
    for sequence, chunk in enumerate(chunks):
        nonce = (int.from_bytes(nonce_base, "big") ^ sequence).to_bytes(12, "big")
        try:
            padded = AESGCM(content_key).decrypt(nonce, chunk, None)
        except InvalidTag:
            raise DecryptError(f"record {sequence} does not decrypt with these keys") from None
        content = padded.rstrip(b"\x00")
        last = sequence == len(chunks) - 1
        if not content or content[-1] != (2 if last else 1):
            raise DecryptError(f"record {sequence} has the wrong padding delimiter")
        plaintext.append(content[:-1])
    return b"".join(plaintext)
