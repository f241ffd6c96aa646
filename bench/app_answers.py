"""W7: the Partner Portal app's signed answers reaching a thousand waiting desktops, and what
the app costs the server: a push sent at the password step, an answer verified.

People with one paired phone each (``AppPhone`` rows made with ``bulk_create``, their P-256
keys held here by the Python phone of the app's tests, subscribed to the loopback Web Push
service of ``emulators/``) sign in beside the same people without the app (their push goes
to the provider alone), in rounds that alternate, 8 password steps in flight; a round of
the bare Django page (``bench/bare/``) runs in each. The pushes go out from the bench server
to the loopback service, which checks each VAPID JWT and decrypts each message.

Then every phone lists its request (a signed listing over a fresh challenge) and every
desktop holds its poll, as ``bench/long_polls.py`` does. Answers arrive 20 a second in
blocks that alternate: a phone's signed answer over HTTP (the person picks the number the
desktop page shows), or, for the people without the app, the approval recorded in this
process (W6's way: no request), so the difference is the answer's own request. W7's latency
runs from the signed answer sent to its desktop's poll answering. Every loop is bounded.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPConnection, RemoteDisconnected

from bench import flows
from bench.client import Browser
from bench.load import Load, run_wrk, timed_ops
from bench.long_polls import Waiter, approve, hold
from bench.report import Row, Sample, percentile
from bench.server import Server
from tests.twofactor.methods.portal_app.phone import Phone

# The held polls, whatever happens: 2 x 1,000 answers take 100 s at 20 a second, several
# times that when the shared machine is busy; the requests expire by then anyway.
DEADLINE_SECONDS = 600
RATE = 20  # answers a second, as W6's approvals
IN_FLIGHT = 8  # password steps and listings at once
# A listing refused as "not fresh" is asked again with a new challenge, as the app does (the
# embedded default's database cache culls entries past its MAX_ENTRIES, challenges too).
LISTING_TRIES = 3
WARM_UP = 4  # sign-ins of each kind before the timed rounds (seeded beyond ``waiting``)
# Every request stays open through the whole run (sign-ins, listings, 2 x 1,000 answers at
# 20 a second): raised from the product's 120 s for the bench server, and said so.
EXPIRY_SECONDS = 600


@dataclass
class Answer:
    """What the phone reads of a response: the test client's ``status_code`` and ``json()``."""

    status_code: int
    body: bytes

    @property
    def content(self) -> bytes:
        return self.body

    def json(self) -> dict:
        return json.loads(self.body)


