"""``python -m bench [--quick]``: the whole benchmark, start to finish (``make bench``).

Makes a throwaway database, seeds it, serves the portal under gunicorn on a free loopback
port with production settings, runs W1-W5 beside their baselines, prints the table, writes
bench/results/<time>.json, and removes everything it made. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import os
import platform
import secrets
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench import outages, report, workloads
from bench.load import Load, warm_up, write_cookies
from bench.server import ROOT, Server, Shape
from bench.workloads import Plan
from bench.world import Store, make_store, seed

RESULTS = ROOT / "bench" / "results"
RESTART_WAITING = 100  # R: held polls while the server restarts
# And when asked (--only S,R,W7): S, the dashboard in each serving shape (bench/shapes.py);
# R, a restart with held polls in this shape (bench/restart.py); W7, the phone app's signed
# answers to 2 x 1,000 waiting sign-ins (bench/app_answers.py; about 5 minutes more).
ALL = ("W1", "W2", "W3", "W4", "W5", "W6", "W8")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: short and small")
    parser.add_argument("--only", default=",".join(ALL), help="e.g. W1,W5")
    parser.add_argument("--worker-class", default="front",
                        choices=("front", "uvicorn", "gthread", "sync"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, help="override the plan's rounds")
    parser.add_argument("--seconds", type=float, help="override each load's seconds")
    parser.add_argument("--waiting", type=int, help="override W6's and W7's waiting sign-ins")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where the JSON goes (default bench/results/)")
    return parser.parse_args(argv)


def server_env(store: Store) -> dict[str, str]:
    """Production settings for the bench server (and this process, which seeds)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    env.update(store.env())
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(store.folder / "static"),
        EMAIL_FILE_PATH=str(store.folder / "mail"),
        BENCH_SMS_DIR=str(store.folder / "sms"),
        TWOFACTOR_PROVIDER="local",
        SIMULATED_PHONE="0",
        # The phone app's pushes (W7) are signed with a key of this run, as production's.
        VAPID_PRIVATE_KEY=vapid_key(),
        VAPID_SUBJECT="mailto:bench@portal.example",
        PYTHONPATH=str(ROOT),
    )
    return env


