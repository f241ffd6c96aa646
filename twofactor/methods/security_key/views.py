"""The security-key pages and the JSON ends of the three WebAuthn ceremonies:
adding a key (Security page), answering the challenge page with a key, and signing in with a
passkey from the login page. The browser side is static/js/webauthn.js."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from webauthn.helpers import base64url_to_bytes

from accounts import audit
from accounts.audit import Tag
from accounts.models import User
from accounts.permissions import reachable_mid_sign_in, reachable_setting_up
from accounts.policy import holder_of, passkey_sign_in_allowed
from portal import json_requests, limits
from portal.redirects import safe_next
from portal.request_info import client_ip
from twofactor import methods
from twofactor.conf import conf
from twofactor.methods.security_key import answers, challenges, keys
from twofactor.methods.security_key.models import SecurityKey
from twofactor.methods.security_key.tags import KeyTag
from twofactor.models import SignInAttempt
from twofactor.signin import attempts, flow, freshness
from twofactor.signin.step_up import require_fresh_factor

PASSKEY_REFUSED = "This passkey cannot sign you in. Sign in with your email and password."


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _as_json(response: HttpResponse) -> JsonResponse:
    """A finished sign-in's redirect, told to the script that follows it."""
    return JsonResponse({"redirect": response["Location"]})


# Security page: adding and removing keys


@reachable_setting_up
@login_required
@never_cache
@require_fresh_factor
def add_key_page(request: HttpRequest) -> HttpResponse:
    """Name the key, then touch it: the script runs the ceremony (no script, no key)."""
    form = keys.KeyNameForm(request.POST or None)
    too_many = SecurityKey.objects.filter(user=request.user).count() >= (
        conf.SECURITY_KEYS_PER_PERSON
    )
    return render(
        request,
        "twofactor/methods/security_key/add.html",
        {"form": form, "too_many": too_many, "max_keys": conf.SECURITY_KEYS_PER_PERSON},
    )


def _may_add(request: HttpRequest) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return _error("Your session ended. Sign in again.", 403)
    if not freshness.may_add_factor(request).allowed:
        return _error(
            "Adding a key needs your password and a second factor from the last few "
            "minutes. Reload the page to confirm them.", 403,
        )
    return None


@reachable_setting_up
@require_POST
@never_cache
def add_key_options(request: HttpRequest) -> JsonResponse:
    refused = _may_add(request)
    if refused:
        return refused
    try:
        keys.clean_name(json_requests.read_object(request).get("name"))
    except json_requests.NotAccepted as why:
        return why.response()
    except keys.Refused as why:
        return _error(why.message)
    if SecurityKey.objects.filter(user=request.user).count() >= conf.SECURITY_KEYS_PER_PERSON:
        return _error(
            f"You have {conf.SECURITY_KEYS_PER_PERSON} keys, the most allowed. Remove one first."
        )
    challenge = challenges.make(request, "register")
    return JsonResponse(json.loads(keys.registration_options(request.user, challenge)))


@reachable_setting_up
@require_POST
@never_cache
def add_key_finish(request: HttpRequest) -> JsonResponse:
    refused = _may_add(request)
    if refused:
        return refused
    try:
        body = json_requests.read_object(request)
    except json_requests.NotAccepted as why:
        return why.response()
    challenge = challenges.take(request, "register")
    try:
        name = keys.clean_name(body.get("name"))
        credential = keys.parse_response(body.get("credential"))
        key = keys.add_key(request.user, name, credential, challenge, request=request)
    except keys.Refused as why:
        return _error(why.message)
    messages.success(request, f"The security key \"{key.name}\" was added.")
    if not methods.has_recovery(request.user):
        messages.info(request, "Now make backup codes (under \"Backup codes\" below): if this "
                               "key is lost, a backup code still gets you in.")
    return JsonResponse({"redirect": reverse("security")})


