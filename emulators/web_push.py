"""A loopback Web Push service (RFC 8030) that checks what a real one checks, and more.

A test (or the browser test's stand-in for ``PushManager``) asks for a subscription; the
service keeps its private key and auth secret, so it can open every message pushed to it:

    with WebPushService() as service:
        subscription = service.new_subscription()   # {"endpoint", "keys": {"p256dh", "auth"}}
        ...the portal pushes to subscription["endpoint"]...
        [message] = service.messages(subscription["endpoint"])
        message.payload, message.ttl, message.urgency, message.topic, message.claims

Each POST to ``/push/<id>`` must carry a VAPID ``Authorization`` (RFC 8292: an ES256 JWT valid
for its key ``k``, ``aud`` the endpoint's origin, ``exp`` in the future and within 24 hours,
``sub`` a mailto: or https: contact), ``Content-Encoding: aes128gcm``, a ``TTL``, and a body
that decrypts for the subscription (``ece.py``, RFC 8291). It answers 201 with a Location;
otherwise 400, 401, 403 or 413 with the reason in JSON. Per endpoint, :meth:`answer_with`
makes it answer as a real service does for a dead (404/410), throttled (429) or failing (5xx)
subscription, or redirect (3xx) elsewhere; the base class's ``faults`` act on every endpoint.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from emulators import ece
from emulators.base import Emulator, Reply, Request

MAX_BODY_BYTES = 4096  # RFC 8291 section 4: what every push service must take
MAX_EXPIRY_SECONDS = 24 * 3600  # RFC 8292 section 2
URGENCIES = {"very-low", "low", "normal", "high"}  # RFC 8030 section 5.3
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")  # RFC 8030 section 5.4


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Message:
    """One message the service accepted, decrypted."""

    endpoint: str
    payload: bytes
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    vapid_key: str  # the application server's public key, as sent in ``k``
    received_at: float


@dataclass
class _Subscription:
    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str | None
    answer: Reply | None = None  # a switched answer in place of the checks
    messages: list[Message] = field(default_factory=list)


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class WebPushService(Emulator):
    """The loopback push service: subscriptions, checks, decrypted messages, switches."""

    name = "web_push"

    def __init__(self) -> None:
        super().__init__()
        self._subscriptions: dict[str, _Subscription] = {}

    # -- what tests use -------------------------------------------------------------------

    def new_subscription(self, application_server_key: str | None = None) -> dict[str, Any]:
        """A subscription as the browser's ``subscription.toJSON()`` gives it. With
        ``application_server_key`` (b64url, as the page passes to ``subscribe``) it is
        restricted: pushes signed with another key are refused (RFC 8292 section 3.2)."""
        key = ec.generate_private_key(ec.SECP256R1())
        subscription = _Subscription(
            id=secrets.token_urlsafe(24),
            private_key=key,
            auth=secrets.token_bytes(16),
            application_server_key=application_server_key,
        )
        with self._lock:
            self._subscriptions[subscription.id] = subscription
        point = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "endpoint": self._endpoint(subscription.id),
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(subscription.auth)},
        }

    def messages(self, endpoint: str | None = None) -> list[Message]:
        """Messages accepted so far, oldest first: all, or those to ``endpoint``."""
        with self._lock:
            found = [m for s in self._subscriptions.values() for m in s.messages]
        return sorted(
            (m for m in found if endpoint is None or m.endpoint == endpoint),
            key=lambda m: m.received_at,
        )

    def answer_with(
        self,
        endpoint: str,
        status: int,
        *,
        retry_after: int | None = None,
        location: str | None = None,
    ) -> None:
        """From now on answer pushes to ``endpoint`` with ``status`` (404 or 410: gone;
        429 with ``retry_after``; a 5xx; a 3xx redirecting to ``location``) without
        accepting them. :meth:`answer_normally` undoes it."""
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        if location is not None:
            headers["Location"] = location
        reply = Reply(status, None if 300 <= status < 400 else self._error(status), headers)
        self._subscription(endpoint).answer = reply

    def answer_normally(self, endpoint: str) -> None:
        self._subscription(endpoint).answer = None

    # -- serving --------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        match = re.fullmatch(r"/push/([A-Za-z0-9_-]+)", request.path)
        subscription = self._subscriptions.get(match.group(1)) if match else None
        if request.method != "POST" or subscription is None:
            return Reply(404, self._error(404, "No such subscription."))
        if subscription.answer is not None:
            return subscription.answer
        try:
            message = self._accept(subscription, request)
        except Refused as refused:
            return Reply(refused.status, self._error(refused.status, refused.reason))
        subscription.messages.append(message)
        location = f"{self.base_url}/message/{secrets.token_urlsafe(12)}"
        return Reply(201, None, {"Location": location})

    def _accept(self, subscription: _Subscription, request: Request) -> Message:
        endpoint = self._endpoint(subscription.id)
        claims, key = self._vapid(request.header("authorization"), subscription)
        if request.header("content-encoding") != "aes128gcm":
            raise Refused(400, "Content-Encoding must be aes128gcm (RFC 8291).")
        ttl = request.header("ttl")
        if ttl is None or not (ttl.isascii() and ttl.isdigit()):
            raise Refused(400, "A TTL header (whole seconds) is required (RFC 8030 5.2).")
        urgency = request.header("urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise Refused(400, f"Urgency must be one of {sorted(URGENCIES)}.")
        topic = request.header("topic")
        if topic is not None and not TOPIC.fullmatch(topic):
            raise Refused(400, "Topic must be 1 to 32 characters of URL-safe base64.")
        if len(request.body) > MAX_BODY_BYTES:
            raise Refused(413, f"The body is over {MAX_BODY_BYTES} bytes.")
        try:
            payload = ece.decrypt(request.body, subscription.private_key, subscription.auth)
        except ece.DecryptError as error:
            raise Refused(400, f"The body does not decrypt: {error}.") from None
        return Message(endpoint, payload, int(ttl), urgency, topic, claims, key, time.time())

    def _vapid(
        self, header: str | None, subscription: _Subscription
    ) -> tuple[dict[str, Any], str]:
        """The JWT's claims and the key ``k``, once the signature and claims hold."""
        scheme, _, rest = (header or "").partition(" ")
        params = dict(
            part.strip().partition("=")[::2] for part in rest.split(",") if "=" in part
        )
        token, key = params.get("t", ""), params.get("k", "")
        if scheme.lower() != "vapid" or not token or not key:
            raise Refused(401, "Authorization must be 'vapid t=<JWT>, k=<key>' (RFC 8292).")
        if subscription.application_server_key not in (None, key):
            raise Refused(403, "k is not the key this subscription was made with.")
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(key)
            )
            head, body, signature = token.split(".")
            header_json = json.loads(b64url_decode(head))
            claims = json.loads(b64url_decode(body))
            raw = b64url_decode(signature)
        except ValueError:
            raise Refused(401, "The VAPID token or key cannot be read.") from None
        if header_json.get("alg") != "ES256" or len(raw) != 64 or not isinstance(claims, dict):
            raise Refused(401, "The VAPID token must be an ES256 JWT with a 64-byte signature.")
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refused(403, "The VAPID signature does not verify with k.") from None
        if claims.get("aud") != self.base_url:
            raise Refused(403, f"aud must be this endpoint's origin, {self.base_url}.")
        exp, now = claims.get("exp"), time.time()
        if not isinstance(exp, int) or not now < exp <= now + MAX_EXPIRY_SECONDS:
            raise Refused(403, "exp must be in the future and at most 24 hours ahead.")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            raise Refused(403, "sub must be a mailto: or https: contact.")
        return claims, key

    # -- helpers --------------------------------------------------------------------------

    def _endpoint(self, subscription_id: str) -> str:
        return f"{self.base_url}/push/{subscription_id}"

    def _subscription(self, endpoint: str) -> _Subscription:
        return self._subscriptions[endpoint.rstrip("/").rsplit("/", 1)[-1]]

    @staticmethod
    def _error(status: int, reason: str = "") -> dict[str, Any]:
        # The shape of Mozilla's push service errors (code, errno, error, message).
        return {"code": status, "errno": status, "error": reason or "Error", "message": reason}