def vapid_key() -> str:
    """A fresh P-256 private value, as VAPID_PRIVATE_KEY takes it (URL-safe base64)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    value = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()


def prepare(plan: Plan, only: set[str]) -> workloads.People:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    Path(os.environ["BENCH_SMS_DIR"]).mkdir()
    sizes = list(plan.sizes) if "W4" in only else []
    waiting = 2 * plan.waiting if only & {"W6", "R"} else 0
    from bench.app_answers import WARM_UP

    app = plan.waiting + WARM_UP if "W7" in only else 0
    people = seed(sizes, plan.sign_ins, plan.hanging * plan.rounds, waiting, app)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would gather within a minute of a bulk load:
        # without them PostgreSQL guesses 2 rows for a 100,000-person firm.
        cursor.execute("ANALYZE")
    connection.close()
    return people


@contextmanager
def serving(env: dict[str, str], shape: Shape, log: Path, **extra: str):
    server = Server({**env, **extra}, shape).start(log)
    try:
        yield server
    finally:
        server.stop()


def route_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def machine() -> dict[str, str]:
    model = next((line.split(":", 1)[1].strip()
                  for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": str(os.cpu_count()), "cpu": model, "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = Plan.quick() if args.quick else Plan.full()
    if args.rounds or args.seconds or args.waiting:
        plan = Plan(args.rounds or plan.rounds, args.seconds or plan.seconds, plan.sign_ins,
                    plan.sizes, plan.hanging, args.waiting or plan.waiting)
    only = set(args.only.upper().split(","))
    shape = Shape(args.worker_class, args.workers, args.threads)
    store = make_store()
    env = server_env(store)
    os.environ.update(env)
    log = store.folder / "gunicorn.log"
    rows: list[report.Row] = []
    from bench.settings import RAISED_LIMITS, RAISED_SETTINGS

    print(f"== bench: {store.label}, {shape}, {plan}", flush=True)
    try:
        people = prepare(plan, only)
        print("   seeded", flush=True)
        with serving(env, shape, log) as server:
            if "W1" in only or "W5" in only:
                rows += workloads.page_views(server, plan, people, store.folder)
                print("   W1 done", flush=True)
            if "W1" in only:
                best = Shape("gthread", args.workers, args.threads)
                rows += bare_django(server, env, best, log, plan, store)
                print("   W1 vs bare Django done", flush=True)
            if "W2" in only:
                rows += run_or_skip("W2", route_exists("/login/verify/status/"),
                                    workloads.polls, server, plan, people, store.folder,
                                    "/login/verify/status/")
            if "W4" in only:
                rows += workloads.employees(server, plan, people, store.folder)
                print("   W4 done", flush=True)
            if "W3" in only:
                rows += workloads.sign_ins(server, plan, people, people.plain,
                                           people.two_factor, "PBKDF2")
                print("   W3 (PBKDF2) done", flush=True)
        if "W3" in only:
            with serving(env, shape, log, BENCH_FAST_HASHER="1") as server:
                rows += workloads.sign_ins(server, plan, people, people.fast_plain,
                                           people.fast_two_factor,
                                           "MD5 (fast hasher, measurement only)")
            print("   W3 (fast hasher) done", flush=True)
        if "W5" in only:
            rows += hung(env, shape, log, plan, people, store)
        if "W6" in only:
            rows += waiting_sign_ins(env, shape, log, plan, people, store)
        if "W7" in only:
            rows += app_answers(env, shape, log, plan, people, store)
            print("   W7 done", flush=True)
        if "W8" in only:  # on its own Redis and PostgreSQL, which it kills
            rows += outages.outages(env, shape, store.folder)
            print("   W8 done", flush=True)
        if "R" in only:
            from bench.restart import restart

            rows.append(restart({**env, "BENCH_FAST_HASHER": "1"}, shape, log,
                                people.waiting[:RESTART_WAITING]))
        if "S" in only:
            from bench.shapes import serving_shapes

            rows += serving_shapes(env, log, plan, people, store.folder, store, args.workers)
    finally:
        store.discard()
    meta = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **machine(),
        "serving": str(shape),
        "store": store.label,
        "plan": str(plan),
        "quick": args.quick,
        "raised_limits": {**RAISED_LIMITS, **RAISED_SETTINGS},
    }
    print_results(rows, meta, args.results)
    return 0


def bare_django(server, env, shape, log, plan, store) -> list[report.Row]:
    """W1 beside bare Django (bench/bare/), served the way Django serves best."""
    with bare_server(env, shape, log, store) as (bare, cookies):
        return workloads.bare_page_views(server, bare, plan, store.folder, cookies)


@contextmanager
def bare_server(env, shape, log, store):
    """Bare Django (bench/bare/) and its signed-in people's cookies: its own database of the
    same kind, migrated and seeded once per run by its own process, served by a second
    gunicorn: ``shape`` is gthread workers on its WSGI application, whatever serves the
    portal."""
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
                "DATABASE_URL": store.bare_database_url}
    cookies = store.folder / "bare.cookies"
    if not cookies.exists():
        subprocess.run([sys.executable, "-m", "bench.bare.seed", str(cookies), "16"],
                       cwd=ROOT, env=bare_env, check=True, timeout=300)
    bare = Server(bare_env, shape, project="bench.bare").start(log)
    try:
        yield bare, cookies
    finally:
        bare.stop()


def hung(env, shape, log, plan, people, store) -> list[report.Row]:
    """W5 on a server whose provider is the Authy API emulator, its hang switch flipped."""
    try:
        from emulators.authy import AuthyEmulator
    except ImportError:
        return [report.Row("W5", note="skipped: the provider emulators are not here yet")]
    if not route_exists("/login/verify/"):
        return [report.Row("W5", note="skipped: no second-factor challenge yet")]
    with ExitStack() as stack:
        emulator = stack.enter_context(AuthyEmulator())
        server = stack.enter_context(serving(
            env, shape, log, TWOFACTOR_PROVIDER="authy", AUTHY_API_KEY=emulator.api_key,
            AUTHY_API_URL=emulator.base_url,
            PROVIDER_TIMEOUT_SECONDS=str(workloads.provider_timeout(plan)),
        ))
        warm_up(server, [Load("W1", "/dashboard/", 16, store.folder / "verified.cookies")])
        return workloads.hung_provider(server, plan, people, store.folder, emulator)


def app_answers(env, shape, log, plan, people, store) -> list[report.Row]:
    """W7 on a server that may push to the loopback Web Push service, beside bare Django on
    gthread workers of the same size."""
    from bench import app_answers as w7
    from emulators.web_push import WebPushService

    best = Shape("gthread", shape.workers, shape.threads)
    with (WebPushService() as service,
          serving(env, shape, log, BENCH_FAST_HASHER="1",
                  ONETOUCH_EXPIRY_SECONDS=str(w7.EXPIRY_SECONDS)) as server,
          bare_server(env, best, log, store) as (bare, cookies)):
        return w7.app_answers(server, bare, cookies, service, people, plan.rounds,
                              plan.seconds, plan.waiting)


def waiting_sign_ins(env, shape, log, plan, people, store) -> list[report.Row]:
    """W6 on one app server, then on two sharing the database and cache (the polls spread
    over both, the approvals recorded from this process: another process again)."""
    from bench.long_polls import long_polls

    rows = []
    first, second = people.waiting[:plan.waiting], people.waiting[plan.waiting:]
    with serving(env, shape, log, BENCH_FAST_HASHER="1") as server:
        cookies = store.folder / "verified.cookies"  # W1's sessions, if W1 ran (shared store)
        if not cookies.exists():
            cookies = write_cookies(store.folder, "verified",
                                    workloads.sessions(server, people.verified, people.sign_in))
        w1 = Load("W1", "/dashboard/", 16, cookies)
        warm_up(server, [w1])
        rows += long_polls([server], first, w1, plan.seconds * 2)
    print("   W6 (one server) done", flush=True)
    with (serving(env, shape, log, BENCH_FAST_HASHER="1") as one,
          serving(env, shape, log, BENCH_FAST_HASHER="1") as two):
        warm_up(one, [w1])
        rows += long_polls([one, two], second, w1, plan.seconds * 2)
    print("   W6 (two servers) done", flush=True)
    return rows


def run_or_skip(name: str, available: bool, workload, *args) -> list[report.Row]:
    if not available:
        return [report.Row(name, note="skipped: its page is not built yet")]
    rows = workload(*args)
    print(f"   {name} done", flush=True)
    return rows


def print_results(rows: list[report.Row], meta: dict, results: Path = RESULTS) -> None:
    print()
    print(f"Measured {meta['date']} on {meta['nproc']} x {meta['cpu']}, {meta['serving']}, "
          f"{meta['store']}; medians of per-round ratios.")
    if meta["quick"]:
        print("QUICK: a smoke run of one short round; its ratios are not measurements.")
    if meta["raised_limits"]:
        raised = ", ".join(f"{k}={v}" for k, v in meta["raised_limits"].items())
        print(f"Limits raised for the run (named settings): {raised}.")
    print()
    print(report.table(rows))
    results.mkdir(exist_ok=True)
    out = results / f"{meta['date'].replace(':', '')}.json"
    out.write_text(report.to_json(rows, meta))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    sys.exit(main())
