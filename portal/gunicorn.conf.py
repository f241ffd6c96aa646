"""gunicorn settings for production: ``gunicorn -c portal/gunicorn.conf.py`` (make serve).

Every value can be overridden from the environment. By default each worker is
``portal.worker.PortalWorker`` (uvicorn's, answering held polls as it stops) serving
``portal.asgi``: the push status's held poll waits on the event loop, so a thousand browsers
waiting for their phones cost open sockets, not threads or workers; every other request runs
through Django's WSGI handler in a pool of ``GUNICORN_THREADS`` threads per worker, one
thread hop per request. One master, one kind of worker: TERM and HUP reach all of it.
``GUNICORN_WORKER_CLASS=gthread`` serves ``portal.wsgi`` on gunicorn's own threads (the page
then polls the cache twice a second instead of holding its poll).
"""

import os
import shutil
import tempfile

from portal import env

# Loopback by default: a TLS-terminating proxy (nginx) sits in front and sets
# X-Forwarded-Proto. GUNICORN_BIND replaces the address entirely (e.g. a unix socket).
bind = [env.text("GUNICORN_BIND") or f"127.0.0.1:{env.integer('PORT', 8000)}"]

# Worker processes: one per core runs the CPU-bound part of each request in parallel.
workers = env.integer("WEB_CONCURRENCY", os.cpu_count() or 2)
worker_class = env.text("GUNICORN_WORKER_CLASS", "portal.worker.PortalWorker")
asgi = worker_class != "gthread" and worker_class != "sync"
wsgi_app = "portal.asgi:application" if asgi else "portal.wsgi:application"
# Threads per worker: room for requests blocked on the database or a provider's API
# (PortalWorker reads the same variable: settings.WSGI_THREADS).
# (gunicorn quietly turns "sync" into gthread when threads > 1: keep sync meaning sync.)
threads = env.integer("GUNICORN_THREADS", 8) if worker_class == "gthread" else 1

# A provider call is bounded by PROVIDER_TIMEOUT_SECONDS (5 s); nothing legitimate takes 30.
timeout = env.integer("GUNICORN_TIMEOUT", 30)
# (Held polls end at once when a worker stops: a stop takes about a second, not this.)
graceful_timeout = env.integer("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive from the proxy: nginx reuses upstream connections (see the sample site).
keepalive = env.integer("GUNICORN_KEEPALIVE", 5)

# Each worker loads the app itself, so `kill -HUP` (systemctl reload) brings in new code
# with no dropped request: new workers start before the old ones finish and exit.
preload_app = False
# Recycle a worker now and then, so a slow leak in any library cannot grow without bound.
max_requests = env.integer("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = max_requests // 10

# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every
# gunicorn of the user (the benchmark runs several; ProtectHome= forbids it); systemd's
# signals (HUP to reload, TERM to stop) are the interface.
control_socket_disable = True

# Only the local proxy may say the original request was HTTPS.
forwarded_allow_ips = env.text("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log on stdout (journald keeps it); "" turns it off. %(M)s: milliseconds taken.
accesslog = env.text("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" xfp=%({x-forwarded-proto}i)s'
)
errorlog = "-"
loglevel = env.text("GUNICORN_LOG_LEVEL", "info")

# Prometheus (docs/operations.md): each worker writes its metrics to files in
# PROMETHEUS_MULTIPROC_DIR and whichever worker answers /metrics adds them up. systemd sets
# it under RuntimeDirectory=; otherwise the master makes one of its own as it starts (here,
# not at import, so loading this file changes nothing in the loader's environment).
def on_starting(server) -> None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        path = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")
        server.made_metrics_dir = path
    shutil.rmtree(path, ignore_errors=True)  # the last run's values are not this run's
    os.makedirs(path, exist_ok=True)


def on_exit(server) -> None:
    made = getattr(server, "made_metrics_dir", None)
    if made:
        shutil.rmtree(made, ignore_errors=True)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its gauges (held polls) leave with it
