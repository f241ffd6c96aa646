"""Provider callbacks: Authy's OneTouch answer and Twilio Verify's challenge webhook.

A callback changes something only when its signature checks against the external URL
(``PUBLIC_BASE_URL``), it is fresh, and it has not been seen before: the provider's
``parse_callback`` checks signature and freshness, and here each delivery's replay key (the
Authy nonce and signature, Twilio's signed event uuid) is remembered in the shared cache with
an atomic ``cache.add``, so a replay is refused even when two copies arrive at once. The
answer is then handed to ``twofactor.methods.push.approvals.record_answer``, which keeps a
final answer final: an answer that lost (the request was answered, closed or expired first)
gets 200 and says so. Without the replay memory (the cache is down) a callback gets 503, so
the provider delivers it again later.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.permissions import reachable_mid_sign_in
from twofactor.conf import conf
from twofactor.methods.push import approvals
from twofactor.providers import get_provider
from twofactor.providers.base import InvalidCallback

logger = logging.getLogger(__name__)

# How long a delivery is remembered. Authy callbacks older than CALLBACK_MAX_AGE_SECONDS are
# refused anyway; Twilio's carry no time, and Twilio retries for up to a day.
REMEMBER_TWILIO_SECONDS = 24 * 3600
ALREADY_ANSWERED = "That request was already answered, closed or has expired."


def _try_again() -> HttpResponse:
    return HttpResponse("Try again shortly.", status=503, content_type="text/plain",
                        headers={"Retry-After": "60"})


def _receive(request: HttpRequest, provider_name: str, remember_seconds: int) -> HttpResponse:
    if provider_name != conf.TWOFACTOR_PROVIDER:
        return HttpResponse(status=404)
    try:
        answer = get_provider(provider_name).parse_callback(request)
    except InvalidCallback as refusal:
        logger.warning("Refused a %s callback: %s", provider_name, refusal)
        return HttpResponse(status=403)
    digest = hashlib.sha256(answer.replay_key.encode()).hexdigest()
    seen_key = f"twofactor:callback:{provider_name}:{digest}"
    try:
        first_delivery = cache.add(seen_key, 1, timeout=remember_seconds)
        # The database cache's add() answers False for a write that failed (a locked table)
        # as well as for a key already there: only a key that is there makes a replay.
        replayed = not first_delivery and cache.get(seen_key) is not None
    except Exception:  # no replay memory now: refuse, and the provider delivers it again
        logger.warning("Could not check a %s callback for replay", provider_name, exc_info=True)
        return _try_again()
    if replayed:
        logger.warning("Refused a replayed %s callback for %s", provider_name, answer.request_ref)
        return HttpResponse(status=409)
    if not first_delivery:
        logger.warning("Could not remember a %s callback; asked for it again", provider_name)
        return _try_again()
    if answer.status.is_final:
        try:
            won = approvals.record_answer(
                answer.request_ref, answer.status, provider=provider_name
            )
        except Exception:
            cache.delete(seen_key)  # let the provider's retry through
            raise
        if not won:  # a 2xx all the same: retrying would change nothing
            return HttpResponse(ALREADY_ANSWERED, content_type="text/plain")
    return HttpResponse(status=204)


@reachable_mid_sign_in
@csrf_exempt  # signed by the provider instead; no browser session is involved
@require_POST
def authy_callback(request: HttpRequest) -> HttpResponse:
    """``POST /twofactor/callbacks/authy/``: a OneTouch request was approved or denied."""
    return _receive(request, "authy", 2 * conf.CALLBACK_MAX_AGE_SECONDS)


@reachable_mid_sign_in
@csrf_exempt  # signed by the provider instead; no browser session is involved
@require_POST
def twilio_callback(request: HttpRequest) -> HttpResponse:
    """``POST /twofactor/callbacks/twilio/``: a Verify Push challenge was answered."""
    return _receive(request, "twilio_verify", REMEMBER_TWILIO_SECONDS)
