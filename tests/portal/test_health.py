"""Health and readiness as a load balancer sees them: /healthz answers while the process
runs, whatever is down; /readyz answers 503 naming the part that is down, quickly, and 200
when everything is up; both answer over plain HTTP and by IP address in production."""

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from portal import health
from tests.portal.test_production_settings import run
from tests.twofactor.methods.push.test_long_poll import held_get

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _readiness_of_its_own(monkeypatch):
    """Each test's checks run on threads that end with the test. A check thread keeps the
    database connection it first made (closed between checks, reopened from the same
    settings), and ``database_down`` points new connections at nothing: a thread that made
    its connection then would fail the cache check of every later test it ran. The probe
    keeps its own connection too; the test database can be dropped only once it is closed."""
    executor = ThreadPoolExecutor(
        max_workers=health._executor._max_workers, thread_name_prefix="readyz"
    )
    monkeypatch.setattr(health, "_executor", executor)
    monkeypatch.setattr(health, "_running", {})
    yield
    executor.shutdown(wait=True)
    if health._probe is not None:
        health._probe[1].close()
        health._probe = None


@pytest.fixture
def database_down(monkeypatch):
    """New connections to the database fail: a dead port (PostgreSQL) or a path that cannot
    be opened (SQLite). The test's own open connection keeps working."""
    config = {**connections.settings["default"]}
    if config["ENGINE"].endswith("sqlite3"):
        config["NAME"] = "/nonexistent-directory/portal.sqlite3"
    else:
        config["PORT"] = "1"
    monkeypatch.setattr(connections, "settings", {**connections.settings, "default": config})


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": DEAD_REDIS}
    }


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()
    for conn in accepted:  # the hung check's thread gets its answer (an error) and ends
        conn.close()


def test_healthz_answers_200_with_the_database_and_the_cache_down(
    client, transactional_db, database_down, cache_down
):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_answers_200_when_the_database_and_the_cache_are_up(client, transactional_db):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok"


def test_readyz_answers_503_naming_the_database_when_it_is_down(
    client, transactional_db, database_down
):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"][0] == "database"  # (the database cache may fail with it)
    assert body["checks"]["database"] == "failed"
    assert "nonexistent" not in response.content.decode()  # no error text for strangers


def test_readyz_answers_503_naming_the_cache_when_it_is_down(
    client, transactional_db, cache_down
):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_names_pubsub_when_redis_for_push_answers_is_down(
    client, transactional_db, settings
):
    settings.REDIS_URL = DEAD_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    assert "pubsub" in response.json()["failed"]


def test_a_cache_that_never_answers_costs_readyz_about_its_timeout_not_more(
    client, transactional_db, settings, silent_server
):
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": silent_server}
    }
    settings.HEALTH_CHECK_TIMEOUT_SECONDS = 0.5

    started = time.monotonic()
    first = client.get("/readyz")
    second = client.get("/readyz")  # the hung check is shared, not started again
    took = time.monotonic() - started

    assert first.status_code == second.status_code == 503
    assert first.json()["checks"]["cache"] == "timeout"
    assert second.json()["checks"]["cache"] == "timeout"
    assert took < 2.0


def test_health_paths_answer_only_reads(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


PROBE = """
import django
django.setup()
from django.test import Client
balancer = Client(HTTP_HOST="10.0.0.7:8000")  # asks by address (not an allowed host), HTTP
for path in ("/healthz", "/readyz"):
    r = balancer.get(path)
    print(path, r.status_code, r.content.decode(), sep="|")
r = Client(HTTP_HOST="portal.example").get("/login/")
print("/login/", r.status_code, r.get("Location"), sep="|")
"""


def test_in_production_health_skips_the_https_redirect_and_the_host_check_and_survives_a_dead_database_and_redis():  # noqa: E501
    result = run(["-c", PROBE], {
        "ALLOWED_HOSTS": "portal.example",
        "DATABASE_URL": "postgres://portal@127.0.0.1:1/portal",
        "REDIS_URL": DEAD_REDIS,
    })

    assert result.returncode == 0, result.stderr
    lines = dict(line.split("|", 1) for line in result.stdout.strip().splitlines())
    live_status, live_body = lines["/healthz"].split("|", 1)
    ready_status, ready_body = lines["/readyz"].split("|", 1)
    assert (live_status, json.loads(live_body)) == ("200", {"status": "ok"})
    assert ready_status == "503"
    assert json.loads(ready_body)["failed"] == ["database", "cache", "pubsub"]
    # Every other page over plain HTTP is still sent to HTTPS.
    assert lines["/login/"] == "301|https://portal.example/login/"


def test_under_asgi_health_and_readiness_answer_the_same(client, transactional_db):
    live = held_get(client, "/healthz")
    ready = held_get(client, "/readyz")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200 and ready.json()["failed"] == []
