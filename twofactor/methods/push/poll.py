"""The OneTouch status poll, answered from the shared cache without loading the session.

Browsers poll every second or so while a person finds their phone, so the poll is the
portal's hottest request. Every change of an attempt's latest request (sent, answered,
expired) is written to the cache under the attempt's id; the challenge page's poll URL
carries a signature binding the attempt and request ids to the session cookie of the page
it was shown on. ``PollMiddleware``, near the top of the stack, checks the signature against
the cookie the browser sends and answers with one cache read: no session, CSRF, user,
messages or page headers, which a JSON status needs none of. Anything else (no signature, a
wrong one, a cache miss, a newer request, a provider due to be polled again) goes the
long way, through the view, the session and the database.

The page asks with ``wait=1&seen=<status it shows>``. Under ``make serve`` a thin layer in
front of Django (``push.asgi``) holds such a request until the status differs from ``seen``
(``waiting.Watch``: an open socket, no thread, no database connection), until
``WAIT_SECONDS`` after it arrived at most, less when the request expires or the worker
stops; the page then asks again. A provider that must be polled goes the long way, which
asks it every few seconds. Under plain WSGI (``runserver``, ``portal.wsgi``) it answers at
once and tells the page to ask again in ``WSGI_RETRY_MS``: quick polls from the cache, never
a thread held.

The cache is a shortcut, never the truth: when it cannot be read (Redis down) the poll goes
the long way, which reads the database. An answer whose ``remember`` failed (Redis away, or
back with its old data) leaves a stale "pending" behind, so a cached "pending" is trusted
for ``FRESH_SECONDS`` only: then one poll goes the long way and writes what the database
says (``refill``), and the short way answers again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from twofactor.methods.push import portal_app, waiting
from twofactor.models import ApprovalRequest
from twofactor.providers import get_provider
from twofactor.providers.base import ApprovalStatus

log = logging.getLogger(__name__)

SALT = "twofactor.methods.push.poll"
PATH = "/login/verify/status/"
# Kept a little past the request's expiry, so the last polls still read "expired".
LINGER_SECONDS = 300
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
WAIT_SECONDS = 25  # one long poll at most, from its arrival (under a proxy's 30 s timeout)
WSGI_RETRY_MS = 500  # under WSGI: how soon the page asks again
FRESH_SECONDS = 10  # a cached "pending" older than this is checked in the database

# What happened, in words; each names its status (pending, approved, denied, expired), which
# people and tests read in the page's role="status".
STATUS_TEXT = {
    None: "No request is pending on your phone.",
    ApprovalStatus.PENDING: "Request pending: approve it on your phone.",
    ApprovalStatus.APPROVED: "Request approved. Signing you in…",
    ApprovalStatus.DENIED: "You denied the request on your phone (request denied).",
    ApprovalStatus.EXPIRED: "The request expired before it was answered (request expired).",
    ApprovalStatus.WITHDRAWN: "Request withdrawn: this sign-in ended another way.",
}
DENIAL_TEXT = {
    ApprovalRequest.Denial.WRONG_NUMBER: (
        "You tapped a different number from the one shown here (request denied)."
    ),
    ApprovalRequest.Denial.REPORTED: (
        "This sign-in was stopped: you said on your phone that it was not you (request "
        "denied). Your firm's admins were told."
    ),
}


def status_text(state: ApprovalStatus | None, denied_because: str = "") -> str:
    """What the page's status says of a request in ``state``."""
    if state is ApprovalStatus.DENIED and denied_because in DENIAL_TEXT:
        return DENIAL_TEXT[denied_because]
    return STATUS_TEXT[state]


@dataclass(frozen=True)
class Known:
    """What the cache knows of an attempt's latest request: enough to answer a poll."""

    request_id: str
    status: str
    expires_at: float
    provider: str
    written_at: float = 0.0
    denied_because: str = ""  # absent from values cached before it existed

    def status_now(self) -> str:
        """A pending request past its expiry reads as expired (as ``approvals.status_of``)."""
        if self.status == "pending" and self.expires_at <= timezone.now().timestamp():
            return "expired"
        return self.status


