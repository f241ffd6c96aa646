"""HTTP for provider calls: one deadline for the whole call, every failure a ProviderError.

Neither the ``authy`` nor the ``twilio`` library sets a timeout, and a per-read timeout does
not bound a server that drips one byte a second. Here a call runs under :func:`deadline`;
every request made inside it gets connect and read timeouts no longer than the time left, and
a watchdog shuts the socket down when the deadline passes, whatever the request is doing
(connecting, reading the status line, the headers or the body).

Answers that cannot be what the provider documents are mapped here, once for both
providers: a refused or broken connection and 5xx are ``UNAVAILABLE``, 429 is
``RATE_LIMITED`` with its ``Retry-After``, a body that is not JSON is ``BAD_RESPONSE``.
Other 4xx answers (the provider's own error JSON) go back to the provider, which knows what
its codes mean.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from twofactor.providers.base import ErrorKind, ProviderError

MAX_BODY_BYTES = 256 * 1024

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "provider_deadline", default=None
)
# Sockets of the request in flight, so the watchdog can cut them.
_sockets: contextvars.ContextVar[list[socket.socket] | None] = contextvars.ContextVar(
    "provider_sockets", default=None
)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Run the block under one deadline; an enclosing, earlier deadline still wins."""
    at = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(min(at, outer) if outer is not None else at)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline; raises TIMEOUT once it has passed."""
    at = _deadline.get()
    if at is None:
        return None
    left = at - time.monotonic()
    if left <= 0:
        raise ProviderError(ErrorKind.TIMEOUT)
    return left


def retry_after_seconds(value: str | None) -> int | None:
    """``Retry-After`` as whole seconds (it may be seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() also says yes to "²"
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, round(when.timestamp() - time.time()))


def error_code(body: Any) -> str | None:
    """The provider's error code in a JSON error body (Twilio ``code``, Authy ``error_code``)."""
    if isinstance(body, dict):
        code = body.get("code", body.get("error_code"))
        return None if code is None else str(code)
    return None


def check_answer(response: requests.Response) -> None:
    """Raise the ProviderError an answer means, unless the provider should read it."""
    body: Any = None
    if response.content:
        try:
            body = json.loads(response.content)
        except ValueError:
            if response.status_code < 500:
                raise ProviderError(
                    ErrorKind.BAD_RESPONSE, f"HTTP {response.status_code}, not JSON"
                ) from None
    if 300 <= response.status_code < 400:
        # Never followed: a redirect would carry the API key header to another host.
        raise ProviderError(ErrorKind.BAD_RESPONSE, f"redirect ({response.status_code})")
    if response.status_code == 429:
        raise ProviderError(
            ErrorKind.RATE_LIMITED,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            code=error_code(body),
        )
    if response.status_code >= 500:
        raise ProviderError(
            ErrorKind.UNAVAILABLE, f"HTTP {response.status_code}", code=error_code(body)
        )


def _track(sock: socket.socket | None) -> None:
    sockets = _sockets.get()
    if sockets is not None and sock is not None:
        sockets.append(sock)


class _Tracked:
    """Connection mix-in: tell the watchdog which socket the request is using.

    A new socket is tracked as soon as it is connected, before any TLS handshake (a server
    can drip that too); a kept-alive one when it is used again.
    """

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        _track(sock)
        return sock

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _track(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _cut(sockets: list[socket.socket], fired: threading.Event) -> None:
    fired.set()
    for sock in sockets:
        with contextlib.suppress(OSError):
            # The plain socket method, also for TLS sockets: it only closes the stream.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter that holds every request to the current deadline; ``check`` maps
    the answer (a caller that reads every status itself passes ``check=None``)."""

    def __init__(
        self,
        default_timeout: float = 5.0,
        check: Callable[[requests.Response], None] | None = check_answer,
        **kwargs: Any,
    ) -> None:
        self.default_timeout = default_timeout
        self.check = check
        super().__init__(max_retries=0, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if _deadline.get() is not None:
            return self._send(request, **kwargs)
        with deadline(self.default_timeout):
            return self._send(request, **kwargs)

    def _send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        left = remaining()
        assert left is not None
        kwargs["timeout"] = (left, left)
        kwargs["stream"] = True
        sockets: list[socket.socket] = []
        fired = threading.Event()
        watchdog = threading.Timer(left, _cut, args=(sockets, fired))
        watchdog.daemon = True
        token = _sockets.set(sockets)
        watchdog.start()
        try:
            response = super().send(request, **kwargs)
            response._content = self._read_body(response)
            response._content_consumed = True
        except ProviderError:
            raise
        except (requests.Timeout, requests.ConnectionError, OSError) as error:
            if fired.is_set() or isinstance(error, requests.Timeout):
                raise ProviderError(ErrorKind.TIMEOUT) from error
            raise ProviderError(ErrorKind.UNAVAILABLE, type(error).__name__) from error
        except requests.RequestException as error:
            if fired.is_set():
                raise ProviderError(ErrorKind.TIMEOUT) from error
            raise ProviderError(ErrorKind.BAD_RESPONSE, type(error).__name__) from error
        finally:
            watchdog.cancel()
            _sockets.reset(token)
        if fired.is_set():
            raise ProviderError(ErrorKind.TIMEOUT)
        if self.check is not None:
            self.check(response)
        return response

    @staticmethod
    def _read_body(response: requests.Response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(16 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                response.close()
                raise ProviderError(ErrorKind.BAD_RESPONSE, "answer too large")
            chunks.append(chunk)
        return b"".join(chunks)


def session(default_timeout: float = 5.0) -> requests.Session:
    """A requests Session whose every request is bounded and mapped (see module doc)."""
    bounded = requests.Session()
    adapter = DeadlineAdapter(default_timeout)
    bounded.mount("http://", adapter)
    bounded.mount("https://", adapter)
    return bounded
