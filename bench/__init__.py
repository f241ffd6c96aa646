"""Load benchmarks over HTTP: ``make bench`` (bench/README.md). Run by hand, never in CI.

The bench-only settings, URLs and baseline views live here so they never exist in the
product: ``bench.settings`` extends ``portal.settings`` and is used only by the benchmark's
own gunicorn.
"""
