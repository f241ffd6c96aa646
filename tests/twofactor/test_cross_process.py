"""The wrong-token lock and the password-guess limit hold across two server processes that
share the database and the cache, as gunicorn workers or hosts behind a load balancer do."""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings

from manage.demo import DEFAULT_PASSWORD
from tests.caches import delete_prefix

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.twofactor.cross_process_settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two `runserver --noreload` processes on one SQLite file (and Redis when configured)."""
    folder = tmp_path_factory.mktemp("cross-process")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "CROSS_PROCESS_CACHE_PREFIX": f"cross-{uuid.uuid4().hex}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    setup = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('createcachetable'); "
        "call_command('seed_demo', verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True, timeout=120)
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            log = open(folder / f"server-{port}.log", "w")  # noqa: SIM115
            processes.append(subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            ))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            wait_until_up(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        if settings.REDIS_URL:  # the servers' counters, which no test's clearing reaches
            delete_prefix(env["CROSS_PROCESS_CACHE_PREFIX"])


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/login/", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


class Browser:
    """One browser (one cookie jar) talking to either server."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=10)

    def post(self, url: str, data: dict | None = None) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.session.get(url.split("/login/")[0] + "/login/", timeout=10)
        token = self.session.cookies["csrftoken"]
        return self.session.post(
            url, data={"csrfmiddlewaretoken": token, **(data or {})},
            headers={"X-CSRFToken": token}, allow_redirects=False, timeout=10,
        )


def test_the_wrong_token_lock_holds_across_two_server_processes(servers):
    a, b = servers
    browser = Browser()
    response = browser.post(f"{a}/login/", {"email": "tech@acme.example",
                                            "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/login/verify/"
    assert browser.post(f"{b}/login/verify/sms/").status_code == 302
    phone = browser.get(f"{a}/dev/phone/").text
    section = phone.split(">tech@acme.example</h2>")[1].split("</section>")[0]
    token = re.search(r"token is (\d+)", section).group(1)
    wrong = "000000" if token != "000000" else "111111"

    statuses = [  # four wrong tokens, split between the processes: the fourth locks
        browser.post(f"{server}/login/verify/", {"token": wrong}).status_code
        for server in (a, b, a, b)
    ]
    assert statuses == [400, 400, 400, 429]

    for server in (a, b):
        refused = browser.post(f"{server}/login/verify/", {"token": token})
        assert refused.status_code == 429
        assert "locked until" in refused.text
    assert browser.get(f"{a}/dashboard/").headers["Location"] == "/login/verify/"


def test_password_guessing_is_limited_across_two_server_processes(servers):
    a, b = servers
    browser = Browser()
    for server in (a, b, a, b):
        guess = browser.post(f"{server}/login/", {"email": "tech@globex.example",
                                                  "password": "a-wrong-guess"})
        assert guess.status_code == 200

    for server in (a, b):
        refused = browser.post(f"{server}/login/", {"email": "tech@globex.example",
                                                    "password": DEFAULT_PASSWORD})
        assert refused.status_code == 429
        assert "Too many sign-in attempts" in refused.text
    assert "sessionid" not in browser.session.cookies
