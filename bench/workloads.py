"""W1-W5 against a running bench server, each beside its baseline in the same run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import flows
from bench.client import Browser
from bench.load import Load, alternate, timed_ops, write_cookies
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

    @classmethod
    def full(cls) -> Plan:
        return cls(rounds=6, seconds=3, sign_ins=60 + WARM_UP_SIGN_INS,
                   sizes=(100, 10_000, 100_000))

    @classmethod
    def quick(cls) -> Plan:
        return cls(rounds=1, seconds=1, sign_ins=4 + WARM_UP_SIGN_INS, sizes=(100, 1_000))


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
    """``count`` people signing in at once, over and over, each stuck on the provider."""

    def __init__(self, server: Server, people: list[str], count: int) -> None:
        self.server = server
        self.pools = [people[i::count] for i in range(count)]
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.durations: list[float] = []

    def _run(self, pool: list[str]) -> None:
        import time

        n = 0
        while not self.stop.is_set():
            browser = Browser(self.server.port, timeout=60)
            started = time.perf_counter()
            try:
                browser.get("/login/")
                browser.post("/login/", {"email": pool[n % len(pool)],
                                         "password": flows.PASSWORD})
            except OSError:
                pass
            finally:
                browser.close()
            self.durations.append(time.perf_counter() - started)
            n += 1

    def __enter__(self) -> HangingSignIns:
        self.threads = [threading.Thread(target=self._run, args=(p,)) for p in self.pools]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def hung_provider(server: Server, plan: Plan, people: People, folder: Path,
                  emulator) -> list[Row]:
    """W5: W1 again while 4 sign-ins hang on the provider, alternating with W1 as normal."""
    cookies = folder / "verified.cookies"
    w1 = Load("W1", "/dashboard/", 16, cookies)
    normal, hung = [], []
    stuck: list[float] = []
    for r in range(plan.rounds):
        for hanging in ((False, True) if r % 2 == 0 else (True, False)):
            if not hanging:
                normal.append(alternate(server, [w1], 1, plan.seconds)["W1"][0])
                continue
            emulator.faults.hang = True
            with HangingSignIns(server, people.hanging, plan.hanging) as signing_in:
                hung.append(alternate(server, [w1], 1, plan.seconds)["W1"][0])
            emulator.faults.hang = False
            stuck += signing_in.durations
    rss = server.peak_rss_mb()
    note = (f"{len(stuck)} sign-ins hung on the provider, each "
            f"{min(stuck, default=0):.1f}-{max(stuck, default=0):.1f} s")
    row = compare(f"W5 W1 while {plan.hanging} sign-ins hang on the provider", hung, normal,
                  "W1, provider answering", target="x req/s >= 0.80", rss_mb=rss, note=note)
    row.met = row.ratios["throughput"] >= 0.80
    return [summarise("baseline: W1 while the provider answers", normal, rss_mb=rss), row]
