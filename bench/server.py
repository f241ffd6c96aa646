"""The benchmark's gunicorn: started on a free loopback port with production settings,
watched through /proc (server CPU, peak memory per worker), stopped at the end."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKER_CLASSES = {"front": "portal.worker.PortalWorker", "uvicorn": "uvicorn_worker.UvicornWorker",
                  "gthread": "gthread", "sync": "sync"}
# What each worker class serves, per project. front: make serve's shape (portal.asgi: the
# held poll on the loop, Django's WSGI handler in a thread pool). uvicorn: the shape before
# issue 20 (Django's ASGI handler), kept to measure against. gthread, sync: plain WSGI.
APPS = {
    ("portal", "front"): "portal.asgi:application",
    ("portal", "uvicorn"): "bench.portal_asgi:application",
    ("bench.bare", "front"): "bench.bare.front:application",
    ("bench.bare", "uvicorn"): "bench.bare.asgi:application",
}


@dataclass
class Shape:
    """How gunicorn serves: worker class (front: portal.asgi, make serve's; uvicorn: Django's
    ASGI handler; gthread, sync: portal.wsgi), processes, threads per process."""

    worker_class: str = "front"
    workers: int = 2
    threads: int = 8

    def __post_init__(self) -> None:
        if self.worker_class not in ("gthread", "front"):
            self.threads = 1

    def __str__(self) -> str:
        threads = f" x {self.threads} threads" if self.threads > 1 else ""
        app = {"front": "make serve's front", "uvicorn": "Django ASGI"}.get(
            self.worker_class, "WSGI")
        return f"{self.workers} {self.worker_class} workers{threads} ({app})"


@dataclass
class Server:
    env: dict[str, str]
    shape: Shape
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None
    project: str = "portal"  # or "bench.bare": the package with its wsgi.py and asgi.py

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def app(self) -> str:
        """What the project serves in this shape (APPS), else its WSGI application."""
        key = (self.project, self.shape.worker_class)
        return APPS.get(key, f"{self.project}.wsgi:application")

    def start(self, log: Path) -> Server:
        env = dict(self.env)
        env.update(
            PORT=str(self.port),
            WEB_CONCURRENCY=str(self.shape.workers),
            GUNICORN_WORKER_CLASS=WORKER_CLASSES[self.shape.worker_class],
            GUNICORN_THREADS=str(self.shape.threads),
            GUNICORN_ACCESS_LOG="",
            GUNICORN_MAX_REQUESTS="0",
            GUNICORN_LOG_LEVEL="warning",
        )
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", self.app],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, seconds: float = 60) -> None:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            if len(self.workers()) >= self.shape.workers:
                with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=1
                ):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start in {seconds} s; see {self.log}")

    def workers(self) -> list[int]:
        """The worker processes: children of the gunicorn master."""
        master = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if _stat_fields(entry.name)[1] == str(master):
                        pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its workers so far."""
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            with contextlib.suppress(OSError):
                fields = _stat_fields(str(pid))
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / TICKS

    def rss_mb(self) -> float:
        """The resident memory of the master and its workers now, added up."""
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the workers."""
        peaks = [0]
        for pid in self.workers():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]))
        return max(peaks) / 1024

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _stat_fields(pid: str) -> list[str]:
    """/proc/<pid>/stat from the field after the command name: state, ppid, ..."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2:].split()
