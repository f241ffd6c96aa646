"""Emptying the cache between tests without touching anyone else's keys.

Under Redis the test processes share one database: each pytest-xdist worker, and each server
a test starts, writes under a key prefix of its own (tests/settings.py). Django's ``clear()``
is FLUSHDB, which would empty the other workers' rate-limit counters and push statuses in the
middle of their tests; here only one prefix is deleted.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def clear_own_keys() -> None:
    """Delete every key this process wrote to the cache, and no other."""
    cache = caches["default"]  # the backend itself: the ``cache`` proxy is no RedisCache
    if not isinstance(cache, RedisCache):
        cache.clear()  # the database cache: a table in this worker's own test database
        return
    delete_prefix(cache.key_prefix)


def delete_prefix(prefix: str) -> None:
    """Delete the Redis keys under ``prefix`` (a server a test started wrote them)."""
    client = caches["default"]._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
