"""Waiting for a push's answer without holding a thread: the long poll's other half.

Every change of an attempt's latest request is written to the cache (``poll.remember``) and
announced here (``announce``) with the new value. A browser's held poll, on the event loop
in front of Django (``push.asgi``), waits on an asyncio future, holding
an open socket and nothing else: no thread, no database connection (``Watch``).

How the news travels between app servers:
- with ``REDIS_URL``: Redis pub/sub. ``announce`` publishes the new value on the attempt's
  channel; each worker process keeps ONE subscription (a pattern over every attempt) and
  hands the value to its own waiters, so a woken poll reads nothing. The poll's own reads
  and the subscription share one bounded, blocking connection pool per worker
  (``PUSH_WAIT_REDIS_MAX_CONNECTIONS``): a burst of polls waits for a connection instead of
  opening one each (996 polls once left 1,027 idle connections behind).
- on the embedded default (SQLite and the database cache): short checks of the cache, every
  ``CHECK_SECONDS``, by one task per process that reads every waited key in one query
  (``get_many``), so a thousand waiting browsers cost four small queries a second.

Every wait also ends when the worker stops (``portal.shutdown``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisSerializer

from portal import metrics, shutdown
from twofactor.conf import conf

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.25  # the embedded default's in-process checks
CHANNEL = "push-answer:"
POOL_WAIT_SECONDS = 5  # a poll waits this long at most for a free Redis connection
CLIENT_NAME = "portal-push-wait"  # how the pool's connections show in Redis's CLIENT LIST

_publisher = None
_clients: dict[asyncio.AbstractEventLoop, object] = {}


def _channel_prefix() -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:{CHANNEL}"


def announce(attempt_id: object, value: tuple) -> None:
    """The attempt's latest request changed (sent, answered, expired, withdrawn) to ``value``."""
    if not settings.REDIS_URL:
        return  # waiters check the cache themselves
    global _publisher
    try:
        if _publisher is None:
            import redis

            pool = redis.BlockingConnectionPool.from_url(
                settings.REDIS_URL, max_connections=conf.PUSH_WAIT_REDIS_MAX_CONNECTIONS,
                timeout=1, socket_timeout=1,
            )
            _publisher = redis.Redis(connection_pool=pool)
        _publisher.publish(f"{_channel_prefix()}{attempt_id}", json.dumps(list(value)))
    except Exception:  # the waiter's own deadline still answers; never fail the answer
        log.warning("could not announce a push answer for %s", attempt_id, exc_info=True)


def redis_client():
    """This worker's async Redis client on its bounded, blocking pool (one per event loop)."""
    import redis.asyncio as aioredis

    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        for stale in [other for other in _clients if other.is_closed()]:
            del _clients[stale]  # a finished loop (tests run one per poll) and its pool
        pool = aioredis.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=conf.PUSH_WAIT_REDIS_MAX_CONNECTIONS,
            timeout=POOL_WAIT_SECONDS, client_name=CLIENT_NAME,
        )
        client = _clients[loop] = aioredis.Redis(connection_pool=pool)
    return client


async def read(key: str) -> object:
    """The cached value under ``key`` (None if absent), without a thread under Redis."""
    if not settings.REDIS_URL:
        return await cache.aget(key)
    raw = await redis_client().get(cache.make_and_validate_key(key))
    return None if raw is None else RedisSerializer().loads(raw)


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
        pubsub = redis_client().pubsub()  # holds one connection of the bounded pool
        prefix = _channel_prefix()
        try:
            await pubsub.psubscribe(f"{prefix}*")
            self.ready.set()
            async for message in pubsub.listen():
                if message.get("type") == "pmessage":
                    self._wake(message["channel"].decode()[len(prefix):], message["data"])
        except Exception:
            log.warning("push answer subscription ended", exc_info=True)
        finally:
            self.ready.set()
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _wake(self, attempt_id: str, data: bytes) -> None:
        try:
            value = tuple(json.loads(data))
        except ValueError:
            log.warning("a push answer announcement that is not JSON: %r", data[:100])
            return
        for future in self.waiters.pop(attempt_id, ()):
            if not future.done():
                future.set_result(value)

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
                        future.set_result(values.get(key))


_watcher = _Watcher()


class Watch:
    """Waiting for news of one attempt: ``async with Watch(attempt_id, key) as watch``.

    Under Redis the waiter is registered for the pub/sub message on entry, before the poll's
    one read (``watch.read()``), so no change between the read and the wait is missed and the
    read need not be repeated; the embedded default's checks compare the cache with what the
    poll saw, so they start with the wait."""

    def __init__(self, attempt_id: str, key: str, *, listen: bool = True) -> None:
        self.attempt_id, self.key, self.listen = attempt_id, key, listen
        self.future: asyncio.Future | None = None
        self.checked: asyncio.Future | None = None

    async def __aenter__(self) -> Watch:
        if self.listen and settings.REDIS_URL:
            await _subscription.ensure_listening()
            self.future = _subscription.add(self.attempt_id)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.future is not None:
            _subscription.discard(self.attempt_id, self.future)
        if self.checked is not None:
            _watcher.discard(self.key, self.checked)

    async def read(self) -> object:
        return await read(self.key)

    async def changed(self, seen: object, timeout: float) -> object:
        """Wait up to ``timeout`` seconds (less if the worker stops) for the value to differ
        from ``seen``; return the new value, or ``seen`` if none came."""
        future = self.future
        if future is None:
            future = self.checked = _watcher.add(self.key, seen)
        metrics.HELD_POLLS.inc()
        try:
            await asyncio.wait([future, shutdown.stopping()], timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            metrics.HELD_POLLS.dec()
        return future.result() if future.done() else seen
