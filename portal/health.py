"""Liveness and readiness, for load balancers and orchestrators: ``/healthz`` and ``/readyz``.

``/healthz`` says only that this process answers: it touches no database, cache or Redis,
so a database restart never gets healthy workers killed. ``/readyz`` checks what a sign-in
needs: the database (``SELECT 1`` on one connection per process kept for it), the cache,
and with ``REDIS_URL`` Redis pub/sub (how push answers reach held polls). Each part is
checked in its own thread, side by side, all within ``HEALTH_CHECK_TIMEOUT_SECONDS``, so a
dead or silent server costs the caller at most that. Checks never pile up: a request
arriving while a part's check is still running waits for that same check.

The body names each part's state ("ok", "failed", "timeout"), never an error's text, which
could carry a host name or a user name; the reason goes to the log when a part's state
changes (not once a second while it stays down).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.http import JsonResponse

log = logging.getLogger(__name__)

LIVE_PATH = "/healthz"
READY_PATH = "/readyz"
PROBE_KEY = "portal:readyz"

_executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="readyz")
_lock = threading.Lock()
_running: dict[str, Future] = {}
_redis_clients: dict[str, object] = {}
_probe: tuple[dict, object] | None = None  # the database probe's settings and connection
_last_states: dict[str, str] = {}


def check_database() -> None:
    """SELECT 1 on the probe's own connection (outside any pool, with a connect timeout),
    kept between checks; if it fails, once more on a new one, as the next request would."""
    global _probe
    config = _probe_config()
    if _probe is not None and _probe[0] == config:
        try:
            _select_one(_probe[1])
            return
        except Exception:
            _probe[1].close()  # a connection from before a restart: try a new one
    _probe = None
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, DEFAULT_DB_ALIAS)
    wrapper.inc_thread_sharing()  # checks run one at a time, but not always in one thread
    try:
        _select_one(wrapper)
    except Exception:
        wrapper.close()
        raise
    _probe = (config, wrapper)


def _probe_config() -> dict:
    config = {**connections.settings[DEFAULT_DB_ALIAS]}
    options = {**config.get("OPTIONS", {})}
    options.pop("pool", None)  # the probe must not build a pool of its own
    if "postgresql" in config["ENGINE"]:
        options["connect_timeout"] = max(1, math.ceil(settings.HEALTH_CHECK_TIMEOUT_SECONDS))
    config["OPTIONS"] = options
    return config


def _select_one(wrapper) -> None:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    """One read from the shared cache (Redis, or the database cache's table)."""
    try:
        cache.get(PROBE_KEY)
    finally:
        connections.close_all()  # this thread's, for the database cache: none kept idle here


def check_pubsub() -> None:
    """One PUBLISH to Redis, the way push answers are announced to held polls."""
    import redis

    url = settings.REDIS_URL
    client = _redis_clients.get(url)
    if client is None:
        timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
        client = _redis_clients[url] = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
    client.publish(PROBE_KEY, b"")


def _parts() -> dict[str, Callable[[], None]]:
    parts = {"database": check_database, "cache": check_cache}
    if settings.REDIS_URL:
        parts["pubsub"] = check_pubsub
    return parts


def _start(name: str, check: Callable[[], None]) -> Future:
    """The running check of ``name``, or a new one: at most one per part in flight."""
    with _lock:
        future = _running.get(name)
        if future is None or future.done():
            future = _running[name] = _executor.submit(check)
        return future


def readiness() -> dict[str, str]:
    """Each part's state: "ok", "failed" or "timeout"."""
    futures = {name: _start(name, check) for name, check in _parts().items()}
    wait(futures.values(), timeout=settings.HEALTH_CHECK_TIMEOUT_SECONDS)
    states = {}
    for name, future in futures.items():
        error = future.exception() if future.done() else None
        states[name] = "timeout" if not future.done() else "failed" if error else "ok"
        if states[name] != _last_states.get(name, "ok"):  # a probe a second: log changes only
            _log_change(name, states[name], error)
        _last_states[name] = states[name]
    return states


def _log_change(name: str, state: str, error: BaseException | None) -> None:
    if state == "ok":
        log.warning("readiness: %s is back", name)
    elif error is not None:
        log.warning("readiness: %s failed: %s: %s", name, type(error).__name__, error)
    else:
        log.warning("readiness: %s did not answer within %s s", name,
                    settings.HEALTH_CHECK_TIMEOUT_SECONDS)


def live_response() -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def ready_response() -> JsonResponse:
    states = readiness()
    failed = [name for name, state in states.items() if state != "ok"]
    body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": states}
    return _no_store(JsonResponse(body, status=503 if failed else 200))


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response
