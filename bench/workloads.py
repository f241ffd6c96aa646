"""W1-W5 against a running bench server, each beside its baseline in the same run."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import flows
from bench.client import Browser
from bench.load import Load, alternate, alternate_servers, timed_ops, write_cookies
from bench.report import Row, compare, summarise
from bench.server import Server
from bench.world import People

WARM_UP_SIGN_INS = 4  # per kind, before W3's timed rounds


@dataclass(frozen=True)
class Plan:
    rounds: int
    seconds: float
    sign_ins: int  # per hasher and per kind (plain, two-factor)
    sizes: tuple[int, ...]
    hanging: int = 4
    waiting: int = 1000  # W6: sign-ins waiting at once, per server setup

    @classmethod
    def full(cls) -> Plan:
        return cls(rounds=6, seconds=3, sign_ins=60 + WARM_UP_SIGN_INS,
                   sizes=(100, 10_000, 100_000))

    @classmethod
    def quick(cls) -> Plan:
        return cls(rounds=1, seconds=1, sign_ins=4 + WARM_UP_SIGN_INS, sizes=(100, 1_000),
                   waiting=100)


def sessions(server: Server, emails: list[str], step: Callable[[Browser, str], object]
             ) -> list[str]:
    """Cookie headers of people taken through ``step`` (a sign-in or the password alone),
    each followed by a tab and the path ``step`` returned, when it returned one."""
    headers = []
    for email in emails:
        browser = Browser(server.port)
        own = step(browser, email)
        headers.append(browser.cookie_header + (f"\t{own}" if isinstance(own, str) else ""))
        browser.close()
    return headers


def check(server: Server, path: str, cookie: str, expect: int = 200) -> None:
    """The load would count redirects as successes: make sure the page really answers."""
    browser = Browser(server.port)
    if cookie:
        browser.cookies = dict(part.split("=", 1) for part in cookie.split("; "))
    response = browser.get(path)
    browser.close()
    if response.status != expect:
        raise RuntimeError(f"{path} answered {response.status} (wanted {expect})")


def page_views(server: Server, plan: Plan, people: People, folder: Path) -> list[Row]:
    """W1 (verified page view, 16 clients) vs the plain login_required page, same people."""
    cookies = write_cookies(folder, "verified", sessions(server, people.verified, people.sign_in))
    check(server, "/dashboard/", cookies.read_text().splitlines()[0])
    check(server, "/bench/baseline/page/", cookies.read_text().splitlines()[0])
    w1 = Load("W1", "/dashboard/", 16, cookies)
    plain = Load("plain", "/bench/baseline/page/", 16, cookies)
    samples = alternate(server, [plain, w1], plan.rounds, plan.seconds)
    rss = server.peak_rss_mb()
    row = compare("W1 signed-in verified page, 16 clients", samples["W1"], samples["plain"],
                  "plain login_required", target="x req/s >= 0.95", rss_mb=rss)
    row.met = row.ratios["throughput"] >= 0.95
    return [
        summarise("baseline: plain login_required page, 16 clients", samples["plain"],
                  rss_mb=rss),
        row,
    ]


BARE_CPU_TARGET = 1.3
BARE_THROUGHPUT_TARGET = 0.75


def page_bytes(server: Server, path: str, cookie: str) -> int:
    browser = Browser(server.port)
    browser.cookies = dict(part.split("=", 1) for part in cookie.split("; "))
    response = browser.get(path)
    browser.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status} (wanted 200)")
    return len(response.body.encode())


def bare_page_views(server: Server, bare: Server, plan: Plan, folder: Path,
                    bare_cookies: Path) -> list[Row]:
    """W1's dashboard vs bare Django's login_required page (bench/bare/, its own gthread
    server of the same size, on its own database of the same kind): server CPU per request
    and requests a second, the two loads alternating round by round with the same 16
    connections."""
    verified = folder / "verified.cookies"
    sizes = (page_bytes(server, "/dashboard/", verified.read_text().splitlines()[0]),
             page_bytes(bare, "/page/", bare_cookies.read_text().splitlines()[0]))
    w1 = Load("W1", "/dashboard/", 16, verified)
    plain = Load("bare", "/page/", 16, bare_cookies)
    samples = alternate_servers([(bare, plain), (server, w1)], plan.rounds, plan.seconds)
    rss = bare.peak_rss_mb()
    row = compare("W1 verified dashboard vs bare Django login_required page: server CPU per "
                  "request", samples["W1"], samples["bare"], "bare Django login_required",
                  target=f"x CPU <= {BARE_CPU_TARGET}, x req/s >= {BARE_THROUGHPUT_TARGET}",
                  rss_mb=server.peak_rss_mb(),
                  note=f"pages of {sizes[0]:,} bytes (dashboard) and {sizes[1]:,} (bare); "
                       f"bare Django on {bare.shape}")
    row.met = (row.ratios["cpu"] <= BARE_CPU_TARGET
               and row.ratios["throughput"] >= BARE_THROUGHPUT_TARGET)
    return [
        summarise("baseline: bare Django login_required page (sessions and auth only), "
                  "16 clients", samples["bare"], rss_mb=rss),
        row,
    ]


def polls(server: Server, plan: Plan, people: People, folder: Path, url: str) -> list[Row]:
    """W2: 32 pollers of pending attempts vs the trivial JSON view at 32 clients."""
    cookies = write_cookies(folder, "pending",
                            sessions(server, people.pending, flows.pending_attempt))
    cookie, _, own = cookies.read_text().splitlines()[0].partition("\t")
    check(server, own or url, cookie)
    w2 = Load("W2", url, 32, cookies)
    trivial = Load("json", "/bench/baseline/json/", 32)
    samples = alternate(server, [trivial, w2], plan.rounds, plan.seconds)
    rss = server.peak_rss_mb()
    row = compare("W2 OneTouch poll of a pending attempt, 32 clients", samples["W2"],
                  samples["json"], "trivial JSON", target="x req/s >= 0.70, p99 < 50 ms",
                  rss_mb=rss)
    row.met = row.ratios["throughput"] >= 0.70 and row.p99_ms < 50
    return [
        summarise("baseline: trivial JSON view, 32 clients", samples["json"], rss_mb=rss),
        row,
    ]


def employees(server: Server, plan: Plan, people: People, folder: Path) -> list[Row]:
    """W4: Manage Employees for firms of each size, 4 clients, rounds rotating the sizes."""
    loads = []
    for size, admin in people.admins.items():
        cookies = write_cookies(folder, f"admin{size}", sessions(server, [admin], people.sign_in))
        check(server, "/manage/employees/", cookies.read_text().strip())
        loads.append(Load(str(size), "/manage/employees/", 4, cookies))
    samples = alternate(server, loads, plan.rounds, plan.seconds)
    rss = server.peak_rss_mb()
    smallest = str(min(people.admins))
    rows = [summarise(f"baseline: Manage Employees, {smallest} employees",
                      samples[smallest], rss_mb=rss)]
    for load in loads[1:]:
        row = compare(f"W4 Manage Employees, {int(load.label):,} employees",
                      samples[load.label], samples[smallest], f"{smallest} employees",
                      target="x p50 <= 2.0", rss_mb=rss)
        row.met = row.ratios["p50"] <= 2.0
        rows.append(row)
    return rows


def sign_ins(server: Server, plan: Plan, people: People, plain: list[str],
             two_factor: list[str], hasher: str) -> list[Row]:
    """W3: complete sign-ins by different people, plain vs two-factor, server CPU each."""
    def op(email: str) -> None:
        browser = Browser(server.port)
        try:
            people.sign_in(browser, email)
        finally:
            browser.close()

    warm = WARM_UP_SIGN_INS
    timed_ops(server, op, plain[-warm:] + two_factor[-warm:], 2)  # warm up both workers
    plain, two_factor = plain[:-warm], two_factor[:-warm]
    batch = max(1, len(plain) // plan.rounds)
    base, w3 = [], []
    for r in range(plan.rounds):
        first, second = (plain, two_factor) if r % 2 == 0 else (two_factor, plain)
        for group in (first, second):
            emails = group[r * batch:(r + 1) * batch]
            (base if group is plain else w3).append(timed_ops(server, op, emails, 2))
    rss = server.peak_rss_mb()
    limit = 1.10 if hasher == "PBKDF2" else 2.0
    row = compare(f"W3 two-factor sign-in (SMS), {hasher}", w3, base, f"plain sign-in, {hasher}",
                  target=f"x CPU <= {limit:.2f}", rss_mb=rss)
    row.met = row.ratios["cpu"] <= limit
    return [summarise(f"baseline: plain sign-in, {hasher}", base, rss_mb=rss), row]


class HangingSignIns:
    """``count`` people entering their password at once, each sign-in then stuck on the
    provider (the OneTouch request goes out at the password step); ends with their calls."""

    def __init__(self, server: Server, people: list[str], count: int) -> None:
        self.server = server
        self.people = people[:count]
        self.threads: list[threading.Thread] = []
        self.durations: list[float] = []

    def _sign_in(self, email: str) -> None:
        browser = Browser(self.server.port, timeout=120)
        started = time.perf_counter()
        try:
            flows.enter_password(browser, email)
        except (OSError, flows.FlowError):
            pass  # counted by its duration: a sign-in that did not hang shows up short
        finally:
            browser.close()
        self.durations.append(time.perf_counter() - started)

    def __enter__(self) -> HangingSignIns:
        self.threads = [threading.Thread(target=self._sign_in, args=(e,)) for e in self.people]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for t in self.threads:
            t.join()


def wait_for_calls(emulator, since: int, count: int, seconds: float = 2) -> int:
    """Until ``count`` sign-ins are stuck on the provider, or ``seconds`` have passed (a
    server whose workers are all taken cannot even start them all); how many are stuck."""
    until = time.monotonic() + seconds
    while len(emulator.exchanges) - since < count and time.monotonic() < until:
        time.sleep(0.02)
    return len(emulator.exchanges) - since


def hung_provider(server: Server, plan: Plan, people: People, folder: Path,
                  emulator) -> list[Row]:
    """W5: W1 while 4 sign-ins are stuck on a provider that never answers, alternating
    with W1 as normal. Each round's sign-ins reach the provider before W1 starts and stay
    stuck until after it ends (the server's provider timeout is longer than a load)."""
    w1 = Load("W1", "/dashboard/", 16, folder / "verified.cookies")
    normal, hung, stuck, reached = [], [], [], []
    for r in range(plan.rounds):
        for hanging in ((False, True) if r % 2 == 0 else (True, False)):
            if not hanging:
                normal.append(alternate(server, [w1], 1, plan.seconds, warm=False)["W1"][0])
                continue
            emulator.faults.hang = True
            calls = len(emulator.exchanges)
            batch = people.hanging[r * plan.hanging:]
            with HangingSignIns(server, batch, plan.hanging) as signing_in:
                reached.append(wait_for_calls(emulator, calls, plan.hanging))
                hung.append(alternate(server, [w1], 1, plan.seconds, warm=False)["W1"][0])
            emulator.faults.hang = False
            stuck += signing_in.durations
    rss = server.peak_rss_mb()
    note = (f"{min(reached, default=0)}-{max(reached, default=0)} sign-ins stuck at the "
            f"provider as W1 started; {len(stuck)} in all, each "
            f"{min(stuck, default=0):.1f}-{max(stuck, default=0):.1f} s "
            f"(PROVIDER_TIMEOUT_SECONDS={provider_timeout(plan)} for the run)")
    row = compare(f"W5 W1 while {plan.hanging} sign-ins hang on the provider", hung, normal,
                  "W1, provider answering", target="x req/s >= 0.80", rss_mb=rss, note=note)
    row.met = row.ratios["throughput"] >= 0.80
    return [summarise("baseline: W1 while the provider answers", normal, rss_mb=rss), row]


def provider_timeout(plan: Plan) -> int:
    """Long enough that W5's sign-ins stay stuck through a whole load, and never less than
    the product's default (5 s)."""
    return max(5, math.ceil(plan.seconds) + 3)
