"""Named soft rate limits, counted in the shared cache (warehouse's style).

Each limiter allows ``count`` events per ``seconds`` for one subject (an email address, a
person, a number, an address, or the whole portal), in fixed windows. Counters are atomic
cache increments (Redis in production; an atomic database cache otherwise), so a limit holds
across every worker process and host. The security boundary for wrong tokens is not here
but on database rows (``twofactor.signin.lockout``). Sizes come from ``conf.rate_limit(name)``.

``reserve`` counts an event before the work it limits and hands back a ``Reservation`` whose
``refund`` takes the count back when the event turned out not to count (a right password):
the count is taken first so parallel requests cannot all slip under the cap.

When the cache does not answer, a limit fails closed: ``Unavailable`` is raised and the
limited action is refused (``portal.outage`` answers 503 "try again in a minute"); a refund
that cannot reach the cache is dropped, which only over-counts.
"""

import contextlib
import hashlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from portal.cache import CACHE_ERRORS
from portal.conf import conf

logger = logging.getLogger(__name__)


class Unavailable(Exception):
    """The cache that counts the limits did not answer: the limited action is refused."""


@contextlib.contextmanager
def _counting() -> Iterator[None]:
    try:
        yield
    except CACHE_ERRORS as error:
        raise Unavailable(f"rate-limit counters unreachable: {error}") from error


@dataclass
class RateLimited(Exception):
    """A limit tripped: ``name`` says which, ``retry_after`` how many seconds to wait."""

    name: str
    retry_after: int
    key: str = field(default="", repr=False, compare=False)  # the counter it went over

    @property
    def wait_text(self) -> str:
        """ "30 seconds", "4 minutes", "2 hours": when the person can try again."""
        if self.retry_after < 90:
            return f"{self.retry_after} seconds"
        if self.retry_after < 90 * 60:
            return f"{math.ceil(self.retry_after / 60)} minutes"
        return f"{math.ceil(self.retry_after / 3600)} hours"


def window_words(name: str) -> str:
    """ "15 minutes", "1 hour": the length of the fixed windows ``name`` counts in."""
    _, seconds = conf.rate_limit(name)
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} seconds"


def _window(name: str, subject: str, now: float) -> tuple[str, int]:
    """The counter's cache key for the current window, and seconds until the window ends."""
    _, seconds = conf.rate_limit(name)
    start = int(now // seconds) * seconds
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"limit:{name}:{digest}:{start}", max(1, math.ceil(start + seconds - now))


def _is_window(key: str) -> bool:
    """A window's counter ends in its start ("limit:<name>:<digest>:<start>"); a cool-down's
    key has no start."""
    return key.count(":") == 3


def _count(key: str, ttl: int) -> int:
    cache.add(key, 0, timeout=ttl + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between add and incr: a fresh window
        cache.add(key, 1, timeout=ttl + 1)
        return 1


def hit(name: str, subject: object) -> None:
    """Count one event; raise RateLimited if it goes over the limit (Unavailable if the
    cache does not answer)."""
    with _counting():
        _take(name, str(subject))


def _take(name: str, subject: str) -> str:
    """Count one event and return the counter's key; raise RateLimited (counted) if over."""
    count, seconds = conf.rate_limit(name)
    if count == 1:
        return _cool_down(name, subject, seconds)
    key, ttl = _window(name, subject, timezone.now().timestamp())
    if _count(key, ttl) > count:
        raise RateLimited(name, ttl, key)
    return key


def _cool_down(name: str, subject: str, seconds: int) -> str:
    """One event per ``seconds``, measured from the last one (not from a window's start)."""
    now = timezone.now().timestamp()
    key = f"limit:{name}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"
    if not cache.add(key, now + seconds, timeout=seconds):
        until = cache.get(key) or now + 1
        raise RateLimited(name, max(1, math.ceil(until - now)))
    return key


def held_back(name: str, subject: object) -> RateLimited | None:
    """Would the next event trip ``name`` for ``subject``? Read without counting (a page
    deciding whether to offer an action); None also when the cache does not answer, since the
    action itself is counted, and refused then, when it is taken."""
    count, _ = conf.rate_limit(name)
    now = timezone.now().timestamp()
    digest = hashlib.sha256(str(subject).encode()).hexdigest()[:32]
    try:
        if count == 1:
            until = cache.get(f"limit:{name}:{digest}")
            return RateLimited(name, max(1, math.ceil(until - now))) if until else None
        key, ttl = _window(name, str(subject), now)
        return RateLimited(name, ttl, key) if (cache.get(key) or 0) >= count else None
    except CACHE_ERRORS:
        return None


def hit_all(limits: list[tuple[str, object]]) -> None:
    """Count one event against several limiters; raise for the first that trips."""
    for name, subject in limits:
        hit(name, subject)


@dataclass(frozen=True)
class Reservation:
    """Events counted by ``reserve``: ``refund()`` takes them back (each counter's own key,
    so a refund never lands in a later window)."""

    keys: tuple[str, ...]

    def refund(self) -> None:
        try:
            for key in self.keys:
                _uncount(key)
        except CACHE_ERRORS as error:  # the event stays counted: stricter, never looser
            logger.warning("Rate-limit refund lost, the cache did not answer: %s", error)


def reserve(limits: list[tuple[str, object]]) -> Reservation:
    """Count one event against several limiters, all or none: if one trips, the counts
    already taken are refunded (a refused event is not worked on, so it counts nowhere)
    and RateLimited is raised; Unavailable if the cache does not answer."""
    taken: list[str] = []
    with _counting():
        for name, subject in limits:
            try:
                taken.append(_take(name, str(subject)))
            except RateLimited as tripped:
                Reservation((*taken, tripped.key) if tripped.key else tuple(taken)).refund()
                raise
    return Reservation(tuple(taken))


def _uncount(key: str) -> None:
    """Take one event back: an atomic decrement of a window's counter, or the end of a
    cool-down. A counter whose window has ended has nothing to give back."""
    if not _is_window(key):
        cache.delete(key)
        return
    with contextlib.suppress(ValueError):
        cache.decr(key)
