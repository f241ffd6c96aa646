"""The one path every second-factor answer goes through, typed, touched or approved.

In order: the answer must look like what some method issues (bounded length, each method's
own shape; anything else is a form error and never reaches a provider), the method must be
one this attempt may use (``methods.refusal``: the organisation's allowed ways, "Require a
security key for firm admins", a fresh factor to confirm a change), the person must not be
locked or backing off, and the answer is counted as wrong before it is checked
(``lockout.claim_answer``, so parallel guesses cannot pass the cap). Then the method checks
it, in a transaction with the attempt's completion, so whatever it spends (an app's time
step, a backup code, a key's counter) is spent only by a sign-in that wins; the claim is
settled (``settle_wrong`` / ``record_success``), and the attempt is completed with a
conditional UPDATE, so however many requests race with one right answer, exactly one signs
in. No caller can skip a step, and no method is named here: the registry says which exist.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device

from accounts import audit
from accounts.audit import Tag
from twofactor import methods, notifications
from twofactor.conf import conf
from twofactor.methods import Method
from twofactor.models import SignInAttempt
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, lockout

MAX_INPUT_LENGTH = 64


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    MALFORMED = "malformed"  # not an answer any way the person may use could have issued
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


class _Undo(Exception):
    def __init__(self, result: Result) -> None:
        self.result = result


def refusal(attempt: SignInAttempt, request: HttpRequest | None = None) -> Result | None:
    """Why no answer may be checked for this person right now (locked, backing off), or None."""
    verdict = lockout.check_allowed(attempt.user)
    if verdict.allowed:
        return None
    audit.record(Tag.TOKEN_REJECTED, request=request, attempt_id=attempt.pk,
                 subject=attempt.user, reason=verdict.reason)
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


def not_allowed(
    attempt: SignInAttempt, method: Method, request: HttpRequest | None = None
) -> Result | None:
    """The refusal of ``method`` for this attempt (audited), or None if it may answer."""
    refused = methods.refusal(attempt, method)
    if refused is None:
        return None
    if refused.reason == "key_required":
        audit.record(Tag.KEY_REQUIRED_REFUSED, request=request, attempt_id=attempt.pk,
                     subject=attempt.user,
                     method=method.name)
        return Result(Outcome.NOT_ALLOWED, refused.message)
    audit.record(Tag.TOKEN_REJECTED, request=request, attempt_id=attempt.pk, subject=attempt.user,
                 reason=refused.reason, method=method.name)
    outcome = Outcome.MALFORMED if method.typed else Outcome.NOT_ALLOWED
    return Result(outcome, refused.message)


def verify_token(
    attempt: SignInAttempt, raw: object, request: HttpRequest | None = None
) -> Result:
    """Check what was typed into "Token or Security Key" for ``attempt``: each typed method
    whose shape it has is tried, strongest first, under one claim (one wrong answer counts
    once whichever way it was meant); on success the attempt is completed."""
    user = attempt.user
    shaped = _shaped(raw)
    if not shaped:
        audit.record(Tag.TOKEN_REJECTED, request=request, attempt_id=attempt.pk,
                     subject=user, reason="malformed")
        return Result(Outcome.MALFORMED, _shape_help(attempt))
    allowed = [(method, answer) for method, answer in shaped
               if methods.refusal(attempt, method) is None]
    if not allowed:
        return not_allowed(attempt, shaped[0][0], request)
    verdict = lockout.claim_answer(user)  # parallel guesses cannot pass the cap
    if not verdict.allowed:
        audit.record(Tag.TOKEN_REJECTED, request=request, attempt_id=attempt.pk,
                     subject=user, reason=verdict.reason)
        return _explain(verdict)
    usable = [(method, answer) for method, answer in allowed if method.usable(user)]
    failed: tuple[Method, ProviderError] | None = None
    checked = False
    for method, answer in usable:
        try:
            result = _check_and_complete(
                attempt, method, lambda m=method, a=answer: m.check(attempt, a, request), request
            )
        except ProviderError as error:
            failed = (method, error)
            continue
        checked = True
        if result is not None:
            return result
    # What the person most likely meant: the strongest way that could have issued it.
    first = (usable or allowed)[0][0]
    if failed is not None:
        method, error = failed
        if checked:
            lockout.settle_wrong(user)  # another way's check was made, and failed: it counts
        else:
            lockout.release_claim(user)
        audit.record(Tag.PROVIDER_FAILED, request=request, attempt_id=attempt.pk,
                     subject=user, kind=str(error.kind))
        return Result(
            Outcome.UNAVAILABLE, f"{error.user_message} {what_still_works(method.name, error)}"
        )
    # The method is told only when one way could have issued the answer ("token" else).
    return count_wrong(attempt, request, reason=first.wrong_reason, claimed=True,
                       message=first.wrong_message(user),
                       method=first.name if len(usable) == 1 else "")


def _shaped(raw: object) -> list[tuple[Method, str]]:
    """Each typed method whose answers look like ``raw``, with the answer as it checks it."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        return []
    found = []
    for method in methods.registry():
        answer = method.normalise(raw) if method.typed else None
        if answer is not None:
            found.append((method, answer))
    return found


