"""The push status's held poll, served on the event loop in front of Django (make serve).

Django runs on threads behind this layer (``portal.threaded_wsgi``), so a poll held inside
Django would hold a thread. This layer answers the page's signed poll before Django sees
it: it checks the Host header as Django would, the signature against the session cookie,
waits on the event loop for the answer (``poll.answer_when_changed``), and replies with a
small JSON body and the same headers the poll has under WSGI. Bounds:

- each poll is answered by ``poll.WAIT_SECONDS`` after it ARRIVED, whatever it waited on;
- at most ``PUSH_WAIT_MAX_PER_ADDRESS`` polls are held per client address and worker; more
  are answered at once with a ``retry`` hint;
- when the worker stops (``portal.shutdown``), held polls are answered at once and new ones
  are not held: the page asks again, of a worker that is not stopping.

Anything it cannot answer (another host, no signature, a newer request, a provider to be
polled) goes to Django, which answers the long way (a wrong host: Django's 400).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from portal import shutdown
from portal.request_info import client_ip_of
from twofactor.conf import conf
from twofactor.methods.push import poll

HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", poll.NEVER_CACHE.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"x-accel-buffering", b"no"),  # a held answer goes out the moment it is ready
]
CROWDED_RETRY_MS = 3000  # over the per-address cap: a short poll, this often
STOPPING_RETRY_MS = 500  # the worker is stopping: the next ask reaches another one
BUSY = {"status": "busy", "final": False, "retry": 1000,
        "message": "The server is busy; asking again in a moment."}
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]  # Django's own, with DEBUG and no list

log = logging.getLogger(__name__)
_held: Counter[str] = Counter()


def with_long_poll(app: Callable) -> Callable:
    """Wrap an ASGI application so the push status is answered (and held) here."""

    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == poll.PATH:
            until = asyncio.get_running_loop().time() + poll.WAIT_SECONDS  # from arrival
            headers = _headers(scope)
            if _host_allowed(headers):
                client = _Client(receive)
                with _slot(_client(scope, headers)) as held:
                    status, body = await client.unless_gone(_answer(scope, headers, until, held))
                if status:
                    await _reply(send, status, body)
                    return
                if client.gone:
                    return  # nobody to answer: its slot and its waiter are free already
                receive = client.replay
        await app(scope, receive, send)

    return application


class _Client:
    """Watches the connection while a poll is held: a browser that leaves (a page closed, a
    proxy giving up) frees its place under the cap at once, not at the poll's deadline."""

    def __init__(self, receive: Callable) -> None:
        self.receive = receive
        self.received: list[dict] = []
        self.gone = False

    async def unless_gone(self, work) -> tuple[int, dict | None]:
        """``work``'s answer, or (0, None) once the client has disconnected."""
        answering = asyncio.ensure_future(work)
        watching = asyncio.ensure_future(self._until_disconnect())
        try:
            await asyncio.wait([answering, watching], return_when=asyncio.FIRST_COMPLETED)
        finally:
            watching.cancel()
        if not answering.done():
            answering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await answering
            return 0, None
        return answering.result()

    async def _until_disconnect(self) -> None:
        while True:
            message = await self.receive()
            self.received.append(message)
            if message["type"] == "http.disconnect":
                self.gone = True
                return

    async def replay(self) -> dict:
        """``receive`` for the long way: first what was read while the poll was held."""
        if self.received:
            return self.received.pop(0)
        return await self.receive()


async def _answer(scope, headers: dict[str, str], until: float, held: bool
                  ) -> tuple[int, dict | None]:
    """(200, body), (503, busy body), or (0, None) for the long way."""
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    hold = held and not shutdown.has_begun()
    try:
        known = await poll.answer_when_changed(query, _cookies(headers), until=until, hold=hold)
    except TimeoutError:
        return 503, BUSY  # not even a first read by the deadline (Redis waited on)
    except Exception:  # Redis or the database unreachable: ask again, never a 500
        log.warning("a held poll could not read the push's status", exc_info=True)
        return 503, BUSY
    if known is None:
        return 0, None
    retry = STOPPING_RETRY_MS if shutdown.has_begun() else 0 if held else CROWDED_RETRY_MS
    return 200, poll.body_of(known, retry_ms=retry)


async def _reply(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    headers = [*HEADERS, (b"content-length", str(len(data)).encode())]
    if status == 503:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


@contextlib.contextmanager
def _slot(address: str) -> Iterator[bool]:
    """Whether this poll may be held: the address holds fewer than the cap (counted until
    the poll ends)."""
    if _held[address] >= conf.PUSH_WAIT_MAX_PER_ADDRESS:
        yield False
        return
    _held[address] += 1
    try:
        yield True
    finally:
        _held[address] -= 1
        if not _held[address]:
            del _held[address]


def _headers(scope) -> dict[str, str]:
    """The request's headers by lower-case name (repeated ones joined, as Django's META)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        joiner = "; " if name == "cookie" else ","
        headers[name] = f"{headers[name]}{joiner}{value}" if name in headers else value
    return headers


def _host_allowed(headers: dict[str, str]) -> bool:
    """``HttpRequest.get_host``'s check: the host (X-Forwarded-Host if trusted) against
    ALLOWED_HOSTS."""
    host = headers.get("host", "")
    if settings.USE_X_FORWARDED_HOST and "x-forwarded-host" in headers:
        host = headers["x-forwarded-host"]
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = DEBUG_HOSTS
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _client(scope, headers: dict[str, str]) -> str:
    """The client's address as the rate limits read it (``portal.request_info``)."""
    meta = {"REMOTE_ADDR": (scope.get("client") or ("",))[0],
            "HTTP_X_FORWARDED_FOR": headers.get("x-forwarded-for", "")}
    return client_ip_of(meta)


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header: no session, so the long way
        return {}
    return {name: morsel.value for name, morsel in jar.items()}
