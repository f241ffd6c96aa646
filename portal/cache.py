"""Django's database cache with an atomic ``incr``, so rate-limit counters hold across workers.

Django's own ``incr`` reads then writes; two workers can both read 3 and both write 4. Here
the read and the write happen in one transaction holding the row: ``SELECT ... FOR UPDATE``
where the database has it, and SQLite's immediate transactions (settings.py) elsewhere.
"""

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)


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
