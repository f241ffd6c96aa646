"""Held polls under make serve's shape with Redis: one bounded, blocking connection pool per
worker however many polls arrive at once, and a poll woken by the pub/sub message (which
carries the new status) reads nothing more. A Redis server of the test's own, so its
command counts are the portal's alone."""

import shutil
import subprocess
import sys
import time

import pytest
import redis

from tests.portal.test_make_serve import APPROVE, Served, free_port, held_poll, pending_sign_in
from twofactor.methods.push.waiting import CLIENT_NAME

POLLS = 40
POOL = 3

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


@pytest.fixture(scope="module")
def own_redis():
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield client, port
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory, own_redis):
    _client, port = own_redis
    server = Served(tmp_path_factory.mktemp("serve-redis"), WEB_CONCURRENCY="1",
                    REDIS_URL=f"redis://127.0.0.1:{port}/0",
                    PUSH_WAIT_REDIS_MAX_CONNECTIONS=str(POOL))
    server.manage("migrate", "--no-input", "-v", "0")
    server.manage("collectstatic", "--no-input", "-v", "0")
    server.manage("seed_demo", "--password", "portal-demo-2fa")
    # What make serve runs last (the test of make serve itself is tests/portal/).
    server.start((sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py"))
    yield server
    server.stop()


def pool_connections(client: redis.Redis) -> int:
    return sum(1 for c in client.client_list() if c.get("name") == CLIENT_NAME)


def gets(client: redis.Redis) -> int:
    return client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)


def test_a_burst_of_held_polls_shares_a_bounded_pool_and_wakes_without_reading(
        served, own_redis):
    client, _port = own_redis
    browser, url = pending_sign_in(served.port, "tech@acme.example")
    answers = [{} for _ in range(POLLS)]
    polling = [held_poll(served.port, browser, url, answer) for answer in answers]
    time.sleep(3)
    assert all(thread.is_alive() for thread in polling)  # every poll is held
    while_held = pool_connections(client)
    gets_before = gets(client)

    served.manage("shell", "-c", APPROVE.format(email="tech@acme.example"))
    for thread in polling:
        thread.join(timeout=30)

    assert [a["body"]["status"] for a in answers] == ["approved"] * POLLS
    assert 1 <= while_held <= POOL
    assert pool_connections(client) <= POOL  # and no idle pile left behind
    assert gets(client) - gets_before < POLLS / 2  # the woken polls read nothing
