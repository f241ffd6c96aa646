"""The circuit breaker and the one way every outside provider call is made.

:func:`guarded_call` runs a provider call under the whole-call deadline
(``PROVIDER_TIMEOUT_SECONDS``) and counts its failures. After
``PROVIDER_BREAKER_FAILURES`` failures within a ``PROVIDER_BREAKER_WINDOW_SECONDS`` window the
provider is not called at all for ``PROVIDER_BREAKER_COOLDOWN_SECONDS``: callers get
``ProviderError(UNAVAILABLE)`` at once, so a dead provider cannot tie up every worker. After
the cool-down one failure opens the circuit again; one success closes it. The state lives in
the shared cache, so it holds across worker processes and hosts.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Iterator

from django.core.cache import cache

from portal import metrics
from twofactor.conf import conf
from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.providers.http import deadline

logger = logging.getLogger(__name__)

# Failures that say the provider is unwell; a refusal or a rate limit does not.
COUNTED = {ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.BAD_RESPONSE}


def _key(provider: str, part: str) -> str:
    return f"twofactor:breaker:{provider}:{part}"


def is_open(provider: str) -> int | None:
    """Seconds until the provider may be called again, or None when it may be called now."""
    until = cache.get(_key(provider, "open_until"))
    if until is None:
        return None
    return max(1, math.ceil(until - time.time()))


def _failures_key(provider: str) -> str:
    # A fixed window per key: some cache backends reset a key's expiry on incr.
    window = conf.PROVIDER_BREAKER_WINDOW_SECONDS
    return _key(provider, f"failures:{int(time.time() // window)}")


def record_failure(provider: str) -> None:
    failures_key = _failures_key(provider)
    window = conf.PROVIDER_BREAKER_WINDOW_SECONDS
    cache.add(failures_key, 0, timeout=window)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # expired between add and incr
        cache.set(failures_key, 1, timeout=window)
        failures = 1
    on_probation = cache.get(_key(provider, "probation")) is not None
    if failures >= conf.PROVIDER_BREAKER_FAILURES or on_probation:
        _open(provider)


def _open(provider: str) -> None:
    cooldown = conf.PROVIDER_BREAKER_COOLDOWN_SECONDS
    cache.set(_key(provider, "open_until"), time.time() + cooldown, timeout=cooldown)
    # After the cool-down, the first failure opens the circuit again at once.
    probation = cooldown + conf.PROVIDER_BREAKER_WINDOW_SECONDS
    cache.set(_key(provider, "probation"), 1, timeout=probation)
    cache.delete(_failures_key(provider))
    logger.warning("Provider %s failed repeatedly: not called for %s s", provider, cooldown)


def record_success(provider: str) -> None:
    cache.delete_many([_failures_key(provider), _key(provider, "probation")])


def reset(provider: str) -> None:
    keys = [_failures_key(provider), _key(provider, "probation"), _key(provider, "open_until")]
    cache.delete_many(keys)


@contextlib.contextmanager
def guarded_call(provider: str) -> Iterator[None]:
    """Run one provider call: refused while the circuit is open, bounded by the deadline."""
    wait = is_open(provider)
    if wait is not None:
        metrics.provider_not_called(provider, "circuit_open")
        raise ProviderError(ErrorKind.UNAVAILABLE, "circuit open", retry_after=wait)
    started = time.monotonic()
    try:
        with deadline(float(conf.PROVIDER_TIMEOUT_SECONDS)):
            yield
    except ProviderError as error:
        metrics.provider_called(provider, time.monotonic() - started, str(error.kind))
        if error.kind in COUNTED:
            record_failure(provider)
        logger.warning("Provider %s failed: %s (%s)", provider, error.kind, error.code or "")
        raise
    metrics.provider_called(provider, time.monotonic() - started)
    record_success(provider)
