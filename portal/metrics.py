"""Prometheus metrics for the operator: what the portal counts, and who may read them.

Counted here (``prometheus_client``): requests, sign-ins by method and result, the time
from a push being sent to its answer, held polls, provider calls (time and errors by
provider), texts sent and refused, lock-outs, every audit tag, and Web Push sends by result.
Callers use the small functions below, never the metric objects' labels, so names and
labels stay in one place.

Under gunicorn each worker is a process: with ``PROMETHEUS_MULTIPROC_DIR`` set (before
Python starts) every process writes its values to files there and ``exposition`` adds
them up; gunicorn's ``child_exit`` hook must call ``multiprocess.mark_process_dead``
(docs/operations.md). Without it (runserver, tests) the values live in this process.

``/metrics`` is answered only to ``METRICS_ALLOWED_ADDRESSES`` (loopback by default) and
only to a request that did not come through a proxy: nginx on the same host connects from
127.0.0.1 too, but it adds ``X-Forwarded-For``.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

PATH = "/metrics"
# As prometheus_client decided when it was imported: values in files, or in this process.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
# Headers a proxy adds: a request carrying any of them came from outside, whatever its address.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_VIA",
)

REQUESTS = Histogram(
    "portal_http_request_seconds",
    "Time Django took to answer a request, by method and status class.",
    ["method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SIGN_INS = Counter(
    "portal_sign_ins",
    "Sign-in steps by method (password, sms, push, totp, backup_code, security_key, "
    "passkey, remembered_browser) and result (signed_in, refused, throttled, rejected, "
    "denied, expired, not_allowed, no_method).",
    ["method", "result"],
)
PUSH_ANSWER_SECONDS = Histogram(
    "portal_push_answer_seconds",
    "Time from a push being sent to the phone's answer, by answer.",
    ["answer"],
    buckets=(1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120, 180),
)
HELD_POLLS = Gauge(
    "portal_held_polls",
    "Push status polls held open on the event loop right now.",
    multiprocess_mode="livesum",
)
PROVIDER_CALL_SECONDS = Histogram(
    "portal_provider_call_seconds",
    "Time of each call to an outside second-factor provider, whatever its outcome.",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
)
PROVIDER_ERRORS = Counter(
    "portal_provider_errors",
    "Failed provider calls by provider and kind (unavailable, timeout, rate_limited, "
    "bad_response, rejected, and circuit_open: not called while the breaker is open).",
    ["provider", "kind"],
)
TEXTS = Counter(
    "portal_texts",
    "Texts with a code (sign-in tokens, new numbers' codes): sent, or refused by a rate limit.",
    ["result"],
)
LOCKOUTS = Counter(
    "portal_lockouts", "People locked out of the second step after too many wrong answers."
)
SECURITY_EVENTS = Counter(
    "portal_security_events", "Audit events recorded, by tag.", ["tag"]
)
WEB_PUSH_SENDS = Counter(
    "portal_web_push_sends",
    "Web Push messages to the phone app by result (sent, gone, refused, failed).",
    ["result"],
)


def request_answered(method: str, status: int, seconds: float) -> None:
    # Known methods only: a client may send any word there.
    known = method if method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") else "other"
    REQUESTS.labels(known, f"{status // 100}xx").observe(seconds)


def sign_in_step(method: str, result: str) -> None:
    SIGN_INS.labels(method, result).inc()


def push_answered(answer: str, seconds: float) -> None:
    PUSH_ANSWER_SECONDS.labels(answer).observe(max(0.0, seconds))


def provider_called(provider: str, seconds: float, error_kind: str | None = None) -> None:
    PROVIDER_CALL_SECONDS.labels(provider).observe(seconds)
    if error_kind is not None:
        PROVIDER_ERRORS.labels(provider, error_kind).inc()


def provider_not_called(provider: str, why: str) -> None:
    """Counted as an error (the caller gets one) but not timed: nothing was sent."""
    PROVIDER_ERRORS.labels(provider, why).inc()


def text(result: str) -> None:
    TEXTS.labels(result).inc()


def locked_out() -> None:
    LOCKOUTS.inc()


def security_event(tag: str) -> None:
    SECURITY_EVENTS.labels(tag).inc()


def web_push_sent(result: str) -> None:
    """For the phone app's Web Push sender: one call per push, with its result."""
    WEB_PUSH_SENDS.labels(result).inc()


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(addresses: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in addresses)


def allowed(request: HttpRequest) -> bool:
    """Was this request made straight to the portal from an address allowed to read metrics?"""
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:  # a unix socket, or nothing
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket
    networks = _networks(tuple(settings.METRICS_ALLOWED_ADDRESSES))
    return any(address in network for network in networks)


def exposition() -> HttpResponse:
    """Every metric in Prometheus's text format (added up over processes when multiprocess)."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
