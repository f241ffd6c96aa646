"""The benchmark's arithmetic, without a server: wrk's summary, ratios, medians, the table."""

import json

import pytest

from bench.report import Row, Sample, compare, parse_wrk, percentile, table, to_json

WRK_OUTPUT = (
    "Running 5s test @ http://127.0.0.1:8123/dashboard/\n"
    "  2 threads and 16 connections\n"
    'BENCH-JSON {"requests":8000,"duration_us":5000000,"p50_us":4200,"p99_us":19000,'
    '"connect":0,"read":1,"write":0,"status":2,"timeout":0}\n'
)


def test_wrk_summary_becomes_a_sample_in_requests_per_second_and_milliseconds():
    sample = parse_wrk(WRK_OUTPUT)

    assert sample.throughput == 1600
    assert (sample.p50_ms, sample.p99_ms) == (4.2, 19.0)
    assert sample.errors == 3


def test_output_without_a_summary_line_is_an_error_that_shows_the_output():
    with pytest.raises(ValueError, match="Connection refused"):
        parse_wrk("unable to connect to 127.0.0.1:8123 Connection refused")


def test_ratios_are_medians_of_per_round_ratios_so_one_noisy_round_does_not_decide():
    base = [Sample(1000, 1), Sample(2000, 1), Sample(1000, 1)]  # round 2: the machine sped up
    work = [Sample(950, 1), Sample(1900, 1), Sample(500, 1)]  # round 3: a neighbour's test

    row = compare("W1", work, base, "plain")

    assert row.ratios["throughput"] == pytest.approx(0.95)


def test_cpu_per_operation_is_server_cpu_over_operations():
    plain = [Sample(10, 2, cpu_seconds=2.0)]
    two_factor = [Sample(10, 2, cpu_seconds=2.1)]

    row = compare("W3", two_factor, plain, "plain sign-in")

    assert row.cpu_ms_per_op == pytest.approx(210)
    assert row.ratios["cpu"] == pytest.approx(1.05)


def test_percentile_uses_the_nearest_rank():
    durations = [i / 1000 for i in range(1, 101)]

    assert percentile(durations, 0.5) == pytest.approx(50)
    assert percentile(durations, 0.99) == pytest.approx(99)
    assert percentile([], 0.5) == 0


def test_table_shows_ratios_targets_and_notes_and_json_keeps_every_field():
    row = Row("W5 hang", baseline="W1", throughput=1500, ratios={"throughput": 0.9},
              target="x req/s >= 0.80", met=True, note="12 sign-ins hung")

    text = table([row])
    data = json.loads(to_json([row], {"nproc": "2"}))

    assert "| W5 hang " in text and "0.90" in text and "yes" in text
    assert "- W5 hang: 12 sign-ins hung" in text
    assert data["rows"][0]["ratios"] == {"throughput": 0.9}
    assert data["meta"] == {"nproc": "2"}


def test_a_workload_that_served_nothing_shows_zero_and_a_skipped_one_shows_blanks():
    starved = Row("W5 sync", throughput=0.0, ratios={"throughput": 0.0}, met=False)
    skipped = Row("W4", note="skipped: its page is not built yet")

    starved_line, skipped_line = table([starved, skipped]).splitlines()[2:4]

    assert "| 0 " in starved_line and "NO" in starved_line
    assert set(skipped_line.replace("W4", "").replace("|", "").strip()) == set()
