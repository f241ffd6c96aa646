"""The benchmark's world: a throwaway database and cache, and the people in them.

PostgreSQL + Redis when DATABASE_URL / REDIS_URL are given (a fresh database made and
dropped here, cache keys under a prefix of this run), else SQLite + the database cache in a
temporary folder. People are made with ``bulk_create`` and one precomputed password hash.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PASSWORD = "bench-password-2fa"


@dataclass
class Store:
    """Where this run keeps its data, and how to throw it away."""

    folder: Path
    database_url: str
    redis_url: str = ""
    cache_prefix: str = ""
    drop_database: str = ""
    admin_url: str = ""
    # The bare Django project's own database (bench/bare/), made and dropped the same way.
    # Its own, not the portal's: in one database its migrations would find auth's already
    # applied (the portal's, which swap in accounts.User and so never make auth_user) and
    # it would share django_session and django_content_type with the portal.
    bare_database_url: str = ""
    # The django-two-factor-auth peer's (bench/peer/), for the same reasons.
    peer_database_url: str = ""

    @property
    def label(self) -> str:
        db = "PostgreSQL" if self.database_url.startswith("postgres") else "SQLite"
        cache = "Redis" if self.redis_url else "database cache"
        return f"{db} + {cache}"

    def env(self) -> dict[str, str]:
        env = {"DATABASE_URL": self.database_url}
        if self.redis_url:
            env.update(REDIS_URL=self.redis_url, CACHE_KEY_PREFIX=self.cache_prefix)
        return env

    def discard(self) -> None:
        if self.drop_database:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                for suffix in ("", "_bare", "_peer"):
                    name = f"{self.drop_database}{suffix}"
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self.redis_url:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            for key in client.scan_iter(f"{self.cache_prefix}:*", count=1000):
                client.delete(key)


def make_store() -> Store:
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    given_db = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    prefix = f"bench-{os.getpid()}-{secrets.token_hex(3)}"
    if not given_db.startswith("postgres"):
        return Store(folder, f"sqlite:///{folder / 'bench.sqlite3'}", redis_url, prefix,
                     bare_database_url=f"sqlite:///{folder / 'bare.sqlite3'}",
                     peer_database_url=f"sqlite:///{folder / 'peer.sqlite3'}")
    import psycopg

    parts = urlsplit(given_db)
    name = f"portal_bench_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for suffix in ("", "_bare", "_peer"):
            conn.execute(f'CREATE DATABASE "{name}{suffix}"')
    url = urlunsplit(parts._replace(path=f"/{name}"))
    return Store(folder, url, redis_url, prefix, drop_database=name, admin_url=admin_url,
                 bare_database_url=urlunsplit(parts._replace(path=f"/{name}_bare")),
                 peer_database_url=urlunsplit(parts._replace(path=f"/{name}_peer")))


@dataclass
class People:
    """Emails by role in the benchmark, made by :func:`seed`."""

    verified: list[str] = field(default_factory=list)  # W1: sign in with the second factor
    pending: list[str] = field(default_factory=list)  # W2: stop after the password
    two_factor: list[str] = field(default_factory=list)  # W3: full two-factor sign-ins
    plain: list[str] = field(default_factory=list)  # W3: firm without a second factor
    fast_two_factor: list[str] = field(default_factory=list)  # W3 with the fast hasher
    fast_plain: list[str] = field(default_factory=list)
    hanging: list[str] = field(default_factory=list)  # W5: phones on the hanging provider
    waiting: list[str] = field(default_factory=list)  # W6: wait for their phones at once
    app: list[str] = field(default_factory=list)  # W7: phones with the Partner Portal app
    no_app: list[str] = field(default_factory=list)  # W7's baseline: the same, no app
    admins: dict[int, str] = field(default_factory=dict)  # W4: firm size -> its admin
    phones: dict[str, str] = field(default_factory=dict)  # email -> the number on file

    def sign_in(self, browser, email: str):
        """The whole sign-in of ``email`` (with the SMS token when asked for one)."""
        from bench import flows

        return flows.sign_in(browser, email, self.phones.get(email, ""))


def seed(sizes: list[int], sign_ins: int, hanging: int, waiting: int = 0, app: int = 0
         ) -> People:
    """Make the firms and people; every phone is registered with the local provider except
    the hanging people's, which are registered with ``authy`` (the emulator). W7's phones
    with the app are made once the push service they subscribe to runs (bench/app_answers.py)."""
    from django.contrib.auth.hashers import MD5PasswordHasher, make_password
    from django.utils import timezone

    from accounts.models import Firm, User
    from twofactor.models import PhoneDevice

    slow = make_password(PASSWORD)  # one PBKDF2 hash for everyone: seeding stays fast
    fast = MD5PasswordHasher().encode(PASSWORD, MD5PasswordHasher().salt())
    secured = Firm.objects.create(name="Bench Secured", two_factor_required=True)
    open_firm = Firm.objects.create(name="Bench Open", two_factor_required=False)
    people = People(
        verified=[f"verified{i}@secured.bench" for i in range(16)],
        pending=[f"pending{i}@secured.bench" for i in range(32)],
        two_factor=[f"signin{i}@secured.bench" for i in range(sign_ins)],
        plain=[f"signin{i}@open.bench" for i in range(sign_ins)],
        fast_two_factor=[f"fast{i}@secured.bench" for i in range(sign_ins)],
        fast_plain=[f"fast{i}@open.bench" for i in range(sign_ins)],
        hanging=[f"hang{i}@secured.bench" for i in range(hanging)],
        waiting=[f"wait{i}@secured.bench" for i in range(waiting)],
        app=[f"app{i}@secured.bench" for i in range(app)],
        no_app=[f"noapp{i}@secured.bench" for i in range(app)],
    )
    number = iter(range(10**9))

    def person(email: str, firm: Firm, hashed: str = slow, **extra) -> User:
        return User(
            email=email, full_name=email.split("@")[0].title(), firm=firm, password=hashed,
            phone=f"+1201{2000000 + next(number):07d}", **extra,
        )

    users = [person(e, secured) for e in people.verified + people.pending + people.two_factor]
    users += [person(e, secured) for e in people.hanging]
    users += [person(e, open_firm) for e in people.plain]
    users += [person(e, secured, fast)
              for e in people.fast_two_factor + people.waiting + people.app + people.no_app]
    users += [person(e, open_firm, fast) for e in people.fast_plain]
    for size in sizes:
        firm = Firm.objects.create(name=f"Bench {size} employees", two_factor_required=False)
        people.admins[size] = f"admin@{size}.bench"
        users.append(person(people.admins[size], firm, role=User.Role.ADMIN))
        users += [
            person(f"employee{i}@{size}.bench", firm, role=User.Role.TECH)
            for i in range(size - 1)
        ]
    User.objects.bulk_create(users, batch_size=5000)
    people.phones = {u.email: u.phone for u in users}

    now = timezone.now()
    hanging_set = set(people.hanging)
    secured_people = User.objects.filter(firm=secured).values_list("pk", "email", "phone")
    PhoneDevice.objects.bulk_create(
        [
            PhoneDevice(
                user_id=pk, name="Mobile phone", confirmed=True, number=phone,
                provider="authy" if email in hanging_set else "local",
                provider_ref=str(1000 + pk) if email in hanging_set else f"local:{pk}",
                registered_at=now,
            )
            for pk, email, phone in secured_people
        ],
        batch_size=5000,
    )
    return people
