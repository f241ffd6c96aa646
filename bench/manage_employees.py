"""Manage Employees at 100, 10,000 and 100,000 employees: server time per page, in process.

Run by hand (never a timed test), against the database DATABASE_URL names, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_people \\
        .venv/bin/python bench/manage_employees.py [--sizes 100,10000,100000] [--rounds 30]

It creates the database's tables if needed, one firm per size ("Bench 100" ...) filled with
bulk_create and one precomputed password hash, then times GETs through Django's test client
(no HTTP, no worker model: issue 7's `make bench` measures the page over HTTP under
gunicorn). For each size: the first page, a page deep in the list (by its cursor, the way
the Next link gets there), a search by number and a search by part of a name. Prints p50
and p99 in milliseconds, SQL queries per page, and the p50 ratio to the smallest size.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("STATIC_ROOT", "/tmp/portal-bench-static")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Firm, User  # noqa: E402

BATCH = 5000
ROW = "{:>10} {:<8} {:>8} {:>8} {:>8} {:>10}"


def firm_of(size: int, hashed: str) -> User:
    """The bench firm with ``size`` employees (made once, reused by later runs); its admin."""
    firm, _ = Firm.objects.get_or_create(name=f"Bench {size}")
    have = User.objects.filter(firm=firm).count()
    for start in range(have, size, BATCH):
        User.objects.bulk_create(
            [
                User(
                    email=f"p{i:07d}@bench{size}.example",
                    full_name=f"Person {i:07d}",
                    role=User.Role.ADMIN if i == 0 else User.Role.TECH,
                    firm=firm,
                    password=hashed,
                    phone=f"+1201{(i % 10_000_000):07d}" if i % 4 else "",
                )
                for i in range(start, min(start + BATCH, size))
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_user")  # fresh statistics, as autovacuum would
    return User.objects.get(firm=firm, email=f"p0000000@bench{size}.example")


def timed(client: Client, url: str, rounds: int) -> tuple[list[float], int]:
    client.get(url)  # warm
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return samples, len(queries)


def deep_cursor(client: Client, size: int) -> str:
    """The cursor the Next link carries about 90% of the way through the list."""
    from manage.paging import _cursor

    name = f"Person {int(size * 0.9):07d}"
    person = User.objects.filter(full_name=name).order_by("id").first()
    return _cursor("n", [person.full_name, person.pk]) if person else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production's manifest
    hashed = make_password("bench-password")
    print(f"database: {connection.vendor}; rounds: {args.rounds}")
    print(ROW.format("employees", "page", "p50 ms", "p99 ms", "queries", "p50 ratio"))
    baseline: dict[str, float] = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        admin = firm_of(size, hashed)
        client = Client(headers={"X-Forwarded-Proto": "https"})  # production redirects http
        client.force_login(admin)
        pages = {
            "first": "/manage/employees/",
            "deep": f"/manage/employees/?cursor={deep_cursor(client, size)}",
            "number": "/manage/employees/?q=%2B1+201+000+0005",
            "name": "/manage/employees/?q=person+00000",
        }
        for label, url in pages.items():
            samples, queries = timed(client, url, args.rounds)
            p50 = statistics.median(samples)
            p99 = statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else p50
            baseline.setdefault(label, p50)
            ratio = p50 / baseline[label]
            print(ROW.format(size, label, f"{p50:.1f}", f"{p99:.1f}", queries, f"{ratio:.2f}"))


if __name__ == "__main__":
    main()
