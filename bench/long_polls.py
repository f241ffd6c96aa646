"""W6: a thousand sign-ins waiting for their phones at once, approvals arriving 20 a second.

An asyncio client (not browsers) holds one long poll per pending sign-in, as the challenge
page's script does: ``wait=1&seen=pending``, asked again at once when it comes back still
pending. This process records the approvals (as the phone would, through the same function
the simulated phone and the provider callbacks call) at a steady rate and notes when; the
client notes when each "approved" arrives. Reported: approval-to-answer latency (p50, p95),
the server's memory while the connections wait, and W1's throughput measured alongside
against W1 with nobody waiting. Every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from bench import flows
from bench.client import Browser
from bench.load import Load, run_wrk
from bench.report import Row, percentile
from bench.server import Server

DEADLINE_SECONDS = 120  # the whole W6 loop, whatever happens


@dataclass
class Waiter:
    """One pending sign-in: its cookie, its signed poll URL, and when its answer came."""

    server: Server
    cookie: str
    url: str
    attempt_id: str = ""
    answered_at: float = 0.0
    asks: int = 0
    replies: int = 0
    longest: float = 0.0  # the longest one ask took, sent to answered (the 25 s bound)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.attempt_id = parse_qs(urlsplit(self.url).query)["attempt"][0]


def pending_sign_ins(servers: list[Server], emails: list[str]) -> list[Waiter]:
    """Password steps for ``emails`` (spread over ``servers``), 8 at a time."""

    def one(pair: tuple[int, str]) -> Waiter:
        index, email = pair
        server = servers[index % len(servers)]
        browser = Browser(server.port)
        url = flows.pending_attempt(browser, email)
        waiter = Waiter(server, browser.cookie_header, url)
        browser.close()
        return waiter

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, enumerate(emails)))


async def hold(waiter: Waiter, stop_at: float) -> None:
    """Ask as the page does until the answer is final (or the run's deadline)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", waiter.server.port)
    request = (
        f"GET {waiter.url}&wait=1&seen=pending HTTP/1.1\r\nHost: 127.0.0.1:{waiter.server.port}"
        f"\r\nX-Forwarded-Proto: https\r\nCookie: {waiter.cookie}\r\nAccept: application/json"
        "\r\n\r\n"
    ).encode()
    try:
        while time.monotonic() < stop_at:
            asked = time.monotonic()
            writer.write(request)
            await writer.drain()
            waiter.asks += 1
            status, body = await _read_response(reader)
            waiter.replies += 1
            waiter.longest = max(waiter.longest, time.monotonic() - asked)
            if status != 200:
                waiter.errors.append(f"status {status}")
                await asyncio.sleep(1)
                continue
            data = json.loads(body)
            if data["final"]:
                waiter.answered_at = time.monotonic()
                return
            if data.get("retry"):
                await asyncio.sleep(data["retry"] / 1000)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        waiter.errors.append(repr(exc))
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                   if line.lower().startswith("content-length:")), None)
    if length is not None:
        return status, await reader.readexactly(length)
    if any(line.lower().replace(" ", "") == "transfer-encoding:chunked" for line in lines):
        return status, await _read_chunks(reader)  # the long way's answer, through Django
    # e.g. a server's own error page: noted as an error of the waiter
    raise ValueError(f"status {status} without Content-Length: {lines[1:4]}")


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    """A chunked body (RFC 9112 section 7.1), as a browser reads it; trailers skipped."""
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass
    return body


def approve(attempt_id: str) -> float:
    """Approve the attempt's push as the phone does; return when (monotonic)."""
    from twofactor.methods.push import approvals
    from twofactor.models import ApprovalRequest
    from twofactor.providers.base import ApprovalStatus

    approval = ApprovalRequest.objects.filter(attempt_id=attempt_id).latest("created_at")
    at = time.monotonic()
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED,
                            provider=approval.provider)
    return at


async def run(waiters: list[Waiter], rate: float, during) -> dict[str, float]:
    """Hold every waiter's poll; once all are out, run ``during`` (a blocking call, in a
    thread: W1 alongside), then approve ``rate`` a second; return the measurements."""
    stop_at = time.monotonic() + DEADLINE_SECONDS
    holding = [asyncio.create_task(hold(w, stop_at)) for w in waiters]
    await asyncio.sleep(2)  # every poll is out and held
    loop = asyncio.get_running_loop()
    alongside = await loop.run_in_executor(None, during)
    approved_at: dict[str, float] = {}
    for waiter in waiters:
        started = time.monotonic()
        approved_at[waiter.attempt_id] = await loop.run_in_executor(None, approve,
                                                                    waiter.attempt_id)
        await asyncio.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    await asyncio.wait(holding, timeout=max(1.0, stop_at - time.monotonic()))
    latencies = [w.answered_at - approved_at[w.attempt_id] for w in waiters if w.answered_at]
    return {
        "answered": len(latencies),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": 1000 * max(latencies, default=0),
        "asks_per_waiter": statistics.mean(w.asks for w in waiters),
        "longest_ask_s": max((w.longest for w in waiters), default=0),
        "errors": sum(len(w.errors) for w in waiters),
        **alongside,
    }


def long_polls(servers: list[Server], emails: list[str], w1: Load, seconds: float,
               rate: float = 20) -> list[Row]:
    """W6 on ``servers`` (one or two app servers sharing the database and cache)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * len(emails))), hard))
    main = servers[0]
    waiters = pending_sign_ins(servers, emails)
    quiet = run_wrk(main, w1, seconds)  # the sign-ins are pending, nobody is waiting yet
    idle_rss = sum(s.rss_mb() for s in servers)

    def during() -> dict[str, float]:
        busy = run_wrk(main, w1, seconds)
        return {"w1_quiet": quiet.throughput, "w1_busy": busy.throughput,
                "rss_mb": sum(s.rss_mb() for s in servers)}

    result = asyncio.run(run(waiters, rate, during))
    label = "two app servers" if len(servers) > 1 else "one app server"
    n = len(waiters)
    ratio = result["w1_busy"] / result["w1_quiet"] if result["w1_quiet"] else float("nan")
    waiting_mb = result["rss_mb"] - idle_rss
    note = (
        f"{result['answered']:.0f}/{n} answered; p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms, max {result['max_ms']:.0f} ms; "
        f"{result['asks_per_waiter']:.1f} requests per waiter, the longest held "
        f"{result['longest_ask_s']:.1f} s; {result['errors']:.0f} errors; "
        f"server memory {result['rss_mb']:.0f} MB with {n} waiting "
        f"(+{waiting_mb:.0f} MB, {1024 * waiting_mb / n:.0f} KB each); "
        f"W1 {result['w1_busy']:.0f} req/s alongside vs {result['w1_quiet']:.0f} alone"
    )
    latency = Row(
        f"W6 {n} waiting sign-ins, approvals 20/s, {label}", baseline="W1 alone",
        p50_ms=result["p50_ms"], p99_ms=result["p95_ms"], throughput=result["w1_busy"],
        ratios={"throughput": ratio}, target="answer p95 <= 1000 ms; W1 x req/s >= 0.90",
        rss_mb=result["rss_mb"], note=note,
    )
    latency.met = result["p95_ms"] <= 1000 and ratio >= 0.9 and result["answered"] == n
    return [latency]