class PhoneHttp:
    """The Python phone's client (the test client's ``post``) over HTTP to the bench server,
    as from a phone behind the TLS proxy: one kept-alive connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._local = threading.local()

    def _connection(self) -> HTTPConnection:
        if getattr(self._local, "conn", None) is None:
            self._local.conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self._local.conn

    def post(self, path: str, data: str, content_type: str) -> Answer:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https",
                   "Content-Type": content_type, "Accept": "application/json"}
        for _ in range(2):  # once more if the server closed a kept-alive connection
            conn = self._connection()
            try:
                conn.request("POST", path, body=data.encode(), headers=headers)
                raw = conn.getresponse()
                return Answer(raw.status, raw.read())
            except (RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self._local.conn = None
        raise ConnectionError(f"POST {path}: the server closed the connection twice")


@dataclass
class Desktop:
    """One pending sign-in: its held poll, the number its page shows, and (with the app)
    the phone that answers it and what that phone listed."""

    email: str
    waiter: Waiter
    number: int
    phone: Phone | None = None
    listed: dict | None = None
    sent_at: float = 0.0  # the signed answer sent, or the approval recorded
    result: str = ""  # what the app said of the answer


def pair_phones(emails: list[str], service, http: PhoneHttp) -> dict[str, Phone]:
    """One confirmed phone per person, subscribed to ``service``: ``bulk_create``."""
    from django.utils import timezone

    from accounts.models import User
    from twofactor.methods.push.portal_app import vapid
    from twofactor.methods.push.portal_app.models import AppPhone
    from twofactor.methods.push.portal_app.signatures import b64url_decode

    server_key = vapid.public_key_b64url()
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    phones = {email: Phone(http, "Bench phone") for email in emails}
    now = timezone.now()
    rows = []
    for email, phone in phones.items():
        subscription = service.new_subscription(application_server_key=server_key)
        rows.append(AppPhone(
            user_id=ids[email], name=phone.name, confirmed=True, confirmed_at=now,
            public_key=b64url_decode(phone.public_key), push=AppPhone.Push.ON,
            endpoint=subscription["endpoint"], p256dh=subscription["keys"]["p256dh"],
            auth=subscription["keys"]["auth"],
        ))
    AppPhone.objects.bulk_create(rows, batch_size=2000)
    email_of = {pk: email for email, pk in ids.items()}
    for user_id, pk in AppPhone.objects.filter(user_id__in=ids.values()).values_list(
            "user_id", "pk"):
        phones[email_of[user_id]].device = str(pk)
    return phones


def sign_in_batch(server: Server, emails: list[str], found: dict[str, Desktop]) -> Sample:
    """Password steps (each pushing) up to the challenge page, ``IN_FLIGHT`` at once; server
    CPU per sign-in."""
    def op(email: str) -> None:
        browser = Browser(server.port)
        try:
            page = flows.pending_challenge(browser, email)
            waiter = Waiter(server, browser.cookie_header, flows.poll_url(page))
            found[email] = Desktop(email, waiter, flows.match_number(page))
        finally:
            browser.close()

    return timed_ops(server, op, emails, IN_FLIGHT)


def list_requests(server: Server, desktops: list[Desktop]) -> tuple[Sample, int]:
    """Each phone lists its requests (a challenge, then the signed listing), as the app does
    when the notification opens it; server CPU per listing, and how many were asked again."""
    def op(email: str) -> None:
        desktop = by_email[email]
        for _ in range(LISTING_TRIES):
            response = desktop.phone.listing()
            if response.status_code != 403:
                break
            asked_again.append(email)  # "not fresh": the app asks for a new challenge
        if response.status_code != 200:
            raise flows.FlowError(f"listing answered {response.status_code}: {response.body!r}")
        [listed] = response.json()["requests"]
        if desktop.number not in listed["numbers"]:
            raise flows.FlowError("the phone does not offer the desktop's number")
        desktop.listed = listed

    by_email = {d.email: d for d in desktops}
    asked_again: list[str] = []
    sample = timed_ops(server, op, list(by_email), IN_FLIGHT)
    return sample, len(asked_again)


def signed_answer(desktop: Desktop) -> float:
    """The phone approves with the desktop's number: signed, then sent; when it was sent."""
    phone = desktop.phone
    signed = phone.sign(phone.answer_payload(desktop.listed, "approve", desktop.number))
    sent = time.monotonic()
    response = phone.post("/app/api/answer", signed)
    desktop.result = response.json().get("result", f"status {response.status_code}")
    return sent


def recorded_approval(desktop: Desktop) -> float:
    return approve(desktop.waiter.attempt_id)


