"""Waiting for a push's answer without holding a thread: the long poll's other half.

Every change of an attempt's latest request is written to the cache (``poll.remember``) and
announced here (``announce``). A browser's long poll, served by an async view under ASGI,
waits in ``until_changed`` on an asyncio future, holding an open socket and nothing else: no
thread, no database connection.

How the news travels between app servers:
- with ``REDIS_URL``: Redis pub/sub. ``announce`` publishes on the attempt's channel; each
  worker process keeps ONE subscription (a pattern over every attempt) and wakes the
  futures of its own waiters. An answer recorded on one host reaches a browser waiting on
  another at once. (PostgreSQL LISTEN/NOTIFY would do too, but it needs a dedicated
  connection per process outside Django's pool, and Redis is already the production cache.)
- on the embedded default (SQLite and the database cache): short checks of the cache, every
  ``CHECK_SECONDS``, by one task per process that reads every waited key in one query
  (``get_many``), so a thousand waiting browsers cost four small queries a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache

from portal import metrics

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.25  # the embedded default's in-process checks
CHANNEL = "push-answer:"

_publisher = None


def _channel_prefix() -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:{CHANNEL}"


def announce(attempt_id: object) -> None:
    """The attempt's latest request changed (sent, answered, expired, withdrawn)."""
    if not settings.REDIS_URL:
        return  # waiters check the cache themselves
    global _publisher
    try:
        if _publisher is None:
            import redis

            _publisher = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1)
        _publisher.publish(f"{_channel_prefix()}{attempt_id}", b"1")
    except Exception:  # the waiter's own deadline still answers; never fail the answer
        log.warning("could not announce a push answer for %s", attempt_id, exc_info=True)


class _Subscription:
    """One Redis pattern subscription per process, shared by every waiter in it."""

    def __init__(self) -> None:
        self.waiters: dict[str, set[asyncio.Future]] = defaultdict(set)
        self.task: asyncio.Task | None = None
        self.ready: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.loop is not loop:
            self.loop, self.ready = loop, asyncio.Event()
            self.task = loop.create_task(self._listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), 1)

    async def _listen(self) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(settings.REDIS_URL)
        pubsub = client.pubsub()
        prefix = _channel_prefix()
        try:
            await pubsub.psubscribe(f"{prefix}*")
            self.ready.set()
            async for message in pubsub.listen():
                if message.get("type") != "pmessage":
                    continue
                attempt_id = message["channel"].decode()[len(prefix):]
                for future in self.waiters.pop(attempt_id, ()):
                    if not future.done():
                        future.set_result(True)
        except Exception:
            log.warning("push answer subscription ended", exc_info=True)
        finally:
            self.ready.set()
            with contextlib.suppress(Exception):
                await pubsub.aclose()
                await client.aclose()

    def add(self, attempt_id: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters[attempt_id].add(future)
        return future

    def discard(self, attempt_id: str, future: asyncio.Future) -> None:
        waiting = self.waiters.get(attempt_id)
        if waiting is not None:
            waiting.discard(future)
            if not waiting:
                self.waiters.pop(attempt_id, None)


_subscription = _Subscription()


class _Watcher:
    """The embedded default's checks: one task per process reads all waited keys at once."""

    def __init__(self) -> None:
        self.waiters: dict[str, set[tuple[object, asyncio.Future]]] = defaultdict(set)
        self.task: asyncio.Task | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def add(self, key: str, seen: object) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.loop is not loop:
            self.loop, self.task = loop, loop.create_task(self._watch())
        future = loop.create_future()
        self.waiters[key].add((seen, future))
        return future

    def discard(self, key: str, future: asyncio.Future) -> None:
        waiting = self.waiters.get(key)
        if waiting is not None:
            waiting.difference_update({entry for entry in waiting if entry[1] is future})
            if not waiting:
                self.waiters.pop(key, None)

    async def _watch(self) -> None:
        while self.waiters:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                values = await cache.aget_many(list(self.waiters))
            except Exception:
                log.warning("could not check waited push answers", exc_info=True)
                continue
            for key, waiting in list(self.waiters.items()):
                for seen, future in list(waiting):
                    if values.get(key) != seen and not future.done():
                        future.set_result(True)


_watcher = _Watcher()


async def until_changed(attempt_id: str, key: str, seen: object, timeout: float) -> object:
    """Wait up to ``timeout`` seconds for the cached value under ``key`` to differ from
    ``seen``; return the value then (or at the deadline)."""
    if settings.REDIS_URL:
        await _subscription.ensure_listening()
        future = _subscription.add(attempt_id)
        release = _subscription.discard
        token = attempt_id
    else:
        future = _watcher.add(key, seen)
        release = _watcher.discard
        token = key
    metrics.HELD_POLLS.inc()  # until the finally below
    try:
        value = await cache.aget(key)  # after registering: no change is missed
        if value != seen:
            return value
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(future, timeout)
    finally:
        release(token, future)
        metrics.HELD_POLLS.dec()
    return await cache.aget(key)
