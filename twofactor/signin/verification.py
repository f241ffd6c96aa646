"""The one path every second-factor answer goes through, typed or approved.

In order: the typed code must look like what the portal issues (ASCII digits, bounded
length; anything else is a form error and never reaches a provider), the person must not
be locked or backing off, and the answer is counted as wrong before it is checked
(``lockout.claim_answer``, so parallel guesses cannot pass the cap), the person's
authenticator app is tried (its time step spent under a row lock, never twice), then the
provider checks the code for the person of this attempt only, the claim is settled
(``settle_wrong`` / ``record_success``), and the attempt is completed with a conditional
UPDATE, so however many requests race with one right answer, exactly one signs in. No
caller can skip a step.
Only the ways the person's firm (or client) allows are tried; backup codes always are.
"""

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.audit import Tag
from twofactor import devices, methods, notifications
from twofactor.conf import conf
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.methods.push import approvals
from twofactor.methods.security_key import challenges
from twofactor.methods.security_key import keys as security_keys
from twofactor.methods.totp import authenticator as totp
from twofactor.models import ApprovalRequest, SignInAttempt
from twofactor.providers import get_provider
from twofactor.providers.base import ApprovalStatus, ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, lockout

# What the portal issues: 6 or more ASCII digits ([0-9], not \d, which takes any script's).
TOKEN_PATTERN = re.compile(r"[0-9]{6,10}")
MAX_INPUT_LENGTH = 64


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    MALFORMED = "malformed"  # not a token the portal could have issued
    WRONG = "wrong"
    BACKOFF = "backoff"
    LOCKED = "locked"
    ENDED = "ended"  # the attempt already succeeded or expired
    UNAVAILABLE = "unavailable"  # the provider failed
    NOT_ALLOWED = "not_allowed"  # the firm's policy wants another way (a security key)


HTTP_STATUS = {
    Outcome.ACCEPTED: 200,
    Outcome.MALFORMED: 400,
    Outcome.WRONG: 400,
    Outcome.BACKOFF: 429,
    Outcome.LOCKED: 429,
    Outcome.ENDED: 410,
    Outcome.UNAVAILABLE: 503,
    Outcome.NOT_ALLOWED: 403,
}


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str = ""
    retry_at: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.outcome]


