"""The wrong-token lock: back-off per person, then a hard lock, on database rows.

Every check of a second-factor answer goes through ``check_allowed`` first and reports
through ``record_failure`` / ``record_success``, so no method can forget the throttle
(django-two-factor-auth #418). Answers ``(allowed, reason)`` in django-otp's manner.
``one_answer_at_a_time`` holds the person's row for the whole check, so answers sent
together are checked one after another and none slips past the cap.
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
    if lock is None:
        return Verdict(True)
    if lock.is_locked(now):
        return Verdict(False, "locked", lock.locked_until)
    wait = backoff_seconds(lock.failure_count)
    if wait and lock.last_failure_at and lock.last_failure_at + timedelta(seconds=wait) > now:
        return Verdict(False, "backoff", lock.last_failure_at + timedelta(seconds=wait))
    return Verdict(True)


def record_failure(user: User) -> FactorLock:
    """Count a wrong answer atomically; at the cap, lock the account. Returns the new state."""
    now = timezone.now()
    FactorLock.objects.get_or_create(user=user)
    with transaction.atomic():
        FactorLock.objects.filter(pk=user.pk).update(
            failure_count=F("failure_count") + 1, last_failure_at=now
        )
        lock = FactorLock.objects.select_for_update().get(pk=user.pk)
        if lock.failure_count >= conf.TWOFACTOR_FAILURES_BEFORE_LOCK and not lock.is_locked(now):
            lock.locked_until = now + timedelta(seconds=conf.TWOFACTOR_LOCK_SECONDS)
            lock.save(update_fields=["locked_until"])
    return lock


def record_success(user: User) -> None:
    """A right answer starts the count afresh, also after a lock that ran out (else the next
    typo would lock the person again at once)."""
    FactorLock.objects.filter(pk=user.pk).exclude(locked_until__gt=timezone.now()).update(
        failure_count=0, last_failure_at=None, locked_until=None
    )


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