@login_required
@never_cache
def remove_key(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: are you sure? POST: remove it (the password and a factor fresh, as for adding)."""
    key = get_object_or_404(SecurityKey, pk=pk, user=request.user)  # before any challenge
    return _remove_key(request, key)


@require_fresh_factor
def _remove_key(request: HttpRequest, key: SecurityKey) -> HttpResponse:
    if request.method != "POST":
        return render(request, "twofactor/methods/security_key/remove.html", {"key": key})
    try:
        if keys.remove_key(request.user, key, request=request):
            messages.success(request, f"The security key \"{key.name}\" was removed.")
    except keys.Refused as why:
        messages.error(request, why.message)
    return redirect("security")


# Challenge page: "Use a security key"


def challenge_context(request: HttpRequest, attempt: SignInAttempt) -> dict:
    return {
        "key_options_url": reverse("twofactor:key_options"),
        "key_answer_url": reverse("twofactor:key_answer"),
    }


@reachable_mid_sign_in
@require_POST
@never_cache
def key_options(request: HttpRequest) -> JsonResponse:
    """A challenge for this attempt only, answerable only by this person's keys."""
    attempt = attempts.current(request)
    if attempt is None:
        return _error("Your sign-in attempt ended. Sign in again.", 410)
    challenge = challenges.make(request, "sign_in", attempt_id=str(attempt.pk))
    return JsonResponse(json.loads(keys.authentication_options(challenge, attempt.user)))


@reachable_mid_sign_in
@require_POST
@never_cache
def key_answer(request: HttpRequest) -> JsonResponse:
    attempt = attempts.current(request)
    if attempt is None:
        return _error("Your sign-in attempt ended. Sign in again.", 410)
    try:
        body = json_requests.read_object(request)
    except json_requests.NotAccepted as why:
        return why.response()
    result = answers.verify_key(attempt, body, request)
    if result.accepted:
        return _as_json(flow.finish(request, attempt))
    return _error(result.message, result.http_status)


# Login page: "Sign in with a passkey"


@reachable_mid_sign_in
@require_POST
@never_cache
def passkey_options(request: HttpRequest) -> JsonResponse:
    """A challenge for any of this portal's passkeys, which must verify their user."""
    try:
        limits.hit("passkey.ip", client_ip(request) or "unknown")
    except limits.RateLimited as tripped:
        audit.record(Tag.LOGIN_THROTTLED, request=request, limit=tripped.name)
        response = _error(
            f"Too many passkey sign-ins from here. Try again in {tripped.wait_text}.", 429
        )
        response["Retry-After"] = str(tripped.retry_after)
        return response
    challenge = challenges.make(request, "passkey")
    return JsonResponse(
        json.loads(keys.authentication_options(challenge, require_verification=True))
    )


@reachable_mid_sign_in
@require_POST
@never_cache
def passkey_answer(request: HttpRequest) -> JsonResponse:
    """Both factors at once: the key (possession) and its user verification (a PIN or a
    fingerprint), where the person's firm or client allows it; the lock, deactivation and
    every check of a key's answer apply as at the challenge page."""
    try:
        body = json_requests.read_object(request)
    except json_requests.NotAccepted as why:
        return why.response()
    challenge = challenges.take(request, "passkey")
    if challenge is None:
        return _error("That passkey request expired or was used already. Try again.")
    key = keys.find_key(body)
    user = key.user if key is not None else None
    handle = body.get("response", {}).get("userHandle") if isinstance(
        body.get("response"), dict) else None
    if user is None or not user.is_active or not _handle_matches(user, handle):
        audit.record(KeyTag.PASSKEY_REFUSED, request=request, subject=user, reason="unknown_key")
        return _error(PASSKEY_REFUSED)
    if not passkey_sign_in_allowed(holder_of(user)):
        audit.record(KeyTag.PASSKEY_REFUSED, request=request, subject=user, reason="policy")
        whose = "client" if user.is_end_user else "firm"
        return _error(
            f"Your {whose} does not allow passkey sign-in without a password. Sign in with "
            "your email and password; your security key then works as the second step.", 403,
        )
    attempt = attempts.start(request, user, safe_next(request))
    result = answers.verify_key(attempt, body, request, challenge=challenge, passkey=True)
    if result.accepted:
        return _as_json(flow.finish(request, attempt, password_checked=False))
    attempts.forget(request)
    return _error(result.message, result.http_status)


def _handle_matches(user: User, handle: object) -> bool:
    """A passkey names its person by the user handle: it must be the key owner's."""
    if not isinstance(handle, str) or not handle:
        return True  # absent: the key's own record says whose it is
    try:
        return base64url_to_bytes(handle) == keys.handle_for(user)
    except (ValueError, TypeError):
        return False