def _key(attempt_id: object) -> str:
    return f"twofactor:latest-approval:{attempt_id}"


def provider_asked_key(request_id: object) -> str:
    """Present while a remote provider was asked about this request recently."""
    return f"approval-poll:{request_id}"


def _signature(attempt_id: str, request_id: str, session_key: str) -> str:
    return salted_hmac(SALT, f"{attempt_id}:{request_id}:{session_key}").hexdigest()[:32]


def remember(approval: ApprovalRequest) -> None:
    """Record the status of an attempt's latest request (at every change of it)."""
    waiting.announce(approval.attempt_id, _write(approval))


def refill(request: HttpRequest, approval: ApprovalRequest) -> None:
    """After the long way read ``approval`` (the attempt's latest) from the database for a
    signed poll the cache could not answer: write what it read, so the next polls take the
    short way again. Nothing changed, so nobody is woken; a failure is only logged."""
    if not getattr(request, "_push_poll_missed", False):
        return
    try:
        _write(approval)
        # An answer committed while this poll read the database was written by its own
        # ``remember``, which the write above may have just overwritten: read the row again
        # and, if it moved, write and announce what it is now.
        now = ApprovalRequest.objects.filter(pk=approval.pk).values_list("status", flat=True)
        status = now.first()
        if status is not None and status != approval.status:
            approval.status = status
            remember(approval)
    except Exception:
        log.warning("push poll: could not refill the cache", exc_info=True)


def _write(approval: ApprovalRequest) -> tuple:
    now = timezone.now().timestamp()
    expires = approval.expires_at.timestamp()
    ttl = max(1, int(expires - now)) + LINGER_SECONDS
    value = (str(approval.pk), approval.status, expires, approval.provider, now,
             approval.denied_because)
    cache.set(_key(approval.attempt_id), value, ttl)
    return value


def url(request: HttpRequest, approval: ApprovalRequest) -> str:
    """The poll URL for the challenge page: signed for this session's cookie when it has
    one (then only that browser can take the short way), plain otherwise."""
    plain = f"{PATH}?request={approval.pk}"
    session_key = request.session.session_key
    if not session_key:
        return plain
    attempt_id = str(approval.attempt_id)
    signed = _signature(attempt_id, str(approval.pk), session_key)
    return f"{plain}&attempt={attempt_id}&sig={signed}"


def _signed_ids(query, cookies) -> tuple[str, str] | None:
    """(attempt id, request id) when the poll URL's signature fits this browser's cookie."""
    request_id = query.get("request", "")
    attempt_id = query.get("attempt", "")
    given = query.get("sig", "")
    session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
    if not (request_id and attempt_id and given and session_key):
        return None
    if not constant_time_compare(given, _signature(attempt_id, request_id, session_key)):
        return None
    return attempt_id, request_id


def _known(cached: object, request_id: str) -> Known | None:
    """The cached status, or None to take the long way (nothing cached, a newer request
    replaced it, or a remote provider is due to be asked)."""
    known = _mine(cached, request_id)
    if known is None:
        return None  # nothing cached, or a newer request replaced it: the long way says so
    remote_due = (
        _polled(known)
        and known.status_now() == "pending"
        and cache.get(provider_asked_key(request_id)) is None
    )
    return None if remote_due else known  # when due, the long way asks the provider


def _polled(known: Known) -> bool:
    if known.provider == portal_app.PROVIDER:
        return False  # only the app got it: its answer arrives here, nobody to ask
    return get_provider(known.provider).polled_for_answers


def answer(request: HttpRequest) -> Known | None:
    """The cached status of the polled request, or None to take the long way."""
    ids = _signed_ids(request.GET, request.COOKIES)
    if ids is None:
        return None
    attempt_id, request_id = ids
    try:
        known = _known(cache.get(_key(attempt_id)), request_id)
    except Exception:  # the cache is away: the long way reads the database
        log.warning("push poll: cache read failed, answering the long way", exc_info=True)
        return None
    request._push_poll_missed = known is None  # the long way then refills the cache
    return known


