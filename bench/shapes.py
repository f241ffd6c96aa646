"""S: the verified dashboard (W1) served in each shape, side by side, against bare Django
and against django-two-factor-auth's verified page.

One portal server per shape on the same database and cache: gthread workers serving
``portal.wsgi`` (how Django serves best), uvicorn workers serving Django's ASGI handler
(``make serve`` before issue 20) and ``make serve``'s front (``portal.asgi``: the held poll
on the loop, Django's WSGI handler in a thread pool); bare Django's ``login_required`` page
and the peer's ``otp_required`` page (bench/peer/: django-two-factor-auth), each on gthread
workers and its own database of the same kind. The rounds alternate over the five, the same
16 connections each, so drift hits all alike; the table gives each server's CPU per request
and requests a second, their ratios to bare Django's and the portal's ratios to the peer's.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from bench.load import Load, alternate_servers, write_cookies
from bench.report import Row, compare, summarise
from bench.server import ROOT, Server, Shape
from bench.workloads import BARE_CPU_TARGET, BARE_THROUGHPUT_TARGET, Plan, check, sessions
from bench.world import People, Store

PORTAL_SHAPES = ("gthread", "uvicorn", "front")
PEER = "django-two-factor-auth verified page"


def seeded(env: dict[str, str], project: str, database_url: str, cookies: Path) -> dict[str, str]:
    """The environment of a baseline project (bench/bare/, bench/peer/) on its own database,
    migrated and signed in by its own process (one process holds one Django settings)."""
    project_env = {**env, "DJANGO_SETTINGS_MODULE": f"{project}.settings",
                   "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", f"{project}.seed", str(cookies), "16"],
                   cwd=ROOT, env=project_env, check=True, timeout=300)
    return project_env


def serving_shapes(env: dict[str, str], log: Path, plan: Plan, people: People,
                   folder: Path, store: Store, workers: int) -> list[Row]:
    with_peer = importlib.util.find_spec("two_factor") is not None
    bare_cookies, peer_cookies = folder / "bare.cookies", folder / "peer.cookies"
    bare_env = seeded(env, "bench.bare", store.bare_database_url, bare_cookies)
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
        if with_peer:
            peer_env = seeded(env, "bench.peer", store.peer_database_url, peer_cookies)
            peer = Server(peer_env, Shape("gthread", workers), project="bench.peer").start(log)
            stack.callback(peer.stop)
            check(peer, "/page/", peer_cookies.read_text().splitlines()[0])
            loads.append((peer, Load("peer", "/page/", 16, peer_cookies)))
        loads += [(servers[kind], Load(kind, "/dashboard/", 16, cookies))
                  for kind in PORTAL_SHAPES]
        samples = alternate_servers(loads, plan.rounds, plan.seconds)
        rows = [summarise(f"bare Django login_required, {bare.shape}", samples["bare"],
                          rss_mb=bare.peak_rss_mb())]
        if with_peer:
            rows.append(compare(f"{PEER}, {peer.shape}", samples["peer"], samples["bare"],
                                "bare Django (gthread)", rss_mb=peer.peak_rss_mb()))
        else:
            rows.append(Row(PEER, note="skipped: django-two-factor-auth is not installed "
                                       "(pip install -r bench/requirements.txt)"))
        against_bare = {kind: compare(f"S dashboard, {servers[kind].shape}", samples[kind],
                                      samples["bare"], "bare Django (gthread)",
                                      rss_mb=servers[kind].peak_rss_mb())
                        for kind in PORTAL_SHAPES}
        served = against_bare["front"]  # what make serve ships: issue 20's target is on it
        served.target = f"x CPU <= {BARE_CPU_TARGET}, x req/s >= {BARE_THROUGHPUT_TARGET}"
        served.met = (served.ratios["cpu"] <= BARE_CPU_TARGET
                      and served.ratios["throughput"] >= BARE_THROUGHPUT_TARGET)
        rows += against_bare.values()
        if with_peer:
            rows += [compare(f"S dashboard, {servers[kind].shape}", samples[kind],
                             samples["peer"], "django-two-factor-auth (gthread)",
                             rss_mb=servers[kind].peak_rss_mb())
                     for kind in PORTAL_SHAPES]
        return rows