def _shape_help(attempt: SignInAttempt) -> str:
    ways = [m.shape_help for m in methods.offered(attempt) if m.typed and m.shape_help]
    if not ways:
        return "That is not a code this sign-in can take."
    listed = ", ".join(ways[:-1]) + f", or {ways[-1]}" if len(ways) > 1 else ways[0]
    return f"Enter {listed}."


def _check_and_complete(
    attempt: SignInAttempt,
    method: Method,
    check: Callable[[], Device | None],
    request: HttpRequest | None,
    recorded_as: str = "",
) -> Result | None:
    """Run ``check`` and complete the attempt in one transaction: the accepted (or ended)
    result, or None when the answer was not right. A check made elsewhere (a provider's)
    runs before the transaction, so none is open while the provider answers; what a check
    spends in the database is undone with the transaction. ProviderError passes through."""
    in_transaction = method.spends_in_database
    device = None if in_transaction else check()
    if device is None and not in_transaction:
        return None
    try:
        with transaction.atomic():
            if in_transaction:
                device = check()
                if device is None:
                    return None
            result = _succeed(attempt, method, device, request, recorded_as or method.name)
            if not result.accepted:
                raise _Undo(result)  # the attempt had ended: what the check spent stays
    except _Undo as undo:
        return undo.result
    if method.recovery and methods.key_required(attempt):  # a lost key: allowed, never silently
        audit.record(Tag.KEY_REQUIRED_RECOVERY, request=request, attempt_id=attempt.pk,
                     subject=attempt.user)
    method.after_success(attempt, device, request)
    return result


def answer(
    attempt: SignInAttempt,
    method: Method,
    check: Callable[[], Device | None],
    request: HttpRequest | None = None,
    *,
    counts_toward_lock: bool = True,
    recorded_as: str = "",
) -> Result:
    """The path for a method answered on its own (a key touched, a signed reply): refusal,
    lock, claim, ``check`` and completion in one transaction, then the claim settled.
    ``check`` returns the device that answered, None for a wrong answer, or raises
    ``WrongAnswer`` with its own message. Without ``counts_toward_lock`` (a passwordless
    passkey, which anyone can present) the person's lock is respected but a wrong answer
    is not counted against it: the caller limits those by credential and address.
    ``recorded_as`` names the answer on the attempt and in the log where the method's own
    name would say less ("passkey": both factors at once)."""
    refused = not_allowed(attempt, method, request)
    if refused:
        return refused
    user = attempt.user
    if counts_toward_lock:
        verdict = lockout.claim_answer(user)  # counted now, settled below
        if not verdict.allowed:
            audit.record(Tag.TOKEN_REJECTED, request=request, attempt_id=attempt.pk, subject=user,
                         reason=verdict.reason)
            return _explain(verdict)
    else:
        locked = refusal(attempt, request)
        if locked:
            return locked
    try:
        result = _check_and_complete(attempt, method, check, request, recorded_as)
    except WrongAnswer as wrong:
        message = wrong.settle()
    except ProviderError:
        if counts_toward_lock:
            lockout.release_claim(user)
        raise
    else:
        if result is not None:
            return result
        message = method.wrong_message(user)
    if not counts_toward_lock:
        return Result(Outcome.WRONG, message)
    return count_wrong(attempt, request, reason=method.wrong_reason, claimed=True,
                       message=message, method=recorded_as or method.name)


class WrongAnswer(Exception):
    """A method's check refused the answer and says why, in words for the person; ``then``
    runs once the check's transaction has rolled back (to audit the refusal)."""

    def __init__(self, message: str, then: Callable[[], object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.then = then

    def settle(self) -> str:
        if self.then is not None:
            self.then()
        return self.message


def _succeed(
    attempt: SignInAttempt, method: Method, device: Device, request: HttpRequest | None,
    name: str,
) -> Result:
    lockout.record_success(attempt.user)
    if not attempts.complete(attempt, name, device):
        return Result(Outcome.ENDED, "This sign-in has already ended. Sign in again.")
    attempts.answered(attempt, method.name)  # the other ways' pending requests close
    audit.record(Tag.FACTOR_ACCEPTED, request=request, attempt_id=attempt.pk,
                 subject=attempt.user, method=name)
    return Result(Outcome.ACCEPTED)


def count_wrong(
    attempt: SignInAttempt,
    request: HttpRequest | None,
    reason: str = "wrong",
    *,
    claimed: bool = False,
    message: str = "",
    method: str = "",
) -> Result:
    """A wrong answer, counted toward the person's lock (``claimed``: it was counted in
    advance by ``claim_answer`` and is settled now), audited, told by email as the lock
    nears; the result says what to tell the person."""
    user = attempt.user
    count = lockout.settle_wrong(user) if claimed else lockout.record_failure(user)
    audit.record(
        Tag.TOKEN_REJECTED, request=request, attempt_id=attempt.pk, subject=user, reason=reason,
        failures=count.failures, **({"method": method} if method else {}),
    )
    if count.locked:
        if count.just_locked:
            audit.record(Tag.FACTOR_LOCKED, request=request, attempt_id=attempt.pk, subject=user)
            notifications.second_factor_failing(user, attempt, locked=True)
        return _explain(lockout.check_allowed(user))
    if count.failures == conf.TWOFACTOR_FAILURES_BEFORE_BACKOFF:
        notifications.second_factor_failing(user, attempt, locked=False)
    return Result(Outcome.WRONG, message or "That answer is not right.")