async def answer_in_blocks(server: Server, groups: dict[str, list[Desktop]],
                           ways: dict[str, Callable[[Desktop], float]], rounds: int
                           ) -> dict[str, list[Sample]]:
    """Hold every desktop's poll; then answer the groups block by block, the order
    alternating each round, ``RATE`` a second; server CPU per answer of each block."""
    stop_at = time.monotonic() + DEADLINE_SECONDS
    everyone = [d for group in groups.values() for d in group]
    holding = [asyncio.create_task(hold(d.waiter, stop_at)) for d in everyone]
    await asyncio.sleep(2)  # every poll is out and held
    loop = asyncio.get_running_loop()
    samples: dict[str, list[Sample]] = {name: [] for name in groups}
    names = list(groups)
    for r in range(rounds):
        for name in names[r % 2:] + names[:r % 2]:
            group = groups[name]
            size = -(-len(group) // rounds)
            block = group[r * size:(r + 1) * size]
            cpu, started = server.cpu_seconds(), time.monotonic()
            for desktop in block:
                began = time.monotonic()
                desktop.sent_at = await loop.run_in_executor(None, ways[name], desktop)
                await asyncio.sleep(max(0.0, 1 / RATE - (time.monotonic() - began)))
            await asyncio.sleep(0.5)  # the block's last answers reach their desktops
            samples[name].append(Sample(len(block), time.monotonic() - started,
                                        cpu_seconds=server.cpu_seconds() - cpu))
    await asyncio.wait(holding, timeout=max(1.0, stop_at - time.monotonic()))
    return samples


def latencies(desktops: list[Desktop]) -> list[float]:
    return [d.waiter.answered_at - d.sent_at for d in desktops if d.waiter.answered_at]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def app_answers(server: Server, bare: Server, bare_cookies, service, people, rounds: int,
                seconds: float, waiting: int) -> list[Row]:
    """W7 and the cost of the app's pushes and answers, against the same sign-ins without
    the app and bare Django's page, in one run."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 6 * waiting)), hard))
    http = PhoneHttp(server.port)
    phones = pair_phones(people.app, service, http)
    found: dict[str, Desktop] = {}
    app, plain = people.app[:waiting], people.no_app[:waiting]
    sign_in_batch(server, people.app[waiting:] + people.no_app[waiting:], {})  # warm up
    bare_page = Load("bare", "/page/", 16, bare_cookies)
    run_wrk(bare, bare_page, 1)
    steps: dict[str, list[Sample]] = {"app": [], "plain": [], "bare": []}
    size = -(-waiting // rounds)
    for r in range(rounds):
        order = ["plain", "app", "bare"]
        for kind in order[r % 3:] + order[:r % 3]:
            if kind == "bare":
                steps["bare"].append(run_wrk(bare, bare_page, seconds))
            else:
                batch = (app if kind == "app" else plain)[r * size:(r + 1) * size]
                steps[kind].append(sign_in_batch(server, batch, found))
    messages = len(service.messages())
    with_app = [found[e] for e in app if e in found]
    without = [found[e] for e in plain if e in found]
    for desktop in with_app:
        desktop.phone = phones[desktop.email]
    listing, asked_again = list_requests(server, with_app)
    listed = [d for d in with_app if d.listed]
    answers = asyncio.run(answer_in_blocks(
        server, {"app": listed, "plain": without},
        {"app": signed_answer, "plain": recorded_approval}, rounds))
    rows = _rows(steps, answers, listing, with_app, without, messages, waiting, rounds)
    rows[2].note += f" ({asked_again} asked again: challenge not fresh)"
    for row in rows[1:]:
        row.rss_mb = server.peak_rss_mb()
    rows[0].rss_mb = bare.peak_rss_mb()
    return rows


def _rows(steps, answers, listing, with_app, without, messages, waiting, rounds) -> list[Row]:
    cpu = {k: [s.cpu_ms_per_op for s in v] for k, v in {**steps, **{
        f"answer_{k}": v for k, v in answers.items()}}.items()}
    per_push = [a - p for a, p in zip(cpu["app"], cpu["plain"], strict=True)]
    per_answer = [a - p for a, p in zip(cpu["answer_app"], cpu["answer_plain"], strict=True)]
    bare, plain_step = cpu["bare"], cpu["plain"]
    whole = [(a + b) / (p + q) for a, b, p, q in zip(
        cpu["app"], cpu["answer_app"], cpu["plain"], cpu["answer_plain"], strict=True)]

    def ratio(values: list[float], bases: list[float]) -> float:
        return _median([v / b for v, b in zip(values, bases, strict=True) if b])

    app_lat, plain_lat = latencies(with_app), latencies(without)
    approved = sum(d.result == "approved" for d in with_app)
    n = len(with_app)
    kinds = Counter(e[:80] for d in with_app + without for e in d.waiter.errors)
    errors = sum(kinds.values())
    sent = f"{messages} pushes taken and decrypted by the loopback push service"
    rows = [
        Row("baseline: bare Django login_required page, 16 clients",
            throughput=_median([s.throughput for s in steps["bare"]]),
            cpu_ms_per_op=_median(bare)),
        Row("baseline: password step, no app (push to the provider only), "
            f"{IN_FLIGHT} at once", throughput=_median([s.throughput for s in steps["plain"]]),
            p50_ms=_median([s.p50_ms for s in steps["plain"]]),
            cpu_ms_per_op=_median(plain_step), errors=sum(s.errors for s in steps["plain"])),
        Row(f"W7 cost: password step pushing to the app, {IN_FLIGHT} at once",
            baseline="password step, no app",
            throughput=_median([s.throughput for s in steps["app"]]),
            p50_ms=_median([s.p50_ms for s in steps["app"]]),
            cpu_ms_per_op=_median(cpu["app"]), ratios={"cpu": ratio(cpu["app"], plain_step)},
            errors=sum(s.errors for s in steps["app"]),
            note=(f"a push sent (delivery rows, RFC 8291 encryption, VAPID signature, the "
                  f"POST) costs {_median(per_push):.2f} ms of server CPU = "
                  f"{ratio(per_push, bare):.2f}x a bare Django page, "
                  f"{ratio(per_push, plain_step):.2f}x a password step without the app; "
                  f"{sent}; a listing (challenge + signed list) "
                  f"{listing.cpu_ms_per_op:.2f} ms")),
        Row("baseline: desktop told of an approval recorded in process (no request)",
            p50_ms=percentile(plain_lat, 0.5), p99_ms=percentile(plain_lat, 0.95),
            throughput=_median([s.throughput for s in answers["plain"]]),
            cpu_ms_per_op=_median(cpu["answer_plain"]),
            note=f"{len(plain_lat)}/{len(without)} desktops answered; p95 in the p99 column"),
    ]
    w7 = Row(
        f"W7 signed answer to desktop answered, {n} + {len(without)} waiting",
        baseline="approval recorded in process",
        p50_ms=percentile(app_lat, 0.5), p99_ms=percentile(app_lat, 0.95),
        throughput=_median([s.throughput for s in answers["app"]]),
        cpu_ms_per_op=_median(cpu["answer_app"]),
        ratios={"cpu": ratio(cpu["answer_app"], cpu["answer_plain"])},
        target="answer p95 <= 1000 ms, every desktop answered",
        errors=errors,
        note=(f"{len(app_lat)}/{n} desktops answered, {approved} approved; p50 "
              f"{percentile(app_lat, 0.5):.0f} ms, p95 {percentile(app_lat, 0.95):.0f} ms, max "
              f"{1000 * max(app_lat, default=0):.0f} ms (p95 in the p99 column); an answer "
              f"verified costs {_median(per_answer):.2f} ms of server CPU = "
              f"{ratio(per_answer, bare):.2f}x a bare Django page, "
              f"{ratio(per_answer, plain_step):.2f}x a password step without the app; "
              f"a whole sign-in's password step and answer with the app cost "
              f"{_median(whole):.2f}x without it; {rounds} rounds, answers {RATE}/s; "
              f"requests expire after {EXPIRY_SECONDS} s for the run "
              "(ONETOUCH_EXPIRY_SECONDS)"
              + "".join(f"; poll errors: {n} x {kind}" for kind, n in kinds.most_common(3))),
    )
    w7.met = (percentile(app_lat, 0.95) <= 1000 and len(app_lat) == n == approved == waiting)
    return [*rows, w7]
