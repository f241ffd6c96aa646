"""How `make test` spreads the suite over pytest-xdist's workers (each with its own test
database, tests/settings.py its own Redis key prefix).

One test at a time to whichever worker is free, as xdist's ``load`` does, except the modules
below: their module fixture starts processes of their own (gunicorn, runserver, Redis,
PostgreSQL, the benchmark's peer) and most of them time what those answer. They go to one
worker as one unit, so each fixture starts once and no two of them load the machine at once.
xdist's ``loadgroup`` would do this from ``xdist_group`` marks, but under pytest 9.2 it
silently ignores them (pytest-xdist issue #1386).
"""

import pytest
from xdist.scheduler import LoadScopeScheduling

OWN_SERVERS = frozenset({
    "tests/bench/test_peer.py",
    "tests/faults/test_outages.py",
    "tests/portal/test_make_serve.py",
    "tests/twofactor/methods/push/test_held_poll_redis.py",
    "tests/twofactor/test_cross_process.py",
})


class OwnServersTogether(LoadScopeScheduling):
    """A unit of work per test, and one for all the OWN_SERVERS modules (the largest unit,
    so xdist hands it out first)."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return "own-servers" if path in OWN_SERVERS else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "load":  # what -n picks when --dist is not given
        return OwnServersTogether(config, log)
    return None
