"""R: a restart while sign-ins wait for their phones, as systemd's restart does it (SIGTERM to
the gunicorn master, wait for it to exit, start a new one on the same port).

Measured: how long the old server takes to exit with ``len(emails)`` held polls, and the
gap from SIGTERM until the new server answers, the time in which connections are refused.
Each held poll is asked as the page does (``long_polls.hold``); its loop ends when the old
server answers it or refuses the next ask.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from bench.long_polls import hold, pending_sign_ins
from bench.report import Row
from bench.server import Server, Shape


def restart(env: dict[str, str], shape: Shape, log: Path, emails: list[str]) -> Row:
    old = Server(env, shape).start(log)
    try:
        waiters = pending_sign_ins([old], emails)
        exited, answered = asyncio.run(_stop_while_held(old, waiters))
    finally:
        old.stop()
    new = Server(env, shape, port=old.port)
    try:
        new.start(log)
        gap = time.monotonic() - exited["term"]
    finally:
        new.stop()
    note = (f"{len(waiters)} held polls; {answered} answered before the old server exited; "
            f"old server exited {exited['after']:.1f} s after SIGTERM; connections refused "
            f"for {gap:.1f} s until the new one answered")
    return Row(f"R restart with {len(waiters)} held polls, {shape}", note=note,
               p50_ms=1000 * exited["after"], p99_ms=1000 * gap)


async def _stop_while_held(server: Server, waiters) -> tuple[dict[str, float], int]:
    stop_at = time.monotonic() + 60
    holding = [asyncio.create_task(hold(w, stop_at)) for w in waiters]
    await asyncio.sleep(2)  # every poll is out and held
    term = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    while server.process.poll() is None and time.monotonic() - term < 60:
        await asyncio.sleep(0.05)
    after = time.monotonic() - term
    answered = sum(1 for w in waiters if w.replies)
    for task in holding:
        task.cancel()
    await asyncio.gather(*holding, return_exceptions=True)
    return {"term": term, "after": after}, answered
