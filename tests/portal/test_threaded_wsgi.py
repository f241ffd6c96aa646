"""make serve's front runs Django's WSGI handler in a thread pool: what a WSGI application
sees and answers arrives intact (headers, cookies, a non-ASCII path, a large streamed body),
each request runs in one pool thread, and an oversized body is refused with a clear 413."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from portal.threaded_wsgi import MAX_BODY_BYTES, STREAM_AFTER_BYTES, ThreadedWsgi


def call(app, *, path="/", body=b"", headers=(), method="POST"):
    scope = {"type": "http", "method": method, "path": path, "query_string": b"a=1",
             "root_path": "", "scheme": "https", "http_version": "1.1",
             "server": ("127.0.0.1", 8000), "client": ("192.0.2.1", 5000),
             "headers": list(headers)}
    chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)] or [b""]
    incoming = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)]
    sent = []

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    # Its own thread and loop: a browser test's Playwright may hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start, data, sent


def test_the_wsgi_app_sees_the_request_as_a_wsgi_server_would_give_it():
    seen = {}

    def app(environ, start_response):
        seen.update(environ, body=environ["wsgi.input"].read(),
                    thread_name=threading.current_thread().name)
        start_response("201 Created", [("Set-Cookie", " a=b; Path=/"), ("X-One", "1")])
        return [b"made"]

    start, data, _ = call(ThreadedWsgi(app, 2), path="/p\u00e9", body=b"x=1",
                          headers=[(b"cookie", b"s=1"), (b"cookie", b"t=2"),
                                   (b"content-type", b"application/x-www-form-urlencoded")])

    assert start["status"] == 201 and data == b"made"
    assert (b"set-cookie", b"a=b; Path=/") in start["headers"]  # no leading space
    assert seen["PATH_INFO"] == "/p\u00e9".encode().decode("latin-1")  # PEP 3333
    assert seen["HTTP_COOKIE"] == "s=1; t=2" and seen["QUERY_STRING"] == "a=1"
    assert seen["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert seen["REMOTE_ADDR"] == "192.0.2.1" and seen["wsgi.url_scheme"] == "https"
    assert seen["body"] == b"x=1"
    assert seen["thread_name"].startswith("wsgi")  # a pool thread, not the loop's


def test_a_large_body_is_streamed_from_the_thread_intact():
    chunk = b"0123456789abcdef" * 4096  # 64 KB

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])
        return (chunk for _ in range(10))

    start, data, sent = call(ThreadedWsgi(app, 1), method="GET")

    assert start["status"] == 200 and data == chunk * 10
    assert len(data) > STREAM_AFTER_BYTES
    assert len([m for m in sent if m["type"] == "http.response.body"]) > 2  # in pieces


def test_an_oversized_body_is_refused_with_a_clear_413():
    called = []

    def app(environ, start_response):
        called.append(True)
        start_response("200 OK", [])
        return [b""]

    start, data, _ = call(ThreadedWsgi(app, 1), body=b"x" * (MAX_BODY_BYTES + 1))

    assert start["status"] == 413 and data == b"Request body too large."
    assert not called
