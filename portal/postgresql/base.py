"""Django's PostgreSQL backend, whose connection pool tells an unreachable server from a
busy pool (``ENGINE = "portal.postgresql"``; settings.py picks it for postgres:// URLs).

psycopg's pool waits its whole ``timeout`` (10 s) for a connection whether every connection
is busy or the server is gone; with the server gone, every request hung 10 s, then failed.
Here a request waits ``FIRST_WAIT_SECONDS``; if none came and the pool is not full (so it
tried to open one and could not), it asks once more, which makes the pool try a fresh
connection at once, and then gives up: ``OperationalError`` within 1.5 s
(``portal.outage`` answers 503). A full pool is busy, not broken: the request waits the
rest of the timeout, as before. Without a pool (persistent connections under WSGI) this
is Django's backend unchanged.
"""

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool, PoolTimeout

FIRST_WAIT_SECONDS = 0.8
RETRY_WAIT_SECONDS = 0.6


class _OutageAwarePool:
    """The process's pool as Django sees it: every attribute is the pool's, but ``getconn``
    gives up early when the server is unreachable."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def __getattr__(self, name: str):
        return getattr(self._pool, name)

    def getconn(self, timeout: float | None = None):
        pool = self._pool
        total = pool.timeout if timeout is None else timeout
        try:
            return pool.getconn(min(FIRST_WAIT_SECONDS, total))
        except PoolTimeout:
            if pool.get_stats()["pool_size"] >= pool.max_size:
                return pool.getconn(max(0.1, total - FIRST_WAIT_SECONDS))  # busy: wait
        try:  # a new request for a connection: the pool tries the server again now
            return pool.getconn(RETRY_WAIT_SECONDS)
        except PoolTimeout:
            raise PoolTimeout("the database server is not answering") from None


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> _OutageAwarePool | None:
        pool = super().pool
        return None if pool is None else _OutageAwarePool(pool)
