"""A key's signed answer, at the challenge page or as a passkey from the login page, checked
through the sign-in's one verification path (``verification.answer``).

Only this person's keys count, only for the challenge made for this attempt (taken from the
session, once). A passkey proves both factors at once and must have verified its user;
anyone can present a passkey's credential id, so its failures count against the credential
and the client address (``passkey.failed.*``), never toward the owner's lock, which only a
person who knows the password can reach.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts import audit
from portal import limits
from portal.request_info import client_ip
from twofactor import methods
from twofactor.methods.security_key import challenges, keys
from twofactor.methods.security_key.models import SecurityKey
from twofactor.methods.security_key.tags import KeyTag
from twofactor.models import SignInAttempt
from twofactor.signin import verification
from twofactor.signin.verification import Outcome, Result, WrongAnswer

EXPIRED = (
    "That security key request expired or was already answered. Press \"Use a security "
    "key\" again."
)


def verify_key(
    attempt: SignInAttempt, response: object, request: HttpRequest | None = None,
    *, challenge: bytes | None = None, passkey: bool = False,
) -> Result:
    """Sign in (or confirm) by a key's answer; a passkey's challenge was made before the
    attempt existed and is passed in."""
    user = attempt.user
    method = methods.get("security_key")
    if challenge is None and request is not None:
        challenge = challenges.take(request, "sign_in", attempt_id=str(attempt.pk))
    if challenge is None:
        audit.record(KeyTag.SECURITY_KEY_REFUSED, request=request, subject=user, reason="challenge",
                     attempt_id=attempt.pk)
        return Result(Outcome.MALFORMED, EXPIRED)
    try:
        answer = keys.parse_response(response)
    except keys.Refused as refused:
        return Result(Outcome.MALFORMED, refused.message)

    def check() -> SecurityKey:
        key = keys.find_key(answer)
        if key is None or key.user_id != user.pk:  # another person's key proves nothing here
            raise WrongAnswer(method.wrong_message(user), then=lambda: audit.record(
                KeyTag.SECURITY_KEY_REFUSED, request=request, subject=user, reason="unknown_key",
                attempt_id=attempt.pk))
        try:
            keys.check_assertion(key, answer, challenge, require_verification=passkey)
        except keys.Refused as refused:
            raise WrongAnswer(refused.message, then=lambda why=refused.reason: audit.record(
                KeyTag.SECURITY_KEY_REFUSED, request=request, subject=user, reason=why,
                key=key.name, attempt_id=attempt.pk)) from None
        return key

    if not passkey:
        return verification.answer(attempt, method, check, request)
    try:
        counted = limits.reserve([
            ("passkey.failed.credential", str(answer.get("rawId") or answer.get("id") or "")),
            ("passkey.failed.ip", (client_ip(request) if request else "") or "unknown"),
        ])
    except limits.RateLimited as tripped:
        audit.record(KeyTag.PASSKEY_REFUSED, request=request, subject=user, reason="throttled",
                     attempt_id=attempt.pk)
        return Result(
            Outcome.BACKOFF,
            f"Too many passkey sign-ins failed lately. Try again in {tripped.wait_text}, or "
            "sign in with your email and password.",
        )
    result = verification.answer(
        attempt, method, check, request, counts_toward_lock=False, recorded_as="passkey"
    )
    if result.accepted:
        counted.refund()  # only failures count
    return result
