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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from twofactor.models import ApprovalRequest
from twofactor.providers import get_provider
from twofactor.providers.base import ApprovalStatus

SALT = "twofactor.methods.push.poll"
PATH = "/login/verify/status/"
# Kept a little past the request's expiry, so the last polls still read "expired".
LINGER_SECONDS = 300
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

STATUS_TEXT = {
    None: "No OneTouch request pending: use an SMS token instead.",
    ApprovalStatus.PENDING: "OneTouch request pending: approve it in the app on your phone.",
    ApprovalStatus.APPROVED: "OneTouch request approved. Signing you in…",
    ApprovalStatus.DENIED: (
        "OneTouch request denied. If that was a mistake, send an SMS token and enter it below."
    ),
    ApprovalStatus.EXPIRED: (
        "OneTouch request expired. Send a new request, or use an SMS token."
    ),
    ApprovalStatus.WITHDRAWN: "OneTouch request withdrawn: this sign-in ended another way.",
}


@dataclass(frozen=True)
class Known:
    """What the cache knows of an attempt's latest request: enough to answer a poll."""

    request_id: str
    status: str
    expires_at: float
    provider: str

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
    expires = approval.expires_at.timestamp()
    ttl = max(1, int(expires - timezone.now().timestamp())) + LINGER_SECONDS
    value = (str(approval.pk), approval.status, expires, approval.provider)
    cache.set(_key(approval.attempt_id), value, ttl)


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


def answer(request: HttpRequest) -> Known | None:
    """The cached status of the polled request, or None to take the long way."""
    request_id = request.GET.get("request", "")
    attempt_id = request.GET.get("attempt", "")
    given = request.GET.get("sig", "")
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not (request_id and attempt_id and given and session_key):
        return None
    if not constant_time_compare(given, _signature(attempt_id, request_id, session_key)):
        return None
    cached = cache.get(_key(attempt_id))
    if cached is None:
        return None
    known = Known(*cached)
    if known.request_id != request_id:
        return None  # a newer request replaced it: the long way says so
    remote_due = (
        get_provider(known.provider).polled_for_answers
        and known.status_now() == "pending"
        and cache.get(provider_asked_key(request_id)) is None
    )
    return None if remote_due else known  # when due, the long way asks the provider


def status_body(request_id: str, state: ApprovalStatus) -> dict:
    """What the poll answers, whichever way it went."""
    return {
        "request": request_id,
        "status": state.value,
        "message": STATUS_TEXT[state],
        "final": state.is_final,
    }


def cached_response(request: HttpRequest) -> JsonResponse | None:
    """The poll's answer from the cache, or None to take the long way."""
    known = answer(request)
    if known is None:
        return None
    response = JsonResponse(status_body(known.request_id, ApprovalStatus(known.status_now())))
    response["Cache-Control"] = NEVER_CACHE  # never_cache's header, without its arithmetic
    return response


class PollMiddleware:
    """Answers the page's own signed poll before sessions, CSRF, users, messages and CSP run
    (SecurityMiddleware, above it, still adds its headers); lets everything else through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH and request.method == "GET":
            response = cached_response(request)
            if response is not None:
                return response
        return self.get_response(request)
