"""The wrong-token lock: back-off per person, then a hard lock, on database rows.

Every check of a second-factor answer goes through ``check_allowed`` first and reports
through ``record_failure`` / ``record_success``, so no method can forget the throttle
(django-two-factor-auth #418). Answers ``(allowed, reason)`` in django-otp's manner.
Answers sent together cannot slip past the cap: a typed token is *claimed* (counted as
wrong in advance, in one short transaction on the person's row) before the provider is
asked, and settled after (``settle_wrong``, ``record_success`` or ``release_claim``), so
the row is never held while a provider answers. A backup code, checked in the database
alone, is checked inside ``one_answer_at_a_time``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from twofactor.conf import conf
from twofactor.models import FactorLock


@dataclass(frozen=True)
class Count:
    """Where the wrong answers stand after one more: how many, locked, locked by this one."""

    failures: int
    locked: bool
    just_locked: bool


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # "locked" or "backoff"
    retry_at: datetime | None = None


@contextmanager
def one_answer_at_a_time(user: User) -> Iterator[None]:
    """Lock the person's row (SELECT ... FOR UPDATE) while one answer is checked and counted."""
    FactorLock.objects.get_or_create(user=user)
    with transaction.atomic():
        FactorLock.objects.select_for_update().filter(pk=user.pk).first()
        yield


def backoff_seconds(failures: int) -> int:
    """No wait for the first few wrong answers, then 2, 4, 8 ... seconds (at most 5 minutes)."""
    extra = failures - conf.TWOFACTOR_FAILURES_BEFORE_BACKOFF
    return 0 if extra < 0 else min(2 ** (extra + 1), 300)


def check_allowed(user: User, now: datetime | None = None) -> Verdict:
    now = now or timezone.now()
    lock = FactorLock.objects.filter(pk=user.pk).first()
    return Verdict(True) if lock is None else _verdict(lock, now)


def _verdict(lock: FactorLock, now: datetime) -> Verdict:
    if lock.is_locked(now):
        return Verdict(False, "locked", lock.locked_until)
    wait = backoff_seconds(lock.failure_count)
    if wait and lock.last_failure_at and lock.last_failure_at + timedelta(seconds=wait) > now:
        return Verdict(False, "backoff", lock.last_failure_at + timedelta(seconds=wait))
    return Verdict(True)


def claim_answer(user: User) -> Verdict:
    """Count the answer about to be checked as wrong, if one may be checked now at all.

    While claimed answers are still with the provider, the count may stand at the cap
    without a lock: further answers wait. Claims a crashed worker never settled are
    settled as wrong once a provider call could no longer be running.
    """
    now = timezone.now()
    FactorLock.objects.get_or_create(user=user)
    with transaction.atomic():
        lock = FactorLock.objects.select_for_update().get(pk=user.pk)
        if lock.locked_until and lock.locked_until <= now:
            # The lock ran out: one more answer may be checked; a wrong one locks again.
            lock.locked_until = None
            lock.failure_count = conf.TWOFACTOR_FAILURES_BEFORE_LOCK - 1
        verdict = _verdict(lock, now)
        if verdict.allowed and lock.failure_count >= conf.TWOFACTOR_FAILURES_BEFORE_LOCK:
            settled_by = lock.last_failure_at + timedelta(
                seconds=conf.PROVIDER_TIMEOUT_SECONDS + 5
            )
            if settled_by > now:
                return Verdict(False, "backoff", settled_by)
            _lock_at_cap(lock, now)
            return _verdict(lock, now)
        if verdict.allowed:
            lock.failure_count += 1
            lock.last_failure_at = now
            lock.save(update_fields=["failure_count", "last_failure_at", "locked_until"])
    return verdict


def settle_wrong(user: User) -> Count:
    """A claimed answer was wrong: the count stands; at the cap, the person is locked."""
    now = timezone.now()
    with transaction.atomic():
        lock = FactorLock.objects.select_for_update().get(pk=user.pk)
        just_locked = _lock_at_cap(lock, now)
    return Count(lock.failure_count, lock.is_locked(now), just_locked)


def release_claim(user: User) -> None:
    """A claimed answer could not be checked (the provider failed): it does not count."""
    FactorLock.objects.filter(pk=user.pk, failure_count__gt=0).update(
        failure_count=F("failure_count") - 1
    )


def record_failure(user: User) -> Count:
    """Count a wrong answer that was not claimed first; at the cap, lock the account."""
    now = timezone.now()
    FactorLock.objects.get_or_create(user=user)
    with transaction.atomic():
        FactorLock.objects.filter(pk=user.pk).update(
            failure_count=F("failure_count") + 1, last_failure_at=now
        )
        lock = FactorLock.objects.select_for_update().get(pk=user.pk)
        just_locked = _lock_at_cap(lock, now)
    return Count(lock.failure_count, lock.is_locked(now), just_locked)


def _lock_at_cap(lock: FactorLock, now: datetime) -> bool:
    """Lock a row (already selected for update) that reached the cap; True if this did."""
    if lock.failure_count < conf.TWOFACTOR_FAILURES_BEFORE_LOCK or lock.is_locked(now):
        return False
    lock.locked_until = now + timedelta(seconds=conf.TWOFACTOR_LOCK_SECONDS)
    lock.save(update_fields=["locked_until"])
    return True


def record_success(user: User) -> None:
    """A right answer starts the count afresh, also after a lock that ran out (else the next
    typo would lock the person again at once)."""
    FactorLock.objects.filter(pk=user.pk).exclude(locked_until__gt=timezone.now()).update(
        failure_count=0, last_failure_at=None, locked_until=None
    )


def tries_left(user: User) -> int | None:
    """How many more wrong answers lock the person (None while unlocked and none wrong)."""
    lock = FactorLock.objects.filter(pk=user.pk).first()
    if lock is None or lock.failure_count == 0 or lock.is_locked():
        return None
    return max(0, conf.TWOFACTOR_FAILURES_BEFORE_LOCK - lock.failure_count)


def is_locked(user: User) -> bool:
    lock = FactorLock.objects.filter(pk=user.pk).first()
    return lock is not None and lock.is_locked()


def unlock(user: User) -> bool:
    """Lift a lock (an admin's action). True if there was anything to lift."""
    return bool(
        FactorLock.objects.filter(pk=user.pk)
        .exclude(failure_count=0, locked_until__isnull=True)
        .update(failure_count=0, last_failure_at=None, locked_until=None)
    )
