"""The pool's wait (portal.postgresql): an unreachable server is given up in 1.5 s, a busy
pool still waits for a connection to come back."""

import threading
import time

import pytest
from django.db import connection
from psycopg_pool import ConnectionPool, PoolTimeout

from portal.postgresql.base import _OutageAwarePool

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a busy pool needs a PostgreSQL server"
)


def test_an_unreachable_server_is_given_up_within_one_and_a_half_seconds():
    pool = ConnectionPool("postgresql://postgres@127.0.0.1:9/x", open=False, min_size=1,
                          max_size=4, timeout=10, reconnect_timeout=0.5)
    pool.open()
    try:
        started = time.monotonic()
        with pytest.raises(PoolTimeout, match="not answering"):
            _OutageAwarePool(pool).getconn()
        assert time.monotonic() - started < 1.5
    finally:
        pool.close()


@needs_postgresql
@pytest.mark.django_db
def test_a_busy_pool_still_waits_for_a_connection_to_come_back():
    params = connection.get_connection_params()
    pool = ConnectionPool(kwargs=params, open=False, min_size=1, max_size=1, timeout=10)
    pool.open(wait=True)
    try:
        held = pool.getconn()
        threading.Timer(2.5, pool.putconn, [held]).start()
        started = time.monotonic()

        connection_back = _OutageAwarePool(pool).getconn()

        assert time.monotonic() - started >= 2
        pool.putconn(connection_back)
    finally:
        pool.close()
