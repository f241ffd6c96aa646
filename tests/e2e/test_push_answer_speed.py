"""Under ASGI (uvicorn, as `make serve` runs it) the challenge page learns of an approval
while its long poll is held: it lands on the signed-in page within a generous bound, and
no status request follows the approval. The sub-second figure is measured by the bench (W6).
"""

import re
import socket
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from twofactor.methods.push import approvals
from twofactor.models import ApprovalRequest
from twofactor.providers.base import ApprovalStatus

pytestmark = pytest.mark.browser

EMAIL = "tech@acme.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def asgi_server(seeded):
    """make serve's application (portal.asgi) under uvicorn, on a free loopback port."""
    import uvicorn

    from portal.asgi import build

    application, pages = build(4)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off",
                       log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    pages.close()  # its threads' database connections too


def test_an_approval_lands_the_page_with_no_status_request_after_it(browser, seeded, asgi_server):
    context = browser.new_context(base_url=asgi_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    asked: list[float] = []

    def note(request) -> None:
        if "/login/verify/status/" in request.url:
            asked.append(time.monotonic())

    page.on("request", note)
    log_in(page, EMAIL, seeded)
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    expect(page.get_by_role("status")).to_contain_text("pending")
    deadline = time.monotonic() + 10
    while not asked:  # the page's long poll is out and held
        assert time.monotonic() < deadline, "the page never asked for the push's answer"
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)

    approval = ApprovalRequest.objects.filter(user__email=EMAIL).latest("created_at")
    approved_at = time.monotonic()
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED,
                            provider=approval.provider)

    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    landed = time.monotonic() - approved_at
    context.close()
    assert landed < 3, f"the page took {landed:.2f} s to land after the approval"
    assert [t for t in asked if t > approved_at] == [], "a status request followed the approval"
