"""The JSON API the app calls from the phone (``/app/api/...``): no portal session there.

Pairing is authorised by the link's secret; everything after it by the phone's signature
(``signatures``). A phone that was removed gets 403 with ``removed``, so the app forgets it.
Listing and subscribing sign a fresh server challenge (``challenge``: single use, a minute),
so a recorded listing cannot be replayed to read the numbers later; an answer signs the
request's own nonce. CSRF does not apply: no cookie authorises anything here.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.permissions import (
    reachable_before_new_password,
    reachable_mid_sign_in,
    reachable_setting_up,
)
from portal import limits
from portal.json_requests import NotAccepted, read_object
from portal.request_info import client_ip
from twofactor.methods.push.portal_app import answering, pairing, phones, signatures, vapid, webpush
from twofactor.methods.push.portal_app.models import AppPhone

CHALLENGE_SECONDS = 60
REMOVED = {"error": "This phone was removed from the account, so it can no longer approve "
                    "sign-ins. Pair it again from the Security page.", "removed": True}
BAD_SIGNATURE = {"error": "This request was not signed by this phone's key."}


def _api(view: Callable) -> Callable:
    """POST, JSON in and out, no CSRF (nothing rides on cookies), never cached."""
    view = require_POST(view)
    view = never_cache(view)
    view = csrf_exempt(view)
    # The phone's browser may hold a half-finished sign-in, or a first sign-in's set-up.
    return reachable_before_new_password(reachable_setting_up(reachable_mid_sign_in(view)))


def _challenge_key(phone_id: int, challenge: str) -> str:
    return f"portal_app:challenge:{phone_id}:{challenge}"


def _counted_phone(device: object) -> AppPhone | JsonResponse:
    """The paired phone the app names, its call counted (``app.phone``), or the refusal."""
    phone = phones.paired(device)
    if phone is None:
        return JsonResponse(REMOVED, status=403)
    try:
        limits.hit("app.phone", phone.pk)
    except limits.RateLimited as tripped:
        return JsonResponse({"error": f"Too many requests; try again in {tripped.wait_text}."},
                            status=429)
    return phone


def _signed(
    request: HttpRequest, purpose: str, *, fresh: bool = False
) -> tuple[AppPhone, dict] | JsonResponse:
    """The phone and its verified payload (signed over a single-use challenge when
    ``fresh``), or the answer that refuses them."""
    try:
        body = read_object(request, max_bytes=8 * 1024)
    except NotAccepted as refused:
        return refused.response()
    payload = body.get("payload")
    peek = signatures.peek(payload)
    phone = _counted_phone(peek.get("device") if peek is not None else None)
    if isinstance(phone, JsonResponse):
        return phone
    try:
        data = signatures.verified_payload(bytes(phone.public_key), payload,
                                           body.get("signature"))
    except signatures.BadSignature:
        return JsonResponse(BAD_SIGNATURE, status=403)
    if data.get("purpose") != purpose or data.get("device") != str(phone.pk):
        return JsonResponse(BAD_SIGNATURE, status=403)
    if fresh and not _fresh_challenge(phone, data):
        return JsonResponse({"error": "That request was not fresh; the app asks again."},
                            status=403)
    return phone, data


def _fresh_challenge(phone: AppPhone, data: dict) -> bool:
    challenge = data.get("challenge")
    if not isinstance(challenge, str) or not challenge or len(challenge) > 64:
        return False
    return bool(cache.delete(_challenge_key(phone.pk, challenge)))  # single use


@_api
def pair(request: HttpRequest) -> JsonResponse:
    try:
        body = read_object(request, max_bytes=4 * 1024)
        limits.hit("app.pair.ip", client_ip(request) or "unknown")
        phone, code = pairing.pair_phone(body.get("secret"), body.get("name"),
                                         body.get("public_key"))
    except NotAccepted as refused:
        return refused.response()
    except limits.RateLimited as tripped:
        return JsonResponse({"error": f"Too many tries from here; try again in "
                                      f"{tripped.wait_text}."}, status=429)
    except pairing.PairingRefused as refused:
        return JsonResponse({"error": refused.message}, status=refused.status)
    person = phone.user
    return JsonResponse({
        "device": str(phone.pk), "code": code, "firm": answering.holder_name(person),
        "person": person.full_name or person.email,
        "vapid_public_key": vapid.public_key_b64url(),
    }, status=201)


@_api
def challenge(request: HttpRequest) -> JsonResponse:
    try:
        body = read_object(request, max_bytes=1024)
    except NotAccepted as refused:
        return refused.response()
    phone = _counted_phone(body.get("device"))
    if isinstance(phone, JsonResponse):
        return phone
    value = secrets.token_urlsafe(24)
    cache.set(_challenge_key(phone.pk, value), 1, CHALLENGE_SECONDS)
    return JsonResponse({"challenge": value})


@_api
def requests(request: HttpRequest) -> JsonResponse:
    signed = _signed(request, "list", fresh=True)
    if isinstance(signed, JsonResponse):
        return signed
    phone, _ = signed
    person = phone.user
    return JsonResponse({
        "confirmed": phone.confirmed,
        "firm": answering.holder_name(person),
        "person": person.full_name or person.email,
        "push": {"on": "on", "gone": "gone"}.get(phone.push, "off"),
        "vapid_public_key": vapid.public_key_b64url(),
        "requests": answering.pending_for(phone) if phone.confirmed else [],
    })


@_api
def answer(request: HttpRequest) -> JsonResponse:
    signed = _signed(request, "answer")
    if isinstance(signed, JsonResponse):
        return signed
    phone, data = signed
    if not phone.confirmed:
        return JsonResponse({"error": "This phone is not set up yet: type its code on your "
                                      "computer first."}, status=403)
    if not _answer_shaped(data):
        return JsonResponse({"error": "That answer is not complete."}, status=400)
    answered = answering.answer(phone, data, request)
    if answered.result is answering.Result.CLOSED:
        return JsonResponse({"error": answered.message, "result": "closed"}, status=409)
    return JsonResponse({"result": answered.result.value, "message": answered.message})


def _answer_shaped(data: dict) -> bool:
    pick = data.get("pick")
    return (
        set(data) == {"action", "device", "nonce", "pick", "purpose", "request"}
        and data["action"] in answering.ACTIONS
        and isinstance(data["request"], str) and _is_uuid(data["request"])
        and isinstance(data["nonce"], str) and 0 < len(data["nonce"]) <= 32
        and (pick is None or (isinstance(pick, int) and not isinstance(pick, bool)
                              and 10 <= pick <= 99))
        and (data["action"] != "approve" or pick is not None)
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


@_api
def subscription(request: HttpRequest) -> JsonResponse:
    signed = _signed(request, "subscribe", fresh=True)
    if isinstance(signed, JsonResponse):
        return signed
    phone, data = signed
    endpoint, p256dh, auth = data.get("endpoint"), data.get("p256dh"), data.get("auth")
    if not all(isinstance(v, str) and v for v in (endpoint, p256dh, auth)) or \
            len(endpoint) > 1024 or len(p256dh) > 128 or len(auth) > 64:
        return JsonResponse({"error": "That subscription is not complete."}, status=400)
    problem = webpush.endpoint_problem(endpoint)
    if problem:
        return JsonResponse({"error": problem}, status=400)
    try:
        if len(signatures.b64url_decode(auth)) != 16:
            raise ValueError
        signatures.public_key(signatures.b64url_decode(p256dh))
    except ValueError:
        return JsonResponse({"error": "That subscription's keys are not valid."}, status=400)
    phones.subscribe(phone, endpoint, p256dh, auth)
    return JsonResponse({"push": "on"})
