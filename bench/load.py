"""Driving load: wrk for page views and polls, a few Python browsers for sign-ins.

wrk (C, event loop) generates thousands of requests a second on a fraction of one core,
so on a 2-core machine the server keeps nearly all the CPU; a Python client would take
a core of its own and measure itself. Sign-ins are few and CPU-heavy on the server, so
plain Python drives them and the server's CPU is read from /proc.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.report import Sample, parse_wrk, percentile
from bench.server import Server

SCRIPT = Path(__file__).resolve().parent / "wrk" / "session.lua"


@dataclass(frozen=True)
class Load:
    """GET ``path`` with ``connections`` concurrent clients, rotating through cookies."""

    label: str
    path: str
    connections: int
    cookies: Path | None = None


def write_cookies(folder: Path, name: str, headers: list[str]) -> Path:
    path = folder / f"{name}.cookies"
    path.write_text("\n".join(headers) + "\n")
    return path


def run_wrk(server: Server, load: Load, seconds: float) -> Sample:
    """One timed wrk run; the sample carries the server CPU it cost."""
    threads = min(2, load.connections)
    env = {"BENCH_COOKIES": str(load.cookies or "")}
    cpu = server.cpu_seconds()
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{load.connections}", f"-d{max(1, round(seconds))}s",
         "--timeout", "10s", "-s", str(SCRIPT), server.base + load.path],
        capture_output=True, text=True, env=env, timeout=seconds + 60, check=False,
    )
    sample = parse_wrk(result.stdout)
    used = server.cpu_seconds() - cpu
    return Sample(sample.requests, sample.seconds, sample.p50_ms, sample.p99_ms,
                  sample.errors, used)


def warm_up(server: Server, loads: list[Load]) -> None:
    """A second of each load, not counted: every worker has imported, compiled, connected."""
    for load in loads:
        run_wrk(server, load, 1)


def alternate(server: Server, loads: list[Load], rounds: int, seconds: float,
              warm: bool = True) -> dict[str, list[Sample]]:
    """Each round runs every load once, the order rotating, so drift hits all alike."""
    samples: dict[str, list[Sample]] = {load.label: [] for load in loads}
    if warm:
        warm_up(server, loads)
    for r in range(rounds):
        shift = r % len(loads)
        for load in loads[shift:] + loads[:shift]:
            samples[load.label].append(run_wrk(server, load, seconds))
    return samples


def alternate_servers(loads: list[tuple[Server, Load]], rounds: int, seconds: float
                      ) -> dict[str, list[Sample]]:
    """:func:`alternate` for loads on different servers (each sample has its server's CPU)."""
    samples: dict[str, list[Sample]] = {load.label: [] for _, load in loads}
    for server, load in loads:
        warm_up(server, [load])
    for r in range(rounds):
        shift = r % len(loads)
        for server, load in loads[shift:] + loads[:shift]:
            samples[load.label].append(run_wrk(server, load, seconds))
    return samples


def timed_ops(server: Server, op: Callable[[str], None], people: list[str],
              concurrency: int) -> Sample:
    """Run ``op(email)`` once per person, ``concurrency`` at a time; server CPU per op."""
    queue = list(people)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                email = queue.pop()
            started = time.perf_counter()
            try:
                op(email)
            except Exception as exc:
                with lock:
                    failures.append(f"{email}: {exc}")
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    cpu = server.cpu_seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    used = server.cpu_seconds() - cpu
    if failures:
        print("   failed:", *failures[:3], sep="\n     ")
    return Sample(len(latencies), elapsed, percentile(latencies, 0.5),
                  percentile(latencies, 0.99), len(failures), used)
