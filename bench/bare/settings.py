"""Settings of the bare project: Django's sessions and auth, nothing else.

What it shares with the portal, and why (so the ratio is the verified page's own cost, not
a difference in plumbing):

- The database connection: ``DATABASES`` is the portal's own, parsed from the same kind of
  ``DATABASE_URL`` by portal.settings (SQLite: its PRAGMAs and connection lifetime;
  PostgreSQL: persistent connections under WSGI, psycopg's pool under ASGI). The harness
  points DATABASE_URL at the bare project's own database (bench/world.py says why).
- The session engine: the database's table, as the portal's (with or without REDIS_URL;
  the cache configuration is shared too, same server, same key prefix).
- Nothing else: no CSRF, security, CSP, message or second-factor middleware, no context
  processor beyond Django's request and auth ones. A production site would add some of
  these; the portal counts them as part of its page's cost.
"""

import os

from portal import env
from portal.settings import CACHES as PORTAL_CACHES
from portal.settings import (
    DATABASES,  # noqa: F401 (the same connection settings)
    SESSION_ENGINE,  # noqa: F401 (the database's)
)

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", "127.0.0.1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "bench.bare",  # its template
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "bench.bare.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]
if env.text("REDIS_URL"):
    CACHES = PORTAL_CACHES  # the same cache as the portal (its sessions are in the database)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
