"""The benchmark's arithmetic and output: wrk's summary, medians of per-round ratios, the
printed table and the JSON. Pure functions, tested in tests/bench/ without a server."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass, field

MARKER = "BENCH-JSON "


@dataclass(frozen=True)
class Sample:
    """One timed load: requests (or sign-ins) done, over how long, latency, server CPU."""

    requests: int
    seconds: float
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    cpu_seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_op(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0


def parse_wrk(output: str) -> Sample:
    """Read the summary line that bench/wrk/session.lua's ``done`` writes."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
            return Sample(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                errors=errors,
            )
    raise ValueError("wrk printed no summary line:\n" + output[-2000:])


def percentile(seconds: list[float], q: float) -> float:
    """The q-quantile of durations in seconds, in milliseconds (nearest rank)."""
    if not seconds:
        return 0.0
    ordered = sorted(seconds)
    return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def median_ratio(values: list[float], baselines: list[float]) -> float:
    """Median of the per-round ratios: rounds alternate, so drift cancels within a round."""
    return statistics.median(ratio(v, b) for v, b in zip(values, baselines, strict=True))


@dataclass
class Row:
    """One line of the table: a workload's medians, its ratios to its baseline, its target."""

    name: str
    baseline: str = ""
    throughput: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_ms_per_op: float = 0.0
    ratios: dict[str, float] = field(default_factory=dict)
    target: str = ""
    met: bool | None = None
    rss_mb: float = 0.0
    errors: int = 0
    note: str = ""


def summarise(name: str, rounds: list[Sample], **extra) -> Row:
    """Medians of a workload's rounds (the baseline rows of the table)."""
    return Row(
        name=name,
        throughput=statistics.median(s.throughput for s in rounds),
        p50_ms=statistics.median(s.p50_ms for s in rounds),
        p99_ms=statistics.median(s.p99_ms for s in rounds),
        cpu_ms_per_op=statistics.median(s.cpu_ms_per_op for s in rounds),
        errors=sum(s.errors for s in rounds),
        **extra,
    )


def compare(name: str, rounds: list[Sample], base: list[Sample], baseline: str, **extra) -> Row:
    """A workload against its baseline, round by round (same index = same round)."""
    row = summarise(name, rounds, baseline=baseline, **extra)
    row.ratios = {
        "throughput": median_ratio([s.throughput for s in rounds], [s.throughput for s in base]),
        "p50": median_ratio([s.p50_ms for s in rounds], [s.p50_ms for s in base]),
        "p99": median_ratio([s.p99_ms for s in rounds], [s.p99_ms for s in base]),
        "cpu": median_ratio(
            [s.cpu_ms_per_op for s in rounds], [s.cpu_ms_per_op for s in base]
        ),
    }
    return row


def _num(value: float, digits: int = 0) -> str:
    return "" if value != value else f"{value:,.{digits}f}"


def _ratio(row: Row, key: str) -> str:
    value = row.ratios.get(key)
    return "" if value is None or value != value else f"{value:.2f}"


def _measured(row: Row, value: float, digits: int = 0) -> str:
    """A skipped workload shows blanks, a measured zero shows 0."""
    return _num(value, digits) if row.throughput or row.ratios else ""


COLUMNS = [
    ("workload", lambda r: r.name),
    ("req/s", lambda r: _measured(r, r.throughput)),
    ("p50 ms", lambda r: _measured(r, r.p50_ms, 1)),
    ("p99 ms", lambda r: _measured(r, r.p99_ms, 1)),
    ("CPU ms/op", lambda r: _measured(r, r.cpu_ms_per_op, 2)),
    ("x req/s", lambda r: _ratio(r, "throughput")),
    ("x p50", lambda r: _ratio(r, "p50")),
    ("x p99", lambda r: _ratio(r, "p99")),
    ("x CPU", lambda r: _ratio(r, "cpu")),
    ("baseline", lambda r: r.baseline),
    ("target", lambda r: r.target),
    ("met", lambda r: {True: "yes", False: "NO", None: ""}[r.met]),
    ("RSS/worker MB", lambda r: _measured(r, r.rss_mb)),
]


def table(rows: list[Row]) -> str:
    """A Markdown table (it reads fine in a terminal too); notes follow as a list."""
    cells = [[title for title, _ in COLUMNS]] + [[get(r) for _, get in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
             for line in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {r.name}: {r.note}" for r in rows if r.note]
    errors = [f"- {r.name}: {r.errors} failed requests" for r in rows if r.errors]
    return "\n".join(lines + ([""] if notes or errors else []) + notes + errors)


def to_json(rows: list[Row], meta: dict) -> str:
    return json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2)