def normalise(raw: object) -> str | None:
    """The token typed, without spaces, if it has the shape of one the portal issues."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        return None
    code = raw.strip().replace(" ", "")
    return code if TOKEN_PATTERN.fullmatch(code) else None


def refusal(attempt: SignInAttempt, request: HttpRequest | None = None) -> Result | None:
    """Why no answer may be checked for this person right now (locked, backing off), or None."""
    verdict = lockout.check_allowed(attempt.user)
    if verdict.allowed:
        return None
    audit.record(Tag.TOKEN_REJECTED, request=request, subject=attempt.user, reason=verdict.reason)
    return _explain(verdict)


def _explain(verdict: lockout.Verdict) -> Result:
    if verdict.reason == "locked":
        message = (
            "Too many wrong answers: the second step is locked until "
            f"{verdict.retry_at:%H:%M} UTC. Your firm's administrator can lift the lock sooner."
        )
        return Result(Outcome.LOCKED, message, verdict.retry_at)
    seconds = max(1, int((verdict.retry_at - timezone.now()).total_seconds()) + 1)
    message = f"Several wrong tokens in a row. Wait {seconds} seconds, then try again."
    return Result(Outcome.BACKOFF, message, verdict.retry_at)


def verify_token(
    attempt: SignInAttempt, raw: object, request: HttpRequest | None = None
) -> Result:
    """Check a typed token or backup code for ``attempt``; on success the attempt is
    completed."""
    if backup_codes.looks_like_backup_code(raw):
        if attempt.purpose == SignInAttempt.Purpose.CONFIRM:
            return Result(
                Outcome.MALFORMED,
                "A backup code cannot confirm this change. Use a token from a text message "
                "or approve the request on your phone.",
            )
        return verify_backup_code(attempt, raw, request)
    needs_key = key_requirement(attempt, "sms", request)
    if needs_key:
        return needs_key
    code = normalise(raw)
    user = attempt.user
    if code is None:
        audit.record(Tag.TOKEN_REJECTED, request=request, subject=user, reason="malformed")
        return Result(
            Outcome.MALFORMED,
            "Enter the token from the text message (6 or more digits), the 6-digit code from "
            "your authenticator app, or one of your backup codes (four groups of four letters "
            "and digits).",
        )
    # An app's code is tried first (no provider call), then the provider's token; both
    # under one claim, so one wrong answer counts once whichever way it was meant.
    try_app = (
        len(code) == totp.DIGITS and methods.allowed(user, "totp") and totp.has_app(user)
    )
    try_provider = methods.allowed(user, "sms")
    if not (try_app or try_provider):
        audit.record(Tag.TOKEN_REJECTED, request=request, subject=user, reason="not_allowed")
        return Result(Outcome.MALFORMED, _not_allowed_message(user))
    verdict = lockout.claim_answer(user)  # parallel guesses cannot pass the cap
    if not verdict.allowed:
        audit.record(Tag.TOKEN_REJECTED, request=request, subject=user, reason=verdict.reason)
        return _explain(verdict)
    if try_app:
        try:
            with transaction.atomic():
                if totp.consume(user, code):  # the step is spent only if this sign-in wins
                    result = _succeed(attempt, "totp", request)
                    if not result.accepted:
                        raise _Undo(result)
                    return result
        except _Undo as undo:
            return undo.result
    device = devices.phone_device(user) if try_provider else None
    if device is None:
        return _wrong(attempt, request, claimed=True)
    try:
        right = get_provider(device.provider).check_token(
            user, device.provider_ref, device.number, code, attempt_id=str(attempt.pk)
        )
    except ProviderError as error:
        if try_app:
            lockout.settle_wrong(user)  # the app's check was made, and failed: it counts
        else:
            lockout.release_claim(user)
        audit.record(Tag.PROVIDER_FAILED, request=request, subject=user, kind=str(error.kind))
        fallback = what_still_works("sms", error)
        return Result(Outcome.UNAVAILABLE, f"{error.user_message} {fallback}")
    if not right:
        return _wrong(attempt, request, claimed=True)
    return _succeed(attempt, "sms", request)


def _not_allowed_message(user) -> str:
    allowed = ", ".join(method.label for method in methods.usable_by(user)) or "none"
    return (
        "Your organisation does not allow signing in with a texted token here. "
        f"The ways you can use: {allowed}."
    )


class _Undo(Exception):
    def __init__(self, result: Result) -> None:
        self.result = result


def verify_backup_code(
    attempt: SignInAttempt, raw: object, request: HttpRequest | None = None
) -> Result:
    """Sign in with a backup code: the same lock as tokens, no provider involved (so it
    works when the provider is down), and the code is spent only if this sign-in wins."""
    user = attempt.user
    with lockout.one_answer_at_a_time(user):  # parallel guesses cannot pass the cap
        refused = refusal(attempt, request)
        if refused:
            return refused
        try:
            with transaction.atomic():
                left = backup_codes.spend(user, raw)
                if left is None:
                    return _wrong(attempt, request, reason="backup_code")
                result = _succeed(attempt, "backup_code", request)
                if not result.accepted:
                    raise _Undo(result)  # the attempt had ended: the code stays unused
        except _Undo as undo:
            return undo.result
    if key_required(attempt):  # recovery for a lost key: allowed, never silently
        audit.record(Tag.KEY_REQUIRED_RECOVERY, request=request, subject=user)
    backup_codes.tell_used(user, left, request=request)
    return result


def key_required(attempt: SignInAttempt) -> bool:
    """Must this sign-in finish with a security key? A firm admin's, where the firm says so
    ("Require a security key for firm admins"). Backup codes stay as the recovery for a lost
    key (audited). A signed-in admin's "Confirm it's you" is not held to it, so an admin who
    has no key yet can still add one."""
    user = attempt.user
    return (
        attempt.purpose == SignInAttempt.Purpose.SIGN_IN
        and user.role == user.Role.ADMIN
        and user.firm.security_key_required_for_admins
    )


def key_requirement(
    attempt: SignInAttempt, method: str, request: HttpRequest | None = None
) -> Result | None:
    """The refusal of a push, SMS or app answer from someone who must use a key, or None."""
    if not key_required(attempt):
        return None
    audit.record(Tag.KEY_REQUIRED_REFUSED, request=request, subject=attempt.user, method=method)
    return Result(
        Outcome.NOT_ALLOWED,
        "Your firm requires firm admins to sign in with a security key: press \"Use a "
        "security key\" and touch your key. Lost it? Use one of your backup codes.",
    )


def verify_security_key(
    attempt: SignInAttempt, response: object, request: HttpRequest | None = None,
    *, challenge: bytes | None = None, passkey: bool = False,
) -> Result:
    """Sign in by a security key's signed answer: only this person's keys, only to the
    challenge made for this attempt (taken from the session, once); the same lock as tokens.
    A passkey (both factors at once) must also have verified its user; its challenge was
    made before the attempt existed and is passed in."""
    user = attempt.user
    if challenge is None and request is not None:
        challenge = challenges.take(request, "sign_in", attempt_id=str(attempt.pk))
    if challenge is None:
        audit.record(Tag.SECURITY_KEY_REFUSED, request=request, subject=user, reason="challenge")
        return Result(
            Outcome.MALFORMED,
            "That security key request expired or was already answered. Press \"Use a "
            "security key\" again.",
        )
    try:
        answer = security_keys.parse_response(response)
    except security_keys.Refused as refused:
        return Result(Outcome.MALFORMED, refused.message)
    method = "passkey" if passkey else "security_key"
    with lockout.one_answer_at_a_time(user):  # parallel answers cannot pass the cap
        refused = refusal(attempt, request)
        if refused:
            return refused
        key = security_keys.find_key(answer)
        if key is None or key.user_id != user.pk:  # another person's key proves nothing here
            audit.record(Tag.SECURITY_KEY_REFUSED, request=request, subject=user,
                         reason="unknown_key")
            return _wrong(attempt, request, reason="security_key",
                          message="That security key is not registered to this account.")
        try:
            with transaction.atomic():
                security_keys.check_assertion(
                    key, answer, challenge, require_verification=passkey
                )
                result = _succeed(attempt, method, request)
                if not result.accepted:
                    raise _Undo(result)  # the attempt had ended: the key's use is not kept
        except security_keys.Refused as refused:
            audit.record(Tag.SECURITY_KEY_REFUSED, request=request, subject=user,
                         reason=refused.reason, key=key.name)
            return _wrong(attempt, request, reason="security_key", message=refused.message)
        except _Undo as undo:
            return undo.result
    return result


def accept_approval(
    attempt: SignInAttempt, approval: ApprovalRequest | None, request: HttpRequest | None = None
) -> Result:
    """Sign in by an approved push: only this attempt's own request, approved in time."""
    if not methods.allowed(attempt.user, "push"):
        audit.record(Tag.TOKEN_REJECTED, request=request, subject=attempt.user,
                     reason="not_allowed", method="push")
        return Result(Outcome.WRONG, "Your organisation does not allow approving sign-ins "
                      "on the phone.")
    if approval is None or approval.attempt_id != attempt.pk:
        return Result(Outcome.WRONG, "There is no approved request for this sign-in.")
    if approvals.status_of(approval) is not ApprovalStatus.APPROVED:
        return Result(Outcome.WRONG, "The request on your phone has not been approved.")
    needs_key = key_requirement(attempt, "push", request)
    if needs_key:
        return needs_key
    refused = refusal(attempt, request)
    if refused:
        return refused
    return _succeed(attempt, "push", request)


