"""Sending one push to a phone's Web Push subscription (RFC 8030), and which endpoints may get
one at all.

The endpoint comes from the phone, so it is untrusted: in production a push goes only to an
https:// host on WEB_PUSH_HOSTS (the browsers' push services) whose every address is
public, checked again at each send (DNS changes), with redirects never followed. The payload
is encrypted for the subscription (RFC 8291, aes128gcm, with ``http_ece``) and the request
signed with the portal's VAPID key (RFC 8292, with ``py_vapid``), under a fresh claims dict
each time; the whole call is bounded by WEB_PUSH_TIMEOUT_SECONDS. :func:`send` never raises
for the network: it answers a :class:`Delivery` that says what the caller should do (forget
a dead subscription, back off, give up). Nothing here logs a payload, a key or an
endpoint's path (the path is the subscription's capability).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import http_ece
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid.jwt import sign

from portal.conf import Settings
from twofactor.methods.push.portal_app import vapid
from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.providers.http import DeadlineAdapter, deadline, retry_after_seconds

logger = logging.getLogger(__name__)
conf = Settings({"DEBUG", "SECRET_KEY", "WEB_PUSH_HOSTS", "WEB_PUSH_TIMEOUT_SECONDS",
                 "WEB_PUSH_ALLOW_LOOPBACK"})

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
URGENCIES = {"very-low", "low", "normal", "high"}  # RFC 8030 section 5.3
# A push service need take no more than 4096 bytes (RFC 8291 section 4): less the header
# (86 bytes with the sender's key), the tag (16) and the padding delimiter (1).
MAX_PAYLOAD_BYTES = 4096 - 86 - 16 - 1
CLAIMS_SECONDS = 12 * 3600  # a JWT's life: push services refuse more than 24 hours
DEFAULT_BACK_OFF_SECONDS = 60
MAX_BACK_OFF_SECONDS = 3600  # a service's Retry-After is honoured up to an hour


class Outcome(enum.Enum):
    SENT = "sent"  # 201 or 202: the push service took it
    GONE = "gone"  # 404 or 410: the subscription is dead, forget it
    BACK_OFF = "back off"  # 429 or 5xx: try again after retry_after seconds
    REFUSED = "refused"  # never sent or not accepted: the endpoint, a redirect, another 4xx
    FAILED = "failed"  # no answer: a timeout or a connection error


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    reason: str = ""
    retry_after: int | None = None  # seconds, with BACK_OFF
    status: int | None = None  # the push service's HTTP status, when it answered


class Subscription(Protocol):
    """A phone's subscription, as ``subscription.toJSON()`` gave it (b64url keys)."""

    endpoint: str
    p256dh: str
    auth: str


def endpoint_problem(endpoint: str) -> str | None:
    """Why a push may not go to ``endpoint`` (a sentence a person can read), or None."""
    try:
        url = urlsplit(endpoint)
        host, port = (url.hostname or "").rstrip("."), url.port
    except ValueError:
        return "The push address is not a valid URL."
    if not host:
        return "The push address has no host."
    if url.username is not None or url.password is not None:
        return "The push address must not carry a user name or password."
    if conf.WEB_PUSH_ALLOW_LOOPBACK and url.scheme == "http" and host in LOOPBACK_HOSTS:
        return None  # a local push service, in development only (CONTRACT.md)
    if url.scheme != "https":
        return "The push address must start with https://."
    if port not in (None, 443):
        return "The push address must use the standard https port."
    if not any(
        host == allowed or (allowed.startswith(".") and host.endswith(allowed))
        for allowed in (name.lower() for name in conf.WEB_PUSH_HOSTS)
    ):
        return f"{host} is not a known push service (WEB_PUSH_HOSTS)."
    return _address_problem(host)


def _address_problem(host: str) -> str | None:
    try:
        found = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return f"{host} cannot be found (DNS)."
    if not found:
        return f"{host} cannot be found (DNS)."
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast or ip.is_reserved:
            logger.warning("web push: %s resolves to %s, not a public address", host, ip)
            return f"{host} resolves to an address that is not public."
    return None


