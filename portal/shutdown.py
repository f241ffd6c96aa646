"""The worker is stopping: one future per event loop that held requests also wait on.

uvicorn answers SIGTERM (and a worker's last request before recycling) by closing its
listening socket and then waiting for the requests in flight, lifespan shutdown only after
them; a push status poll held for up to 25 s would keep a stopping worker, and a restart,
waiting that long. ``portal.worker`` calls ``begin`` as its shutdown starts; a held poll
waits on ``stopping()`` beside its own answer and replies at once ("ask again").
"""

from __future__ import annotations

import asyncio

_futures: dict[asyncio.AbstractEventLoop, asyncio.Future] = {}


def stopping() -> asyncio.Future:
    """Done once this loop's worker is stopping (await it beside what you wait for)."""
    loop = asyncio.get_running_loop()
    future = _futures.get(loop)
    if future is None or loop.is_closed():
        future = _futures[loop] = loop.create_future()
    return future


def has_begun() -> bool:
    """Whether this loop's worker is stopping (a new poll is then answered at once)."""
    future = _futures.get(asyncio.get_running_loop())
    return future is not None and future.done()


def begin() -> None:
    """The worker is stopping: every waiter on ``stopping()`` wakes (call on the loop)."""
    future = stopping()
    if not future.done():
        future.set_result(True)
