"""Production serving: static files cached far ahead and compressed, sessions in Redis when it
is configured, and gunicorn bound to loopback unless told otherwise."""

import runpy
import subprocess
import sys
from pathlib import Path

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


def test_sessions_live_in_redis_when_redis_is_configured():
    with_redis = run(SESSION_ENGINE, {"REDIS_URL": "redis://127.0.0.1:6379/0"})
    without = run(SESSION_ENGINE, {"REDIS_URL": ""})

    assert with_redis.stdout.strip() == "django.contrib.sessions.backends.cache"
    assert without.stdout.strip() == "django.contrib.sessions.backends.db"


GUNICORN_CONF = str(ROOT / "portal" / "gunicorn.conf.py")


def test_gunicorn_listens_on_loopback_port_8000_by_default(monkeypatch):
    for name in ("PORT", "GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_WORKER_CLASS"):
        monkeypatch.delenv(name, raising=False)

    conf = runpy.run_path(GUNICORN_CONF)

    assert conf["bind"] == ["127.0.0.1:8000"]
    # uvicorn's workers serve the ASGI app: a waiting push status costs a socket, no thread
    assert conf["worker_class"] == "uvicorn_worker.UvicornWorker"
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
