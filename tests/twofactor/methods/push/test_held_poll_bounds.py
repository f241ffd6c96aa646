"""The held poll's bounds in front of Django: answered by its deadline counted from its
arrival (however long its reads waited), only for a host Django would serve, and held at
most PUSH_WAIT_MAX_PER_ADDRESS at a time per client address."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.signing_in import enter_password
from tests.twofactor.methods.push.test_long_poll import asgi_get, poll_url
from twofactor.methods.push import asgi, poll, waiting

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    """``scenario()`` on its own event loop in its own thread (as a worker's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


@pytest.fixture
def front():
    """make serve's application with a pool of its own, closed after the test (its threads'
    database connections too)."""
    from portal.asgi import build

    application, pages = build(2)
    yield application
    pages.close()


def test_a_poll_ends_by_its_deadline_from_arrival_even_when_its_read_waited(
        front, client, demo_world, monkeypatch):
    monkeypatch.setattr(poll, "WAIT_SECONDS", 1.5)
    read = waiting.Watch.read

    async def slow_read(self):  # a burst: the read waited 1 s for a connection
        await asyncio.sleep(1)
        return await read(self)

    monkeypatch.setattr(waiting.Watch, "read", slow_read)
    enter_password(client)
    url = poll_url(client)

    async def scenario():
        started = time.monotonic()
        reply = await asgi_get(front, f"{url}&wait=1&seen=pending", client.cookies)
        return reply, time.monotonic() - started

    reply, took = run(scenario)

    assert reply.status_code == 200 and reply.json()["status"] == "pending"
    assert 1.4 <= took < 2.2  # 1.5 s from arrival, not 1 s of reading plus 1.5 s held


def test_a_poll_whose_first_read_misses_the_deadline_is_told_to_ask_again(
        front, client, demo_world, monkeypatch):
    monkeypatch.setattr(poll, "WAIT_SECONDS", 0.5)

    async def stuck_read(self):
        await asyncio.sleep(5)

    monkeypatch.setattr(waiting.Watch, "read", stuck_read)
    enter_password(client)
    url = poll_url(client)

    async def scenario():
        started = time.monotonic()
        reply = await asgi_get(front, f"{url}&wait=1&seen=pending", client.cookies)
        return reply, time.monotonic() - started

    reply, took = run(scenario)

    assert took < 1.5
    assert reply.status_code == 503 and reply["Retry-After"] == "1"
    assert reply.json()["message"] == asgi.BUSY["message"]


def test_a_poll_for_a_host_django_would_refuse_is_refused_as_django_does(
        front, client, demo_world):
    enter_password(client)
    url = poll_url(client)

    async def scenario():
        started = time.monotonic()
        reply = await asgi_get(front, f"{url}&wait=1&seen=pending", client.cookies,
                               host="evil.example")
        return reply, time.monotonic() - started

    reply, took = run(scenario)

    assert reply.status_code == 400  # Django's DisallowedHost answer, not a held poll
    assert b"pending" not in reply.body
    assert took < 4


def test_polls_beyond_the_cap_per_address_are_answered_at_once_with_a_retry(
        front, client, demo_world, settings):
    settings.PUSH_WAIT_MAX_PER_ADDRESS = 2
    enter_password(client)
    url = f"{poll_url(client)}&wait=1&seen=pending"

    async def scenario():
        held = [asyncio.create_task(asgi_get(front, url, client.cookies, client="192.0.2.7"))
                for _ in range(2)]
        await asyncio.sleep(0.5)
        started = time.monotonic()
        crowded = await asgi_get(front, url, client.cookies, client="192.0.2.7")
        crowded_took = time.monotonic() - started
        other = asyncio.create_task(asgi_get(front, url, client.cookies, client="192.0.2.8"))
        await asyncio.sleep(0.5)
        still_held = [not task.done() for task in [*held, other]]
        for task in [*held, other]:
            task.cancel()
        await asyncio.gather(*held, other, return_exceptions=True)
        return crowded, crowded_took, still_held

    crowded, crowded_took, still_held = run(scenario)

    assert crowded.status_code == 200 and crowded.json()["status"] == "pending"
    assert crowded.json()["retry"] == asgi.CROWDED_RETRY_MS
    assert crowded_took < 2
    assert still_held == [True, True, True]  # the first two, and another address's


def test_a_poll_whose_store_is_unreachable_is_answered_from_the_database_not_a_500(
        front, client, demo_world, monkeypatch):
    enter_password(client)
    url = poll_url(client)

    async def broken_read(self):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(waiting.Watch, "read", broken_read)

    reply = run(lambda: asgi_get(front, f"{url}&wait=1&seen=pending", client.cookies))

    # The long way: Django reads the request from the database (sessions are rows there too).
    assert reply.status_code == 200 and reply.json()["status"] == "pending"


def test_a_browser_that_leaves_frees_its_place_under_the_cap_at_once(
        front, client, demo_world, settings):
    settings.PUSH_WAIT_MAX_PER_ADDRESS = 1
    enter_password(client)
    url = f"{poll_url(client)}&wait=1&seen=pending"

    async def scenario():
        leaving = asyncio.create_task(
            asgi_get(front, url, client.cookies, client="192.0.2.7", leave_after=0.5))
        await asyncio.sleep(1.5)
        left_early = leaving.done()
        staying = asyncio.create_task(asgi_get(front, url, client.cookies, client="192.0.2.7"))
        await asyncio.sleep(0.5)
        held = not staying.done()
        staying.cancel()
        leaving.cancel()
        await asyncio.gather(staying, leaving, return_exceptions=True)
        return left_early, held

    left_early, held = run(scenario)

    assert left_early  # the poll ended with its connection, not at its deadline
    assert held  # so the address's one place was free for the next poll
