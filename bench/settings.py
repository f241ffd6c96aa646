"""Settings of the benchmark's server: production settings plus the bench-only baselines.

Never the product's: ``python -m bench`` points its gunicorn here. Everything else (DEBUG=0,
the database, the cache, the provider) comes from the environment the harness sets.
"""

from django.conf import global_settings

from portal import env
from portal.settings import *  # noqa: F403
from portal.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

# The second-factor middleware runs for every path except the baseline pages, so the plain
# login_required page is the same project minus exactly that middleware.
SECOND_FACTOR_MIDDLEWARE = [
    m for m in MIDDLEWARE
    if m == "twofactor.middleware.SecondFactorMiddleware" or m.startswith("django_otp.")
]
_first = next((MIDDLEWARE.index(m) for m in SECOND_FACTOR_MIDDLEWARE), len(MIDDLEWARE))
MIDDLEWARE = [m for m in MIDDLEWARE if m not in SECOND_FACTOR_MIDDLEWARE]
MIDDLEWARE.insert(_first, "bench.middleware.SecondFactorUnlessBaseline")

# Measurement only, labelled so in the table: a fast hasher shows what the second factor
# itself costs once the password hash no longer dominates a sign-in.
if env.flag("BENCH_FAST_HASHER", False):
    # MD5 first (new hashes, the fast people); Django's own still check everyone else's.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                        *global_settings.PASSWORD_HASHERS]

# Limits the load would trip, raised for the run through their named setting (the table
# lists them): every sign-in of the run comes from 127.0.0.1, and each password try in flight
# holds a count of that address (refunded once it is right) and each SMS counts as a text to it.
RAISED_LIMITS: dict[str, tuple[int, int]] = {
    "login.ip": (10**6, 15 * 60),
    "sms.ip": (10**6, 3600),
}
TWOFACTOR_RATE_LIMITS = RAISED_LIMITS
# W5 keeps sign-ins stuck round after round; the provider's circuit breaker would soon stop
# calling a provider that keeps timing out (its job, and a help to the workers), so it is
# raised for the run: the measured case is the worse one.
# W6's thousand browsers waiting for their phones all come from 127.0.0.1, past the held
# polls' cap per address (each would be answered at once and asked again every 3 s).
# W7's phones are subscribed to the loopback Web Push service (emulators/web_push.py), which
# production refuses: allowed here, with DEBUG off, as development allows it.
RAISED_SETTINGS = {"PROVIDER_BREAKER_FAILURES": 10**6, "PUSH_WAIT_MAX_PER_ADDRESS": 10**6,
                   "WEB_PUSH_ALLOW_LOOPBACK": True}
globals().update(RAISED_SETTINGS)

# Texts go to files the harness reads the tokens from (bench/sms.py).
SMS_BACKEND = "bench.sms.FileSmsBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
