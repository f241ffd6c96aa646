"""The push status's long poll: under ASGI a poll that says what the page shows is held until
the answer changes (and answered the moment it does); under WSGI it is answered at once with
a short "ask again" hint. Either way nothing is held for a provider that must be polled."""

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests.signing_in import enter_password, latest_approval
from twofactor.methods.push import approvals, poll
from twofactor.providers.base import ApprovalStatus

pytestmark = pytest.mark.django_db(transaction=True)


def poll_url(client) -> str:
    page = client.get("/login/verify/").content.decode()
    return page.split('data-status-url="', 1)[1].split('"', 1)[0].replace("&amp;", "&")


@dataclass
class Reply:
    status_code: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


async def asgi_get(app, url: str, cookies, *, host: str = "testserver",
                   client: str = "127.0.0.1", leave_after: float | None = None) -> Reply:
    """One GET through an ASGI application, as a server would call it (the client hanging up
    after ``leave_after`` seconds if given: then a Reply with status 0 if nothing came)."""
    path, _, query = url.partition("?")
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "server": ("testserver", 80),
        "client": (client, 50000),
        "headers": [(b"host", host.encode()), (b"cookie", cookie.encode())],
    }
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        if leave_after is not None:
            await asyncio.sleep(leave_after)
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # the client stays connected until the reply

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is None:
        return Reply(0, {}, b"")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return Reply(start["status"], headers, body)


def held_get(client, url: str):
    """GET through the portal's ASGI application (portal.asgi, as uvicorn serves it), with
    the browser's cookies."""
    from portal.asgi import build

    application, pages = build(2)
    try:
        # Its own thread and loop: a browser test's Playwright may hold this thread's loop.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, asgi_get(application, url, client.cookies)).result()
    finally:
        pages.close()  # its threads' database connections too


def answer_later(approval, status: ApprovalStatus, seconds: float) -> threading.Thread:
    def answer():
        time.sleep(seconds)
        approvals.record_answer(approval.provider_ref, status, provider=approval.provider)

    thread = threading.Thread(target=answer)
    thread.start()
    return thread


def test_a_held_poll_answers_the_moment_the_phone_approves(client, demo_world):
    enter_password(client)
    url = poll_url(client)
    approval = latest_approval(client)
    answering = answer_later(approval, ApprovalStatus.APPROVED, 0.5)

    started = time.monotonic()
    response = held_get(client, f"{url}&wait=1&seen=pending")
    held = time.monotonic() - started
    answering.join()

    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["final"] is True
    assert held >= 0.4  # it waited for the answer instead of answering "pending"
    assert held < 0.5 + 4  # and answered it well before its 25 s deadline (generous slack)
    assert response["X-Accel-Buffering"] == "no"


def test_a_poll_that_shows_an_older_status_is_answered_at_once(client, demo_world):
    enter_password(client)
    url = poll_url(client)

    started = time.monotonic()
    response = held_get(client, f"{url}&wait=1&seen=none")

    assert response.json()["status"] == "pending"
    assert time.monotonic() - started < 4
    assert response.json()["retry"] == 0  # ask again at once: the next one is held


def test_a_held_poll_ends_when_the_request_expires(client, demo_world, settings):
    settings.ONETOUCH_EXPIRY_SECONDS = 1
    enter_password(client)
    url = poll_url(client)

    response = held_get(client, f"{url}&wait=1&seen=pending")

    assert response.json()["status"] == "expired"


def test_under_wsgi_the_poll_answers_at_once_and_says_when_to_ask_again(client, demo_world):
    enter_password(client)
    url = poll_url(client)

    started = time.monotonic()
    body = client.get(f"{url}&wait=1&seen=pending").json()

    assert body["status"] == "pending" and body["retry"] == poll.WSGI_RETRY_MS
    assert time.monotonic() - started < 4


def test_a_polled_provider_is_never_held(fake_provider_polled, client, demo_world):
    enter_password(client)
    url = poll_url(client)

    started = time.monotonic()
    response = held_get(client, f"{url}&wait=1&seen=pending")

    assert response.json()["status"] == "pending"
    assert time.monotonic() - started < 4  # the long way answered; the provider was asked
    assert fake_provider_polled.asked_count("approval_status") == 1


@pytest.fixture
def fake_provider_polled(fake_provider):
    fake_provider.set(polled_for_answers=True)
    return fake_provider
