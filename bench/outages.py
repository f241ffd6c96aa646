"""W8: the portal through a 10 s Redis outage and a PostgreSQL restart, as a benchmark.

The portal runs on its own Redis and PostgreSQL (bench/faults.py), never the run's store,
so they can be killed. Python browsers keep signed-in pages and sign-ins going from
threads while a store is down and after it is back; W8 counts what was refused (503,
the honest answer) and what failed (any other 5xx, a dropped connection, a signed-in
person sent to the login page), how long after the store was back failures went on, and
audit rows lost: sign-ins answered without their "signed in" row, and pushes approved
during the Redis outage without their "push approved" row. Target: nothing failed, no
row lost. The fault tests (tests/faults/) use the same pieces.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import faults, flows
from bench.client import Browser
from bench.report import Row
from bench.server import ROOT, Server, Shape

OUTAGE_SECONDS = 10
AFTER_SECONDS = 6
PLAIN = ("admin@globex.example", "tech@globex.example")  # the demo's firm with no 2FA
PUSHED = ("admin@acme.example", "tech@acme.example", "user@contoso.example")
SIGNED_IN, PUSH_APPROVED = "account:login:signed_in", "account:two_factor:push_approved"


@dataclass
class Answer:
    started: float
    seconds: float
    what: str
    status: int  # 0: the connection failed


@dataclass
class Traffic:
    """Requests sent in a loop from threads until stopped, every answer kept."""

    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def run(self, what: str, send: Callable[[], int], pause: float = 0.05) -> None:
        def loop() -> None:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    status = send()
                except OSError:
                    status = 0
                self.answers.append(Answer(started, time.monotonic() - started, what, status))
                time.sleep(pause)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self.threads.append(thread)

    def finish(self) -> list[Answer]:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        return self.answers


def dashboard(browser: Browser) -> Callable[[], int]:
    """A signed-in person's page: 200, or a redirect if the session was lost."""
    return lambda: browser.get("/dashboard/").status


def password_post(server: Server, email: str, password: str) -> Callable[[], int]:
    """A fresh browser's password step (a person arriving at the login page)."""
    def send() -> int:
        browser = Browser(server.port, timeout=15)
        try:
            browser.get("/login/")
            return browser.request("POST", "/login/", {
                "csrfmiddlewaretoken": browser.csrf, "email": email, "password": password,
            }).status
        finally:
            browser.close()
    return send


def signed_in(server: Server, email: str) -> Browser:
    browser = Browser(server.port, timeout=15)
    flows.sign_in(browser, email)
    return browser


@dataclass
class Portal:
    """The portal's servers on their own Redis and PostgreSQL."""

    pg: faults.Postgres
    redis: faults.Redis
    env: dict[str, str]
    servers: list[Server]

    def django(self, code: str) -> str:
        """Run ``code`` in a Django process on the portal's stores; return its stdout."""
        done = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{code}"],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60,
        )
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        return done.stdout

    def audit_count(self, tag: str) -> int:
        import psycopg

        with psycopg.connect(self.pg.url) as conn:
            return conn.execute(
                "SELECT count(*) FROM accounts_auditevent WHERE tag = %s", [tag]
            ).fetchone()[0]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.redis.stop()
        self.pg.discard()


def start_portal(env: dict[str, str], shapes: list[Shape], folder: Path, password: str
                 ) -> Portal:
    """A new PostgreSQL cluster and Redis, migrated and seeded with the demo world
    (``password`` for everyone), and one gunicorn per shape serving on them."""
    pg, redis = faults.Postgres(), faults.Redis()
    portal = Portal(pg, redis, {}, [])
    try:
        pg.create()
        redis.start()
        portal.env = {k: v for k, v in env.items()
                      if k not in ("DATABASE_URL", "REDIS_URL", "PORTAL_ASGI")}
        portal.env.update(DATABASE_URL=pg.url, REDIS_URL=redis.url, CACHE_KEY_PREFIX="faults")
        portal.django(
            "from django.core.management import call_command\n"
            "call_command('migrate', verbosity=0, interactive=False)\n"
            f"from manage import demo; demo.seed({password!r}, register=True)"
        )
        log = folder / "faults-gunicorn.log"
        portal.servers = [Server(portal.env, shape).start(log) for shape in shapes]
    except BaseException:
        portal.stop()
        raise
    return portal


def outages(env: dict[str, str], shape: Shape, folder: Path) -> list[Row]:
    """W8 on one server of the run's shape (the run's settings, its own stores)."""
    missing = faults.missing()
    if missing:
        return [Row("W8", note=f"skipped: {missing}")]
    portal = start_portal({**env, "BENCH_FAST_HASHER": "1"}, [shape], folder, flows.PASSWORD)
    try:
        return [redis_outage(portal), postgres_restart(portal)]
    finally:
        portal.stop()


