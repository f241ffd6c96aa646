"""S: the verified dashboard (W1) served in each shape, side by side, against bare Django.

One portal server per shape on the same database and cache: gthread workers serving
``portal.wsgi`` (how Django serves best), uvicorn workers serving Django's ASGI handler
(``make serve`` before issue 20) and ``make serve``'s front (``portal.asgi``: the held poll
on the loop, Django's WSGI handler in a thread pool); bare Django's ``login_required`` page
on gthread workers. The rounds alternate over the four, the same 16 connections each, so
drift hits all alike; the table gives each shape's server CPU per request and requests a
second, and their ratios to bare Django's.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from bench.load import Load, alternate_servers, write_cookies
from bench.report import Row, compare, summarise
from bench.server import ROOT, Server, Shape
from bench.workloads import Plan, check, sessions
from bench.world import People

PORTAL_SHAPES = ("gthread", "uvicorn", "front")


def serving_shapes(env: dict[str, str], log: Path, plan: Plan, people: People,
                   folder: Path, bare_database_url: str, workers: int) -> list[Row]:
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
                "DATABASE_URL": bare_database_url}
    bare_cookies = folder / "bare.cookies"
    subprocess.run([sys.executable, "-m", "bench.bare.seed", str(bare_cookies), "16"],
                   cwd=ROOT, env=bare_env, check=True, timeout=300)
    with ExitStack() as stack:
        servers = {}
        for kind in PORTAL_SHAPES:
            servers[kind] = Server(env, Shape(kind, workers)).start(log)
            stack.callback(servers[kind].stop)
        bare = Server(bare_env, Shape("gthread", workers), project="bench.bare").start(log)
        stack.callback(bare.stop)
        first = servers[PORTAL_SHAPES[0]]
        cookies = write_cookies(folder, "shapes",
                                sessions(first, people.verified, people.sign_in))
        for server in servers.values():
            check(server, "/dashboard/", cookies.read_text().splitlines()[0])
        loads = [(bare, Load("bare", "/page/", 16, bare_cookies))]
        loads += [(servers[kind], Load(kind, "/dashboard/", 16, cookies))
                  for kind in PORTAL_SHAPES]
        samples = alternate_servers(loads, plan.rounds, plan.seconds)
        rows = [summarise(f"bare Django login_required, {bare.shape}", samples["bare"],
                          rss_mb=bare.peak_rss_mb())]
        for kind in PORTAL_SHAPES:
            server = servers[kind]
            rows.append(compare(f"S dashboard, {server.shape}", samples[kind],
                                samples["bare"], "bare Django (gthread)",
                                rss_mb=server.peak_rss_mb()))
        return rows
