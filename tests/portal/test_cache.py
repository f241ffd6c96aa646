"""The shared cache's counters: increments and decrements are atomic and keep the counter's
own expiry on both backends (the database cache and Redis)."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.utils import timezone

from tests.caches import clear_own_keys
from tests.concurrency import needs_postgresql, race


def seconds_left(key: str) -> float:
    """How long the cache will keep ``key``, read from the backend itself."""
    full_key = cache.make_and_validate_key(key)
    if hasattr(cache, "_cache"):  # Redis
        return cache._cache.get_client(full_key).ttl(full_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM portal_cache WHERE cache_key = %s", [full_key])
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):  # SQLite hands back text
        expires = datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return (expires - timezone.now()).total_seconds()


def test_an_hours_counter_lasts_the_hour_after_increments(db):
    """Django's database cache writes an increment with its 5-minute default timeout."""
    cache.add("counter", 0, timeout=3600)

    assert cache.incr("counter") == 1
    assert cache.decr("counter") == 0
    assert cache.incr("counter", 3) == 3

    assert 3500 < seconds_left("counter") <= 3600


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_increments_and_decrements_lose_none():
    cache.add("counter", 100, timeout=600)

    race(lambda step: cache.incr("counter", step), [(1,)] * 10 + [(-1,)] * 5)

    assert cache.get("counter") == 105


@pytest.mark.skipif(not settings.REDIS_URL, reason="the database cache is a table in each "
                                                   "worker's own test database")
def test_the_clearing_before_each_test_leaves_other_workers_keys(db):
    """Parallel workers share the Redis database: one worker's fresh start must not empty the
    counters another is in the middle of counting."""
    client = caches["default"]._cache.get_client(write=True)
    theirs = "portal-test-another-worker:1:login.ip:10.0.0.1"
    client.set(theirs, 3)
    cache.set("login.ip:10.0.0.1", 1)
    try:
        clear_own_keys()

        assert cache.get("login.ip:10.0.0.1") is None
        assert client.get(theirs) == b"3"
    finally:
        client.delete(theirs)
