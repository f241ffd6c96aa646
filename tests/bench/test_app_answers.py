"""W7 runs end to end at a tiny size: ``python -m bench --only W7`` with four sign-ins of each
kind, on its own SQLite world, servers and loopback push service, in a subprocess (the bench
server's settings are not the tests'). Every desktop waiting on a phone with the app is
answered by that phone's signed answer, and every push reached the push service."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None,
                                reason="the bench's load generator: apt-get install wrk")


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> dict[str, dict]:
    results = tmp_path_factory.mktemp("w7")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "W7", "--waiting", "4", "--rounds", "2",
         "--seconds", "1", "--workers", "1", "--threads", "4", "--results", str(results)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [out] = results.glob("*.json")
    return {row["name"].split(",")[0]: row for row in json.loads(out.read_text())["rows"]}


def test_every_desktop_is_answered_by_its_phones_signed_answer(rows):
    w7 = rows["W7 signed answer to desktop answered"]

    assert "4/4 desktops answered, 4 approved" in w7["note"]
    assert w7["errors"] == 0
    assert w7["p99_ms"] > 0  # the p95 from answer sent to desktop answered


def test_every_push_reached_the_loopback_push_service_and_was_decrypted(rows):
    cost = rows["W7 cost: password step pushing to the app"]

    # the four timed sign-ins with the app and the four that warmed the server up
    assert "8 pushes taken and decrypted by the loopback push service" in cost["note"]
    assert cost["ratios"]["cpu"] > 0


def test_the_baselines_were_measured_in_the_same_run(rows):
    assert rows["baseline: bare Django login_required page"]["cpu_ms_per_op"] > 0
    assert rows["baseline: password step"]["cpu_ms_per_op"] > 0
    assert "4/4 desktops answered" in rows[
        "baseline: desktop told of an approval recorded in process (no request)"]["note"]