async def answer_when_changed(query, cookies, *, until: float, hold: bool = True
                              ) -> Known | None:
    """``answer``, but held (asynchronously) while the status is still the ``seen`` one, until
    the loop's time ``until`` at the latest (``hold=False``: answered at once). A provider
    polled for answers goes the long way, which asks it every few seconds. TimeoutError if
    even the first read does not finish by ``until``."""
    ids = _signed_ids(query, cookies)
    if ids is None:
        return None
    attempt_id, request_id = ids
    wants_hold = hold and bool(query.get("wait")) and query.get("seen") == "pending"
    try:
        return await _held_answer(attempt_id, request_id, until, wants_hold)
    except TimeoutError:
        raise  # not even a first read by the deadline: the caller says "ask again"
    except Exception:  # the cache or Redis is away: Django answers the long way
        log.warning("push poll: cache read failed, answering the long way", exc_info=True)
        return None


async def _held_answer(attempt_id: str, request_id: str, until: float, wants_hold: bool
                       ) -> Known | None:
    async with waiting.Watch(attempt_id, _key(attempt_id), listen=wants_hold) as watch:
        async with asyncio.timeout_at(until):
            cached = await watch.read()  # the poll's one read
        known = _mine(cached, request_id)
        if known is None or _polled(known):
            return None
        if wants_hold and known.status_now() == "pending":
            left = until - asyncio.get_running_loop().time()
            timeout = max(0.0, min(left, known.expires_at - timezone.now().timestamp()))
            try:
                async with asyncio.timeout_at(until):  # nothing may outlast it
                    cached = await watch.changed(cached, timeout)
            except TimeoutError:
                return known  # what it knew: the page asks again
            known = _mine(cached, request_id)
    return known


def _mine(cached: object, request_id: str) -> Known | None:
    """The cached status if it is this request's and can be trusted (see FRESH_SECONDS)."""
    known = Known(*cached) if cached is not None else None
    if known is None or known.request_id != request_id:
        return None
    stale = known.written_at < timezone.now().timestamp() - FRESH_SECONDS
    return None if stale and known.status_now() == "pending" else known


def status_body(request_id: str, state: ApprovalStatus, *, retry_ms: int = 1000,
                denied_because: str = "") -> dict:
    """What the poll answers, whichever way it went; ``retry`` says how soon to ask again,
    ``denied_because`` why a denied request was denied ("wrong_number", "reported")."""
    denial = denied_because if state is ApprovalStatus.DENIED else ""
    return {
        "request": request_id,
        "status": state.value,
        "denied_because": denial,
        "message": status_text(state, denial),
        "final": state.is_final,
        "retry": retry_ms,
    }


def cached_response(request: HttpRequest) -> JsonResponse | None:
    """The poll's answer from the cache, or None to take the long way."""
    return _respond(answer(request), retry_ms=WSGI_RETRY_MS)


def _respond(known: Known | None, *, retry_ms: int) -> JsonResponse | None:
    if known is None:
        return None
    response = JsonResponse(body_of(known, retry_ms=retry_ms))
    response["Cache-Control"] = NEVER_CACHE  # never_cache's header, without its arithmetic
    return response


def body_of(known: Known, *, retry_ms: int) -> dict:
    return status_body(known.request_id, ApprovalStatus(known.status_now()), retry_ms=retry_ms,
                       denied_because=known.denied_because)


class PollMiddleware:
    """Answers the page's own signed poll before sessions, CSRF, users, messages and CSP run
    (SecurityMiddleware, above it, still adds its headers); lets everything else through.
    Under ASGI the poll is answered even higher, before Django (``push.asgi``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH and request.method == "GET":
            request.get_host()  # ALLOWED_HOSTS, as every page: DisallowedHost is Django's 400
            response = cached_response(request)
            if response is not None:
                return response
        return self.get_response(request)
