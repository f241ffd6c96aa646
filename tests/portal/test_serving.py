"""Production serving: static files cached far ahead and compressed, sessions in Redis when it
is configured, and gunicorn bound to loopback unless told otherwise."""

import http.client
import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.portal.test_production_settings import ROOT, collect_static, run

STATIC_HEADERS = """
import django
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
hashed = staticfiles_storage.url("css/portal.css")
for url in (hashed, "/static/css/portal.css"):
    r = Client().get(url, secure=True, headers={"host": "portal.example",
                                                "accept-encoding": "gzip"})
    print(url, r.status_code, r.headers.get("Content-Encoding"), r.headers["Cache-Control"],
          sep="|")
"""


def test_a_hashed_static_file_is_served_compressed_with_a_ten_year_immutable_max_age(tmp_path):
    static_root = collect_static(tmp_path)

    result = run(["-c", STATIC_HEADERS], static_root)

    assert result.returncode == 0, result.stderr
    hashed, plain = (line.split("|") for line in result.stdout.strip().splitlines()[-2:])
    url, status, encoding, cache_control = hashed
    assert url != "/static/css/portal.css" and url.startswith("/static/css/portal.")
    assert (status, encoding) == ("200", "gzip")
    assert "immutable" in cache_control
    assert int(cache_control.split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600
    # The unhashed name may change under the same URL: only a minute.
    assert plain[1] == "200" and plain[3].startswith("max-age=60,")


SESSION_ENGINE = ["-c", "import django; django.setup(); from django.conf import settings; "
                  "print(settings.SESSION_ENGINE)"]


def test_sessions_live_in_the_database_even_with_redis_so_a_redis_outage_signs_no_one_out():
    with_redis = run(SESSION_ENGINE, {"REDIS_URL": "redis://127.0.0.1:6379/0"})
    without = run(SESSION_ENGINE, {"REDIS_URL": ""})

    assert with_redis.stdout.strip() == "django.contrib.sessions.backends.db"
    assert without.stdout.strip() == "django.contrib.sessions.backends.db"


GUNICORN_CONF = str(ROOT / "portal" / "gunicorn.conf.py")


def test_gunicorn_listens_on_loopback_port_8000_by_default(monkeypatch):
    for name in ("PORT", "GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_WORKER_CLASS"):
        monkeypatch.delenv(name, raising=False)

    conf = runpy.run_path(GUNICORN_CONF)

    assert conf["bind"] == ["127.0.0.1:8000"]
    # uvicorn's workers serve the front: a waiting push status costs a socket, no thread
    assert conf["worker_class"] == "portal.worker.PortalWorker"
    assert conf["wsgi_app"] == "portal.asgi:application"
    assert conf["timeout"] > 5  # longer than a provider call may take
    assert conf["control_socket_disable"]  # no socket shared by every gunicorn of the user


def test_gunicorn_gthread_workers_serve_the_wsgi_app_with_threads(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "gthread")

    conf = runpy.run_path(GUNICORN_CONF)

    assert conf["wsgi_app"] == "portal.wsgi:application" and conf["threads"] >= 4


def test_gunicorn_sync_workers_stay_sync(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "sync")

    conf = runpy.run_path(GUNICORN_CONF)

    assert conf["threads"] == 1  # more would make gunicorn run gthread instead


def test_gunicorn_port_and_bind_can_be_overridden(monkeypatch):
    monkeypatch.setenv("PORT", "9001")
    assert runpy.run_path(GUNICORN_CONF)["bind"] == ["127.0.0.1:9001"]

    monkeypatch.setenv("GUNICORN_BIND", "unix:/run/portal/gunicorn.sock")
    assert runpy.run_path(GUNICORN_CONF)["bind"] == ["unix:/run/portal/gunicorn.sock"]


def test_gunicorn_accepts_the_config_module():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", GUNICORN_CONF],
        cwd=Path(ROOT), capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )

    assert result.returncode == 0, result.stdout + result.stderr


TRAVERSALS = ["/static/../x", "/static/..%2fx", "/static/../manage.py", "/static/%2e%2e/x",
              "/static/css/../../manage.py", "/static/css%2f..%2f..%2fmanage.py",
              "/static/..\\manage.py", "/static/\x00"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_get(port: int, path: str) -> int:
    """The status for ``path`` sent as is (no client tidies the dots away)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", "localhost")
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_static_traversal_on_the_development_server_is_a_404_not_a_500(tmp_path):
    port = free_port()
    development = {"DEBUG": "1", "ALLOWED_HOSTS": "localhost", "REDIS_URL": "",
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env={**os.environ, **development},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = raw_get(port, "/static/css/portal.css")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.2)
        statuses = {path: raw_get(port, path) for path in TRAVERSALS if "\x00" not in path}
    finally:
        server.terminate()
        errors = server.communicate(timeout=30)[1]

    assert status == 200
    assert statuses == dict.fromkeys(statuses, 404), errors[-2000:]
    assert "Traceback" not in errors


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_traversal_through_the_application_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_runserver_leaves_static_files_to_whitenoise():
    # Django's own static handler (staticfiles' runserver) answers /static/../x with a 500.
    assert get_commands()["runserver"] == "whitenoise.runserver_nostatic"
