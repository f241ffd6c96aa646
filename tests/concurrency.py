"""Races for tests on PostgreSQL: the same call from many threads released at once."""

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locking (SQLite's in-memory test database cannot race)",
)


def race(call: Callable[..., Any], args: Sequence[tuple] | int) -> list[Any]:
    """Run ``call`` once per argument tuple (or ``args`` times with none), all threads
    released together, each on its own database connection; return what each returned."""
    calls = [()] * args if isinstance(args, int) else list(args)
    barrier, results = threading.Barrier(len(calls)), []

    def run(*arguments):
        connection.ensure_connection()  # connected before the release: the calls meet at once
        barrier.wait()
        try:
            results.append(call(*arguments))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=arguments) for arguments in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
