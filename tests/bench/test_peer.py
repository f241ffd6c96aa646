"""The benchmark's peer (bench/peer/) really checks the second factor: its page answers a
verified session and sends a signed-in but unverified one to two_factor's sign-in.

The peer has its own settings, and one process cannot hold two, so the check runs in a
subprocess on a throwaway SQLite database, through Django's test client.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("two_factor", reason="django-two-factor-auth is the bench's own package: "
                                         "pip install -r bench/requirements.txt")

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from pathlib import Path
from bench.peer import seed

seed.main(Path(sys.argv[1]), 2)
from django.contrib.auth import get_user_model
from django.test import Client

verified = Path(sys.argv[1]).read_text().split()[0]
unverified = seed.session_cookie(get_user_model().objects.get(username="peer1"), verified=False)
answers = {}
for name, cookie in (("verified", verified), ("unverified", unverified), ("anonymous", "")):
    response = Client().get("/page/", HTTP_COOKIE=cookie)
    answers[name] = [response.status_code, response.get("Location", ""),
                     response.content.decode()]
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("peer")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="bench.peer.settings", SECRET_KEY="peer-test-key",
               DATABASE_URL=f"sqlite:///{folder / 'peer.sqlite3'}", ALLOWED_HOSTS="testserver")
    done = subprocess.run([sys.executable, "-c", PROBE, str(folder / "cookies")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_verified_session_gets_the_page(answers):
    status, _, body = answers["verified"]

    assert status == 200
    assert "<h1>peer0</h1>" in body


def test_a_signed_in_session_without_the_second_factor_is_sent_to_sign_in(answers):
    status, location, body = answers["unverified"]

    assert status == 302
    assert location == "/account/login/?next=/page/"
    assert "peer1" not in body


def test_an_anonymous_visitor_is_sent_to_sign_in(answers):
    assert answers["anonymous"][:2] == [302, "/account/login/?next=/page/"]