def wrong_number_picked(approval: ApprovalRequest, request: HttpRequest | None = None) -> Result:
    """The phone's number pick did not match the challenge page's (the request is denied by
    the caller): a wrong answer, counted toward the lock like a wrong token."""
    attempt = SignInAttempt.objects.select_related("user").get(pk=approval.attempt_id)
    return _wrong(attempt, request, reason="wrong_number")


def _succeed(attempt: SignInAttempt, method: str, request: HttpRequest | None) -> Result:
    lockout.record_success(attempt.user)
    if not attempts.complete(attempt, method):
        return Result(Outcome.ENDED, "This sign-in has already ended. Log in again.")
    if method != "push":
        approvals.withdraw(attempt.pk)  # a late approval on the phone must do nothing
    audit.record(Tag.FACTOR_ACCEPTED, request=request, subject=attempt.user, method=method)
    return Result(Outcome.ACCEPTED)


def _wrong(
    attempt: SignInAttempt,
    request: HttpRequest | None,
    reason: str = "wrong",
    *,
    claimed: bool = False,
    message: str = "",
) -> Result:
    user = attempt.user
    count = lockout.settle_wrong(user) if claimed else lockout.record_failure(user)
    audit.record(
        Tag.TOKEN_REJECTED, request=request, subject=user, reason=reason,
        failures=count.failures,
    )
    if count.locked:
        if count.just_locked:
            audit.record(Tag.FACTOR_LOCKED, request=request, subject=user)
            notifications.second_factor_failing(user, attempt, locked=True)
        return _explain(lockout.check_allowed(user))
    if count.failures == conf.TWOFACTOR_FAILURES_BEFORE_BACKOFF:
        notifications.second_factor_failing(user, attempt, locked=False)
    if message:
        return Result(Outcome.WRONG, message)
    if reason == "wrong_number":
        return Result(Outcome.WRONG, "The number picked on the phone did not match.")
    if reason == "backup_code":
        return Result(
            Outcome.WRONG,
            "That backup code is not right or was used already. Each code works once.",
        )
    if methods.allowed(user, "totp") and totp.has_app(user):
        return Result(
            Outcome.WRONG,
            "That code is not right, or was used already. Type the newest code from your "
            "authenticator app, or the latest texted token.",
        )
    return Result(
        Outcome.WRONG,
        "That token is not right, has expired, or was replaced by a newer one. "
        "Check the latest text message, or send a new token.",
    )
