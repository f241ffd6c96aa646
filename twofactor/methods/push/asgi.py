"""The push status's long poll, served in front of Django under ASGI.

Django runs sync-only middleware (sessions, WhiteNoise, ...) in threads, so a poll held
inside Django would hold a thread. This layer answers the page's signed poll before Django
sees it: it checks the signature against the session cookie, waits on the event loop for
the answer (``poll.answer_when_changed``), and replies with a small JSON body and the same
headers the poll has under WSGI. Anything it cannot answer (no signature, a newer request,
a provider to be polled) goes to Django, which answers the long way; so does a poll
this layer cannot answer because the cache is down.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from portal.cache import CACHE_ERRORS
from twofactor.methods.push import poll

HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", poll.NEVER_CACHE.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"x-accel-buffering", b"no"),  # a held answer goes out the moment it is ready
]


def with_long_poll(django_app):
    """Wrap Django's ASGI application so the push status is answered (and held) here."""

    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == poll.PATH:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            try:
                known = await poll.answer_when_changed(query, _cookies(scope))
            except CACHE_ERRORS:  # Redis is down: Django answers the long way (or a 503)
                known = None
            if known is not None:
                body = json.dumps(poll.body_of(known, retry_ms=0)).encode()
                headers = [*HEADERS, (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await django_app(scope, receive, send)

    return application


def _cookies(scope) -> dict[str, str]:
    raw = b"; ".join(value for name, value in scope.get("headers", ()) if name == b"cookie")
    jar = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed cookie header: no session, so the long way
        return {}
    return {name: morsel.value for name, morsel in jar.items()}
