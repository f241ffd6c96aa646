"""`make serve`, the real command, starts what it says and serves a sign-in end to end: the
password, the held poll answered the moment the push is approved, the landing page. A
reload (SIGHUP to the gunicorn master) and a stop (SIGTERM to the process group) answer
held polls at once; the stop ends everything within seconds.

Production-shaped: the Makefile's own DEPLOY_ENV, DEBUG=0, a temporary SQLite database, the
requests carrying X-Forwarded-Proto as from the TLS proxy (so SSL redirect stays on and
`check --deploy` passes as in production).
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.client import Browser
from bench.flows import follow
from tests.portal.test_production_settings import ROOT

PASSWORD = "portal-demo-2fa"
APPROVE = """
from twofactor.methods.push import approvals
from twofactor.models import ApprovalRequest
approval = ApprovalRequest.objects.filter(attempt__user__email="{email}").latest("created_at")
approvals.record_answer(approval.provider_ref, "approved", provider=approval.provider)
"""


def deploy_env() -> dict[str, str]:
    """The Makefile's DEPLOY_ENV, read from the Makefile itself."""
    text = (ROOT / "Makefile").read_text()
    block = text.split("DEPLOY_ENV :=", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    return dict(pair.split("=", 1) for pair in block.split())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, tmp: Path, **env: str) -> None:
        self.port = free_port()
        self.log = tmp / "serve.log"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
        self.env.update(deploy_env())
        self.env.update(
            DEBUG="0", PORT=str(self.port), WEB_CONCURRENCY="2", ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", REDIS_URL="",
            STATIC_ROOT=str(tmp / "static"), EMAIL_FILE_PATH=str(tmp / "mail"),
            GUNICORN_ACCESS_LOG="",
        )
        self.env.update(env)
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def start(self, command: tuple[str, ...] = ("make", "--no-print-directory", "serve")
              ) -> None:
        self.process = subprocess.Popen(
            list(command), cwd=ROOT, env=self.env,
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"make serve did not listen in time:\n{self.log.read_text()}")

    def group_alive(self) -> bool:
        self.process.poll()  # reap make itself: a zombie would still count
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None and self.group_alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served(tmp_path_factory.mktemp("serve"))
    server.manage("migrate", "--no-input", "-v", "0")
    server.manage("seed_demo", "--password", PASSWORD)
    server.start()
    yield server
    server.stop()


def pending_sign_in(port: int, email: str) -> tuple[Browser, str]:
    browser = Browser(port)
    browser.get("/login/")
    response = browser.post("/login/", {"email": email, "password": PASSWORD})
    assert (response.status, response.location) == (302, "/login/verify/")
    page = browser.get("/login/verify/")
    url = re.search(r'data-status-url="([^"]+)"', page.body).group(1).replace("&amp;", "&")
    assert "sig=" in url  # the signed poll the held path answers
    return browser, url


def held_poll(port: int, browser: Browser, url: str, into: dict) -> threading.Thread:
    """Ask as the page's script does, in a thread; ``into`` gets the answer and the time."""

    def ask() -> None:
        started = time.monotonic()
        poller = Browser(port, timeout=40)
        poller.cookies = dict(browser.cookies)
        response = poller.get(f"{url}&wait=1&seen=pending")
        into.update(status=response.status, body=json.loads(response.body),
                    seconds=time.monotonic() - started, at=time.monotonic())
        poller.close()

    thread = threading.Thread(target=ask)
    thread.start()
    return thread


def test_make_serve_runs_the_front_on_uvicorn_workers(served):
    deadline = time.monotonic() + 30
    while served.log.read_text().count("Application startup complete") < 2:
        assert time.monotonic() < deadline, served.log.read_text()  # WEB_CONCURRENCY=2
        time.sleep(0.2)
    log = served.log.read_text()

    assert "Using worker: portal.worker.PortalWorker" in log
    assert log.count("Booting worker with pid") == 2
    assert Browser(served.port).get("/login/").status == 200


def test_a_sign_in_end_to_end_with_the_held_poll(served):
    browser, url = pending_sign_in(served.port, "tech@acme.example")
    answer: dict = {}
    polling = held_poll(served.port, browser, url, answer)
    time.sleep(1.5)
    assert polling.is_alive()  # held, not answered "pending" at once

    approved_at = time.monotonic()
    served.manage("shell", "-c", APPROVE.format(email="tech@acme.example"))
    polling.join(timeout=30)

    assert answer["status"] == 200
    assert answer["body"]["status"] == "approved" and answer["body"]["final"] is True
    assert answer["at"] - approved_at < 25  # answered by the approval, not its deadline
    signed_in = browser.post("/login/verify/", {"action": "check"})
    assert signed_in.status == 302
    landing = follow(browser, browser.get(signed_in.location))
    assert landing.status == 200
    assert "<h1>Acme IT</h1>" in landing.body


def gunicorn_master(served) -> int:
    """The gunicorn master: the process of the group whose command is gunicorn's and whose
    parent is make."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2:].split()[1])
            if parent == served.process.pid and b"gunicorn" in command:
                return int(entry.name)
    raise AssertionError("no gunicorn under make serve")


def test_a_reload_answers_held_polls_at_once_and_keeps_serving(served):
    browser, url = pending_sign_in(served.port, "user@contoso.example")
    answer: dict = {}
    polling = held_poll(served.port, browser, url, answer)
    time.sleep(1.5)
    assert polling.is_alive()
    booted = served.log.read_text().count("Booting worker with pid")

    reloaded_at = time.monotonic()
    os.kill(gunicorn_master(served), signal.SIGHUP)  # systemctl reload
    polling.join(timeout=30)

    assert answer["status"] == 200 and answer["body"]["status"] == "pending"
    assert answer["body"]["retry"] > 0 and answer["at"] - reloaded_at < 3  # ask again
    deadline = time.monotonic() + 30
    while served.log.read_text().count("Booting worker with pid") < booted + 2:
        assert time.monotonic() < deadline, served.log.read_text()[-2000:]
        time.sleep(0.2)
    assert Browser(served.port).get("/login/").status == 200


def test_a_stop_answers_held_polls_at_once_and_ends_everything_in_seconds(served):
    browser, url = pending_sign_in(served.port, "admin@acme.example")
    answer: dict = {}
    polling = held_poll(served.port, browser, url, answer)
    time.sleep(1.5)
    assert polling.is_alive()

    stopped_at = time.monotonic()
    os.killpg(served.process.pid, signal.SIGTERM)
    polling.join(timeout=30)
    while served.group_alive() and time.monotonic() - stopped_at < 30:
        time.sleep(0.1)
    ended = time.monotonic() - stopped_at

    assert answer["status"] == 200
    assert answer["body"]["status"] == "pending" and answer["body"]["retry"] > 0  # ask again
    assert answer["at"] - stopped_at < 3
    assert ended < 5  # not the 25 s of a held poll, nor gunicorn's 30 s graceful timeout
