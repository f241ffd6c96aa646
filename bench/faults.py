"""Stores to break on purpose: a Redis and a PostgreSQL cluster of our own, on spare loopback
ports, that the fault tests (tests/faults/) and W8 kill, pause and restart under a running
portal. The machine's shared servers are never touched.

``initdb`` refuses to run as root, so as root the cluster is made and run as the
``postgres`` user (``runuser``) in a folder that user owns. ``available()`` says why not
when the machine has neither binary.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bench.server import free_port

PG_BIN_DIRS = [Path(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def _pg_tool(name: str) -> str | None:
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def missing() -> str:
    """Why the fault tests cannot run here ("" when they can)."""
    if not shutil.which("redis-server"):
        return "no redis-server on this machine"
    if not (_pg_tool("initdb") and _pg_tool("pg_ctl")):
        return "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root with no postgres user for initdb"
    return ""


def _wait(ready, seconds: float, what: str) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not become ready in {seconds} s")


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


class Redis:
    """``redis-server`` keeping nothing on disk: a restart comes back empty."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait(lambda: _listening(self.port), 10, "redis-server")
        return self

    def kill(self) -> None:
        """Gone at once, as a crash: its data is lost."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pause(self) -> None:
        """Still accepting connections but answering nothing (a stuck server)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
        self.kill()


class Postgres:
    """A throwaway PostgreSQL cluster (trust auth, no fsync) on a spare port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
        self.data = self.folder / "data"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.folder.chmod(0o700)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def _run(self, *args: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run([*prefix, *args], check=True, timeout=timeout, cwd=self.folder,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def create(self) -> Postgres:
        self._run(_pg_tool("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync")
        self.start()
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE portal")
        return self

    def start(self) -> None:
        # No fsync (the machine does not crash, only the server), but synchronous commit:
        # an immediate stop must not take back a commit the portal was told had happened.
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._run(_pg_tool("pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "log"), "-w", "-t", "30", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: every connection cut at once, as a crash or a failover would."""
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(_pg_tool("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=1):
                return True
        except psycopg.Error:
            return False

    def discard(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