def topic_for(name: str) -> str:
    """The Topic header for ``name`` (e.g. a person): a newer push with the same topic
    replaces an undelivered older one. Keyed-hashed, so the push service learns nothing
    from it; 32 characters of URL-safe base64 (RFC 8030 section 5.4)."""
    key = b"portal.web-push-topic:" + conf.SECRET_KEY.encode()
    digest = hmac.new(key, name.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def send(
    subscription: Subscription, payload: bytes, *, ttl: int, topic: str, urgency: str = "high"
) -> Delivery:
    """Push ``payload`` (keep it minimal: an id) to ``subscription``, kept by the push
    service for ``ttl`` seconds at most; what happened, as a :class:`Delivery`."""
    if urgency not in URGENCIES or ttl < 0 or len(payload) > MAX_PAYLOAD_BYTES:
        raise ValueError("urgency, ttl or payload size out of range")
    host = urlsplit(subscription.endpoint).hostname or "?"
    problem = endpoint_problem(subscription.endpoint)
    if problem:
        return _done(host, Delivery(Outcome.REFUSED, problem))
    try:
        body = _encrypt(payload, subscription)
    except ValueError:
        return _done(host, Delivery(Outcome.REFUSED, "The subscription's keys are malformed."))
    try:
        authorization = _authorization(_origin(subscription.endpoint))
    except vapid.KeyProblem as problem:  # twofactor.E040 says so at start-up too
        return _done(host, Delivery(Outcome.FAILED, str(problem)))
    headers = {
        "Authorization": authorization,
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(ttl),
        "Urgency": urgency,
        "Topic": topic_for(topic),
    }
    timeout = conf.WEB_PUSH_TIMEOUT_SECONDS
    try:
        # One deadline for the whole call: the adapter gives each connect and read the time
        # left, and cuts the socket when it runs out, so a service that drips its answer
        # cannot hold the sign-in that sends (providers/http.py).
        with deadline(timeout):
            response = _session.post(
                subscription.endpoint, data=body, headers=headers, allow_redirects=False
            )
    except ProviderError as error:
        if error.kind is ErrorKind.TIMEOUT:
            return _done(host, Delivery(Outcome.FAILED, f"No answer within {timeout} s."))
        return _done(host, Delivery(Outcome.FAILED, f"Connection failed ({error.kind.value})."))
    except requests.RequestException as error:
        return _done(host, Delivery(Outcome.FAILED, f"Connection failed ({type(error).__name__})."))
    return _done(host, _delivery(response))


def _delivery(response: requests.Response) -> Delivery:
    status = response.status_code
    if status in (201, 202):
        return Delivery(Outcome.SENT, status=status)
    if status in (404, 410):
        return Delivery(Outcome.GONE, "The subscription has expired or was removed.", status=status)
    if status == 429 or status >= 500:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        wait = DEFAULT_BACK_OFF_SECONDS if wait is None else min(max(wait, 1), MAX_BACK_OFF_SECONDS)
        return Delivery(
            Outcome.BACK_OFF, f"The push service answered {status}.", wait, status=status
        )
    if 300 <= status < 400:
        return Delivery(
            Outcome.REFUSED, f"The push service redirected ({status}): not followed.", status=status
        )
    return Delivery(Outcome.REFUSED, f"The push service refused it ({status}).", status=status)


def _done(host: str, delivery: Delivery) -> Delivery:
    level = logging.INFO if delivery.outcome is Outcome.SENT else logging.WARNING
    logger.log(level, "web push to %s: %s %s", host, delivery.outcome.value, delivery.reason)
    return delivery


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _encrypt(payload: bytes, subscription: Subscription) -> bytes:
    """RFC 8291: a fresh sender key and salt per message; ValueError for bad keys."""
    point, auth = _b64url_decode(subscription.p256dh), _b64url_decode(subscription.auth)
    if len(point) != 65 or len(auth) != 16:
        raise ValueError("p256dh must be a 65-byte point and auth 16 bytes")
    ua_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    try:
        return http_ece.encrypt(
            payload,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=ua_key,
            auth_secret=auth,
            version="aes128gcm",
        )
    except http_ece.ECEException as error:
        raise ValueError(error.message) from None


def _origin(endpoint: str) -> str:
    """scheme://host[:port] of the endpoint, the JWT's audience (no default port)."""
    url = urlsplit(endpoint)
    host = url.hostname or ""
    host = f"[{host}]" if ":" in host else host
    default = {"https": 443, "http": 80}.get(url.scheme)
    port = "" if url.port in (None, default) else f":{url.port}"
    return f"{url.scheme}://{host}{port}"


def _authorization(audience: str) -> str:
    """The VAPID header, over a claims dict made for this push alone (a shared dict would
    carry one push service's ``aud`` into the next). ``py_vapid.jwt.sign`` directly, since
    its ``Vapid.sign`` refuses an IPv6 audience such as development's http://[::1]:PORT."""
    claims = {"sub": vapid.subject(), "aud": audience, "exp": int(time.time()) + CLAIMS_SECONDS}
    token = sign(claims, vapid.private_key())
    return f"vapid t={token}, k={vapid.public_key_b64url()}"


def _pooled_session() -> requests.Session:
    """Connections kept alive between pushes (one TLS handshake per push service, not per
    push); no retries, no proxy from the environment, every status read by _delivery."""
    pooled = requests.Session()
    pooled.trust_env = False
    adapter = DeadlineAdapter(check=None)
    pooled.mount("https://", adapter)
    pooled.mount("http://", adapter)
    return pooled


_session = _pooled_session()