def _traffic(portal: Portal) -> tuple[Traffic, int]:
    """Four signed-in people reading pages, two people signing in over and over; and the
    count of "signed in" audit rows just before the sign-ins started."""
    server = portal.servers[0]
    readers = [signed_in(server, PLAIN[0]) for _ in range(4)]
    before = portal.audit_count(SIGNED_IN)
    traffic = Traffic()
    for browser in readers:
        traffic.run("signed-in page", dashboard(browser))
    for email in PLAIN:
        traffic.run("sign-in", password_post(server, email, flows.PASSWORD))
    return traffic, before


def _sign_in_rows_lost(portal: Portal, answers: list[Answer], before: int) -> int:
    """Sign-ins answered as done (302) without their "signed in" audit row."""
    done = sum(1 for a in answers if a.what == "sign-in" and a.status == 302)
    return done - (portal.audit_count(SIGNED_IN) - before)


def _approve_all(portal: Portal) -> int:
    """Approve every pending push as the phone does (another process); return how many
    were recorded as approved."""
    out = portal.django(
        "from twofactor.methods.push import approvals\n"
        "from twofactor.models import ApprovalRequest\n"
        "from twofactor.providers.base import ApprovalStatus\n"
        "for a in ApprovalRequest.objects.filter(status='pending'):\n"
        "    try:\n"
        "        approvals.record_answer(a.provider_ref, ApprovalStatus.APPROVED,"
        " provider=a.provider)\n"
        "    except Exception:\n"
        "        pass\n"
        "print(ApprovalRequest.objects.filter(status='approved').count())\n"
    )
    return int(out.split()[-1])


def redis_outage(portal: Portal) -> Row:
    server = portal.servers[0]
    waiting = []
    for email in PUSHED:
        browser = Browser(server.port, timeout=15)
        waiting.append((browser, flows.pending_attempt(browser, email)))
    pushes_before = portal.audit_count(PUSH_APPROVED)
    traffic, signed_in_before = _traffic(portal)
    time.sleep(2)

    portal.redis.kill()
    down = time.monotonic()
    approved = _approve_all(portal)
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down)))
    portal.redis.start()
    back = time.monotonic()
    time.sleep(AFTER_SECONDS)
    answers = traffic.finish()
    sign_ins_lost = _sign_in_rows_lost(portal, answers, signed_in_before)
    finished = sum(_finishes(browser, url) for browser, url in waiting)
    pushes_lost = approved - (portal.audit_count(PUSH_APPROVED) - pushes_before)
    note = (f"{sign_ins_lost} of sign-ins, {pushes_lost} of the {approved} pushes approved "
            f"during the outage; {finished}/{len(waiting)} sign-ins waiting on those pushes "
            "finished after it")
    return _row(f"W8 Redis killed {OUTAGE_SECONDS} s, back empty", answers, down, back,
                sign_ins_lost + pushes_lost, note)


def _finishes(browser: Browser, poll_url: str) -> bool:
    """The waiting page's poll learns the answer and the sign-in completes."""
    until = time.monotonic() + 5
    while time.monotonic() < until:
        if '"approved"' in browser.request("GET", poll_url).body:
            landing = flows.follow(browser, browser.post(flows.CHALLENGE, {"action": "check"}))
            return landing.status == 200  # the person's home page (end users have their own)
        time.sleep(0.3)
    return False


def postgres_restart(portal: Portal) -> Row:
    traffic, signed_in_before = _traffic(portal)
    time.sleep(2)

    portal.pg.stop("immediate")
    down = time.monotonic()
    time.sleep(OUTAGE_SECONDS)
    portal.pg.start()
    back = time.monotonic()
    time.sleep(AFTER_SECONDS)
    answers = traffic.finish()

    lost = _sign_in_rows_lost(portal, answers, signed_in_before)
    return _row(f"W8 PostgreSQL stopped (immediate) {OUTAGE_SECONDS} s, restarted", answers,
                down, back, lost, f"{lost} of sign-ins")


def _row(name: str, answers: list[Answer], down: float, back: float, lost: int,
         note: str) -> Row:
    good = {"signed-in page": {200}, "sign-in": {302}}

    def failed(a: Answer) -> bool:
        return a.status not in good[a.what] and a.status != 503

    during = [a for a in answers if down <= a.started < back]
    after = [a for a in answers if a.started >= back]
    bad_after = [a for a in after if a.status not in good[a.what]]
    recovered = max((a.started + a.seconds - back for a in bad_after), default=0.0)
    slowest = max((a.seconds for a in during if a.status == 503), default=0.0)
    errors = sum(failed(a) for a in answers)
    kinds = Counter(f"{a.what} {a.status or 'dropped'}" for a in answers if failed(a))
    row = Row(name, target="no failure, 0 audit rows lost", errors=errors)
    row.met = errors == 0 and lost == 0
    row.note = (
        f"during: {len(during)} requests, {sum(a.status == 503 for a in during)} refused "
        f"(503, slowest {slowest:.1f} s), {sum(failed(a) for a in during)} failed; after: "
        f"{len(after)} requests, {sum(a.status == 503 for a in after)} refused, "
        f"{sum(failed(a) for a in after)} failed; recovered {recovered:.1f} s after the "
        f"store was back; audit rows lost: {lost} ({note})"
        + "".join(f"; failed: {n} x {kind}" for kind, n in sorted(kinds.items()))
    )
    return row
