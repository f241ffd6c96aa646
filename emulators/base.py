"""A small loopback HTTP server that the provider emulators build on.

Each emulator is a :class:`Emulator` subclass with a ``handle(request) -> Reply`` method. The
server listens on 127.0.0.1 on a free port, runs as a context manager, records every exchange,
and has fault switches that tests flip at run time (``emulator.faults.hang = True``) to make
it misbehave the way real services do: never answer, drip one byte at a time, answer 5xx or
429, send garbage, send the provider's own error JSON, or stop listening altogether.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Faults:
    """Switches a test flips to make the next requests fail; ``reset()`` turns all off."""

    hang: bool = False  # accept the request, never answer
    drip: float = 0.0  # seconds between bytes of the whole answer (0: off)
    delay: float = 0.0  # seconds to wait before answering
    status_5xx: int | None = None  # answer with this 5xx status
    status_429: int | None = None  # answer 429 with this Retry-After (seconds)
    garbage: bool = False  # answer 200 with a body that is not JSON
    error_json: tuple[int, int | str] | None = None  # (HTTP status, provider error code)

    def reset(self) -> None:
        for name, value in Faults().__dict__.items():
            setattr(self, name, value)


@dataclass
class Request:
    """One parsed request as the emulator sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def form_value(self, name: str, default: str | None = None) -> str | None:
        return self.form.get(name, [default])[0]

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """What the emulator answers: a status, a JSON-able body (or raw bytes), headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", "application/json"
        if isinstance(self.body, bytes):
            return self.body, "text/html; charset=utf-8"
        # Compact separators, like the real services (the authy library string-matches them).
        return json.dumps(self.body, separators=(",", ":")).encode(), "application/json"


@dataclass
class Exchange:
    """A request and the reply it got, kept so tests can check what was sent and answered."""

    request: Request
    reply: Reply | None


class Emulator:
    """Base class: start/stop, fault switches, request recording; subclasses answer."""

    name = "emulator"

    def __init__(self) -> None:
        self.faults = Faults()
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- life cycle --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int = 0) -> Emulator:
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hung and dripping handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def refuse(self) -> None:
        """Stop listening: the port is closed, so connections are refused."""
        self.stop()

    def serve_forever(self, port: int = 0) -> None:
        """Serve in the foreground until interrupted (``run_emulator``)."""
        self.start(port)
        try:
            self._stopping.wait()
        finally:
            self.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what subclasses provide ---------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, code: int | str, message: str = "") -> Reply:
        """The provider's documented error JSON for ``status`` with ``code``."""
        return Reply(status, {"code": code, "message": message or "Error", "status": status})

    # -- serving -------------------------------------------------------------------------

    def _answer(self, request: Request) -> Reply | None:
        faults = self.faults
        if faults.hang:
            return None
        if faults.delay:
            self._stopping.wait(faults.delay)
        if faults.status_5xx:
            return Reply(faults.status_5xx, b"<html><body>Service Unavailable</body></html>")
        if faults.status_429 is not None:
            reply = self.error_reply(429, self.rate_limit_code, "Too many requests")
            reply.headers["Retry-After"] = str(faults.status_429)
            return reply
        if faults.garbage:
            return Reply(200, b"<html><body>Welcome to nginx!</body></html>")
        if faults.error_json:
            status, code = faults.error_json
            return self.error_reply(status, code)
        with self._lock:
            return self.handle(request)

    rate_limit_code: int | str = 429

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            server_version = f"{emulator.name}-emulator"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet in tests

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=url.path,
                    query=parse_qs(url.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = emulator._answer(request)
                with emulator._lock:
                    emulator.exchanges.append(Exchange(request, reply))
                if reply is None:
                    emulator._stopping.wait()  # hang: never answer
                    return
                self._write(reply)

            def _write(self, reply: Reply) -> None:
                body, content_type = reply.encode()
                head = [f"HTTP/1.0 {reply.status} {self.responses.get(reply.status, ('',))[0]}"]
                headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
                headers.update(reply.headers)
                head += [f"{k}: {v}" for k, v in headers.items()]
                raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
                drip = emulator.faults.drip
                try:
                    if not drip:
                        self.wfile.write(raw)
                        return
                    for i in range(len(raw)):
                        self.wfile.write(raw[i : i + 1])
                        self.wfile.flush()
                        if emulator._stopping.wait(drip):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
