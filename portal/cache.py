"""Django's database cache with an atomic ``incr``, so rate-limit counters hold across workers.

Django's own ``incr`` reads then writes; two workers can both read 3 and both write 4. Here
the read and the write happen in one transaction holding the row: ``SELECT ... FOR UPDATE``
where the database has it, and SQLite's immediate transactions (settings.py) elsewhere.
Django's write also resets the expiry to the default timeout (5 minutes), so an hour's
counter would lapse early; the row keeps its own expiry here, as Redis's INCRBY does.
``decr`` is ``incr`` with a negative step, so it is atomic too.

``CACHE_ERRORS`` are what a cache operation raises when its store is down (Redis refused or
timed out, or the database under the database cache).
"""

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import DatabaseError, connections, router, transaction
from redis.exceptions import RedisError

CACHE_ERRORS = (RedisError, OSError, DatabaseError)


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        cache_key = self.make_and_validate_key(key, version=version)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT expires FROM {table} WHERE cache_key = %s{lock}",  # noqa: S608
                    [cache_key],
                )
                row = cursor.fetchone()
            value = super().incr(key, delta, version)
            if row is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET expires = %s WHERE cache_key = %s",  # noqa: S608
                        [row[0], cache_key],
                    )
            return value


class _OneClientPerPool(RedisCacheClient):
    """Django builds a new ``redis.Redis`` object for every cache operation (about 45 µs, a
    third of a session read); the object is thread-safe and the pool hands out connections,
    so one per pool is enough."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write: bool = False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, reusing one client per connection pool."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool
