"""Django's WSGI handler behind an event loop: one thread hop per request, a bounded pool.

``make serve`` runs one kind of worker (uvicorn's, ``portal.worker``) so the push status's
held poll can wait on the event loop. Everything else is ordinary sync Django, and Django's
own ASGI handler pays for that with a thread hop per sync middleware and view plus its
async request machinery (measured 14.7 ms of server CPU per dashboard against 6.8 ms on
WSGI; ``bench/README.md``). Here the loop reads the request body, then ONE thread of a
bounded pool runs ``portal.wsgi`` start to finish and hands back the whole answer, which the
loop sends. A body larger than ``STREAM_AFTER_BYTES`` (the activity CSV export) is sent
from the thread chunk by chunk instead of being held in memory.

(asgiref's ``WsgiToAsgi`` hops back to the loop for every ``start_response`` and body chunk;
a2wsgi does likewise per message. Neither is wrong; this one does less, and it is small.)
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

MAX_BODY_BYTES = 10 * 1024 * 1024  # nginx's sample allows 1 MB; Django checks its own limits
STREAM_AFTER_BYTES = 256 * 1024
TOO_LARGE = b"Request body too large."
BARRIER_SECONDS = 5  # closing: a thread still busy with a request is not waited for longer

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict], Any]


class ThreadedWsgi:
    """An ASGI application running the WSGI ``app`` in a pool of ``threads`` threads;
    ``thread_exit`` runs on each of them when the pool closes (their database connections)."""

    def __init__(self, app: Callable, threads: int,
                 thread_exit: Callable[[], None] | None = None) -> None:
        self.app = app
        self.threads = threads
        self.thread_exit = thread_exit
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="wsgi")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here: the server refuses the handshake
        body = await _read_body(receive)
        if body is None:
            await _send_whole(send, "413 Payload Too Large",
                              [("Content-Type", "text/plain; charset=utf-8")], [TOO_LARGE])
            return
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(
            self.pool, self._run, environ(scope, body), loop, send
        )
        if answer is not None:
            await _send_whole(send, *answer)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        """Run ``thread_exit`` on every thread of the pool, then end the pool."""
        if self.thread_exit is not None:
            # A barrier of every thread: each task runs on a thread of its own.
            barrier = threading.Barrier(self.threads, timeout=BARRIER_SECONDS)

            def on_each() -> None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
                self.thread_exit()

            for done in [self.pool.submit(on_each) for _ in range(self.threads)]:
                done.result()
        self.pool.shutdown(wait=True)

    def _run(self, environ: dict, loop: asyncio.AbstractEventLoop, send: Send):
        """In a pool thread: the whole WSGI call. Returns (status, headers, chunks) for the
        loop to send, or None when it streamed a large body itself."""
        started: list = []

        def start_response(status: str, headers: list, exc_info: object = None) -> Callable:
            started[:] = [status, headers]
            return _no_write

        result: Iterable[bytes] = self.app(environ, start_response)
        try:
            chunks: list[bytes] = []
            size = 0
            streaming = False
            for chunk in result:
                if streaming:
                    _from_thread(loop, send, {"type": "http.response.body", "body": chunk,
                                              "more_body": True})
                    continue
                chunks.append(chunk)
                size += len(chunk)
                if size > STREAM_AFTER_BYTES:
                    streaming = True
                    _from_thread(loop, send, _start(*started))
                    _from_thread(loop, send, {"type": "http.response.body",
                                              "body": b"".join(chunks), "more_body": True})
            if streaming:
                _from_thread(loop, send, {"type": "http.response.body", "body": b""})
                return None
            return started[0], started[1], chunks
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


def _no_write(data: bytes) -> None:
    raise NotImplementedError("write() is not supported; return the body instead")


def _from_thread(loop: asyncio.AbstractEventLoop, send: Send, message: dict) -> None:
    asyncio.run_coroutine_threadsafe(send(message), loop).result()


def _start(status: str, headers: list[tuple[str, str]]) -> dict:
    return {
        "type": "http.response.start",
        "status": int(status.split(" ", 1)[0]),
        # strip(): Django's WSGI handler writes Set-Cookie as " name=value" (gunicorn strips)
        "headers": [(name.lower().encode("latin-1"), value.strip().encode("latin-1"))
                    for name, value in headers],
    }


async def _send_whole(send: Send, status: str, headers: list, chunks: list[bytes]) -> None:
    await send(_start(status, headers))
    await send({"type": "http.response.body", "body": b"".join(chunks)})


async def _read_body(receive: Receive) -> bytes | None:
    """The request body, or None past ``MAX_BODY_BYTES`` (or if the client went away)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        part = message.get("body", b"")
        size += len(part)
        if size > MAX_BODY_BYTES:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            return b"".join(parts)


def environ(scope: Scope, body: bytes) -> dict:
    """The WSGI environ for an ASGI HTTP scope (PEP 3333: native strings, latin-1)."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    env = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        joiner = "; " if key == "HTTP_COOKIE" else ","
        env[key] = f"{env[key]}{joiner}{value}" if key in env else value
    return env
