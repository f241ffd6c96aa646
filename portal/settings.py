"""Partner Portal settings. Every value comes from the environment (docs/configuration.md).

With nothing set, the portal runs in development mode: DEBUG on, SQLite, the database cache,
the `local` second-factor provider and the simulated phone. Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.flag("DEBUG", True)

SECRET_KEY = env.text("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG=0) needs a long random SECRET_KEY, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "dev-only-key-never-used-in-production-" + "x" * 20

# Fernet keys for secrets stored encrypted (authenticator apps), newest first; older keys
# stay listed after the new one until `manage.py reencrypt_secrets` has run
# (docs/configuration.md, "Rotating FIELD_ENCRYPTION_KEY").
# Required with DEBUG=0 (a `check` error); development derives one from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env.items("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY and DEBUG:
    FIELD_ENCRYPTION_KEY = [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"portal.field-encryption:" + SECRET_KEY.encode()).digest()
        ).decode()
    ]

ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "accounts.views.errors.csrf_failure"
# The portal's external address (https://portal.example): every link in mail and texts starts
# with it, provider callbacks are checked against it, and its host is the WebAuthn relying
# party (browsers refuse an IP address, so development uses localhost). Required with
# DEBUG=0 (check --deploy, twofactor.E015); unset in development, links use the request's
# host or localhost:PORT.
PUBLIC_BASE_URL = env.text("PUBLIC_BASE_URL", "").rstrip("/")
PORT = env.integer("PORT", 8000)  # where `make run` serves (links made without a request)
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver leaves /static/ to WhiteNoise (finders in development), as gunicorn does:
    # Django's own static handler answers /static/../x with a 500.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "csp",
    "accounts",
    "twofactor",
    "twofactor.phone_sim",
    "manage",
]

# The ways of answering the second step, strongest first (the challenge page's order): each
# a plug-in app whose AppConfig names its Method class (docs/methods.md). They are installed
# from this list; nothing else names them.
TWOFACTOR_METHODS = [
    "twofactor.methods.security_key",
    "twofactor.methods.push",
    "twofactor.methods.totp",
    "twofactor.methods.sms",
    "twofactor.methods.backup_codes",
]
INSTALLED_APPS += TWOFACTOR_METHODS
# Push's own channel to phones: the Partner Portal app (Web Push, no vendor account).
INSTALLED_APPS += ["twofactor.methods.push.portal_app"]
# A first factor set up with the password and an emailed code (twofactor/enrolment/).
INSTALLED_APPS += ["twofactor.enrolment"]
# The longest the password step waits for the pushes to the Partner Portal app to be handed
# to the push services (slower ones finish in the background).
WEB_PUSH_DEADLINE_SECONDS = env.integer("WEB_PUSH_DEADLINE_SECONDS", 2)

MIDDLEWARE = [
    "portal.operations.OperationsMiddleware",  # health, metrics, request ids (before HTTPS/hosts)
    "django.middleware.security.SecurityMiddleware",
    "portal.request_shape.RequestShapeMiddleware",  # an unreadable request: a 400, here only
    "portal.links.RequestForLinksMiddleware",  # links in mail sent now use this request's host
    "twofactor.methods.push.poll.PollMiddleware",  # the poll needs nothing below (poll.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",  # lifetimes, no-store, known-browser cookie
    "twofactor.middleware.SecondFactorMiddleware",
    "portal.headers.SecurityHeadersMiddleware",  # X-Frame-Options and the CSP, built once
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "twofactor.context_processors.provider",
            ],
        },
    },
]

# Database: SQLite by default, tuned so several workers do not trip over "database is locked".
DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
on_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if on_sqlite:
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server answers 503 within 2 s instead of hanging (portal.outage), and
    # a connection that died with a restart is checked and replaced before it is used.
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 2
# Persistent connections (WSGI threads) and pooled ones (ASGI) alike are checked before use.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env.flag("PORTAL_ASGI", False):
    # Django's ASGI rule: no persistent connections (each request runs in its own thread
    # context); psycopg's pool hands connections out instead. A failed reconnection is not
    # retried in the background for minutes: the next request asks again (quick recovery).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if not on_sqlite:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 2, "max_size": env.integer("DATABASE_POOL_MAX", 16), "timeout": 10,
            "reconnect_timeout": 0.5,
        }
# Otherwise WSGI threads keep their connection (SQLite too: a new one re-reads the whole
# schema, about a millisecond of CPU, on every request).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (rate limits, push statuses); else the database cache.
REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.text("CACHE_KEY_PREFIX", "portal"),
            # A Redis that is down or stuck fails the operation in a second, not never.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
# Sessions in the database whatever the cache: a Redis that restarts empty or goes away
# signs nobody out, and a sign-out is final (docs/operations-redis.md).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.integer("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# Sessions end after an idle time and an absolute time (accounts.middleware).
SESSION_IDLE_SECONDS = env.integer("SESSION_IDLE_SECONDS", 3600)
SESSION_COOKIE_AGE = env.integer("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves straight from static/ (WhiteNoise finds files); production collects them.
STATIC_ROOT = None if DEBUG else env.text("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Hashed names (portal.3f2a9c.css) are cached for ten years as immutable by WhiteNoise itself;
# an unhashed name keeps WhiteNoise's one minute, so an edited file is never stuck in a cache.
WHITENOISE_MAX_AGE = 60

# Email: to files when EMAIL_FILE_PATH is set (tests, demos), the console in development.
EMAIL_FILE_PATH = env.text("EMAIL_FILE_PATH")
if EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.text("EMAIL_HOST", "localhost")
    EMAIL_PORT = env.integer("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env.text("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "Partner Portal <no-reply@portal.example>")

# Phone numbers typed without a country code are read in this region.
PHONE_DEFAULT_REGION = env.text("PHONE_DEFAULT_REGION", "US")

# Re-entering the password for a sensitive action counts for this long.
REAUTH_WINDOW_SECONDS = env.integer("REAUTH_WINDOW_SECONDS", 600)
# Wrong passwords at "Confirm your password" (or "Change password") that end the session.
REAUTH_WRONG_PASSWORDS_ALLOWED = 5
# A browser that signed in to an account before is exempt from that account's ceiling of
# wrong passwords across addresses (login.account), so guessing elsewhere cannot lock it out.
KNOWN_BROWSER_COOKIE_NAME = "portal_known_browser" if DEBUG else "__Host-portal_known_browser"
KNOWN_BROWSER_COOKIE_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days
KNOWN_BROWSER_COOKIE_SECURE = not DEBUG
# How often an active session records that it was seen (so not every request writes).
SESSION_TOUCH_SECONDS = 60

# Named soft rate limits (portal.limits): name -> (events allowed, per seconds), counted in
# the shared cache. TWOFACTOR_RATE_LIMITS overrides single entries (the benchmark raises some).
RATE_LIMITS = {
    # Wrong passwords only: each try is counted first and refunded when the password is right.
    "login.account_address": (10, 15 * 60),  # per email address from one client address
    "login.account": (100, 3600),  # per email address, all addresses (known browsers exempt)
    "login.ip": (50, 15 * 60),  # per client address, all emails (credential stuffing)
    "password_reset.account": (3, 3600),  # reset emails to one person
    "password_reset.ip": (20, 3600),  # "Forgot your password?" forms from one address
    "sms.user": (1, 30),  # cool-down per person
    "sms.number": (1, 30),  # cool-down per phone number
    "sms.user.hour": (5, 3600),
    "sms.ip": (10, 3600),
    "sms.portal.day": (2000, 24 * 3600),  # the whole portal's daily budget (SMS pumping)
    "push.user": (5, 10 * 60),  # push fatigue
    "passkey.ip": (30, 10 * 60),  # "Sign in with a passkey" ceremonies started per address
    # Failed passkey answers: anyone can present a credential id, so these count against the
    # credential and the address, never toward its owner's second-factor lock.
    "passkey.failed.credential": (10, 3600),
    "passkey.failed.ip": (30, 3600),
    # The Partner Portal app: pairing links tried per address, and each phone's signed calls
    # (it lists every few seconds while open).
    "app.pair.ip": (20, 3600),
    "app.phone": (120, 60),
    # The Security overview's "Remind them": one email a day to a person, whichever admin asks.
    "reminder.person": (1, 24 * 3600),
}
TWOFACTOR_RATE_LIMITS: dict[str, tuple[int, int]] = {}

# Second factor (read through twofactor.conf, never directly).
TWOFACTOR_PROVIDER = env.text("TWOFACTOR_PROVIDER", "local")
# Provider names -> classes; test settings add a fake one.
TWOFACTOR_PROVIDERS = {
    "local": "twofactor.providers.local.LocalProvider",
    "authy": "twofactor.providers.authy.AuthyProvider",
    "twilio_verify": "twofactor.providers.twilio_verify.TwilioVerifyProvider",
}
AUTHY_API_KEY = env.text("AUTHY_API_KEY")
AUTHY_API_URL = env.text("AUTHY_API_URL", "https://api.authy.com")
TWILIO_ACCOUNT_SID = env.text("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env.text("TWILIO_AUTH_TOKEN")
TWILIO_VERIFY_SERVICE_SID = env.text("TWILIO_VERIFY_SERVICE_SID")
TWILIO_VERIFY_BASE_URL = env.text("TWILIO_VERIFY_BASE_URL", "https://verify.twilio.com")
TWILIO_MESSAGING_FROM = env.text("TWILIO_MESSAGING_FROM")
TWILIO_MESSAGING_BASE_URL = env.text("TWILIO_MESSAGING_BASE_URL", "https://api.twilio.com")
# What the person installs for Verify Push: the operator's own app.
TWILIO_VERIFY_APP_NAME = env.text("TWILIO_VERIFY_APP_NAME", "the Partner Portal phone app")
PHONE_CHANGE_HOLD_SECONDS = env.integer("PHONE_CHANGE_HOLD_SECONDS", 72 * 3600)
ONETOUCH_EXPIRY_SECONDS = env.integer("ONETOUCH_EXPIRY_SECONDS", 120)
PROVIDER_TIMEOUT_SECONDS = env.integer("PROVIDER_TIMEOUT_SECONDS", 5)
SMS_BACKEND = env.text("SMS_BACKEND", "twofactor.sms.console.SmsBackend")
SIMULATED_PHONE = env.flag("SIMULATED_PHONE", DEBUG and TWOFACTOR_PROVIDER == "local")
# Security keys and passkeys (WebAuthn).
WEBAUTHN_CHALLENGE_SECONDS = 300  # a ceremony's challenge lives in the session this long
SECURITY_KEYS_PER_PERSON = 10
# Self-service phone changes: the code texted to the new number, and the email link.
PHONE_CHANGE_CODE_SECONDS = 600
PHONE_CHANGE_CODE_RESEND_SECONDS = 30
PHONE_CHANGE_MAX_CODES = 5
PHONE_CHANGE_MAX_WRONG_CODES = 5
PHONE_CHANGE_CONFIRM_SECONDS = 24 * 3600
PHONE_CHANGE_MAX_PER_DAY = 3
# A pending sign-in (password done, second factor not yet) lasts this long.
TWOFACTOR_ATTEMPT_SECONDS = 600
# A first sign-in's set-up (twofactor/enrolment/): how long an invitation's or an admin's
# set-up window stays open, and the emailed code that goes with the password.
ENROLMENT_WINDOW_DAYS = env.integer("ENROLMENT_WINDOW_DAYS", 7)
ENROLMENT_CODE_DIGITS = 8
ENROLMENT_CODE_SECONDS = 600
ENROLMENT_CODE_RESEND_SECONDS = 60
ENROLMENT_CODE_MAX_WRONG = 5
ENROLMENT_CODE_MAX_PER_DAY = 10
# Tokens the portal makes itself (local provider).
TWOFACTOR_TOKEN_DIGITS = 6
TWOFACTOR_TOKEN_SECONDS = 600
# Wrong tokens: back-off after a few, a hard lock at the cap (per account, on DB rows).
TWOFACTOR_FAILURES_BEFORE_BACKOFF = 3
TWOFACTOR_FAILURES_BEFORE_LOCK = 10
TWOFACTOR_LOCK_SECONDS = 3600
# "This wasn't me": no pushes to the person for this long (other methods still work).
PUSH_PAUSE_SECONDS = 3600
# Held push status polls (make serve), per worker: Redis connections for the polls' reads and
# their one pub/sub subscription (a blocking pool: a burst waits for one), and polls held at
# once per client address (beyond it a poll is answered at once and asked again soon).
PUSH_WAIT_REDIS_MAX_CONNECTIONS = env.integer("PUSH_WAIT_REDIS_MAX_CONNECTIONS", 10)
if PUSH_WAIT_REDIS_MAX_CONNECTIONS < 2:
    raise ImproperlyConfigured("PUSH_WAIT_REDIS_MAX_CONNECTIONS must be at least 2 (the "
                               "subscription holds one).")
PUSH_WAIT_MAX_PER_ADDRESS = env.integer("PUSH_WAIT_MAX_PER_ADDRESS", 50)
# The Partner Portal app gets its pushes by Web Push (RFC 8030, 8291, 8292), signed with this
# VAPID key: PEM, or the raw 32-byte P-256 private value in URL-safe base64. Required with
# DEBUG=0 (twofactor.E040); development derives a stable one from SECRET_KEY.
VAPID_PRIVATE_KEY = env.text("VAPID_PRIVATE_KEY")
# Who the push services contact about our pushes: mailto: or https: (twofactor.E041).
VAPID_SUBJECT = env.text("VAPID_SUBJECT", "mailto:security@localhost")
# The only hosts pushes go to: the browsers' push services (".suffix" matches subdomains).
# Development also accepts a loopback http:// endpoint (a local push service for tests).
WEB_PUSH_HOSTS = env.items(
    "WEB_PUSH_HOSTS",
    "fcm.googleapis.com,"  # Google FCM: Chrome, Edge on Android, Samsung Internet, Opera
    "updates.push.services.mozilla.com,.push.services.mozilla.com,"  # Mozilla: Firefox
    ".push.apple.com,"  # Apple: Safari on macOS, iOS and iPadOS 16.4+ home-screen apps
    ".notify.windows.com",  # Microsoft WNS: Edge on Windows
)
# Seconds one push may take in all: connecting, sending and the push service's whole answer.
WEB_PUSH_TIMEOUT_SECONDS = env.integer("WEB_PUSH_TIMEOUT_SECONDS", 3)
# A loopback http:// push service (tests, trying the app offline): development only, so it
# follows DEBUG (Django's test runner turns DEBUG off after settings are read; this stays).
WEB_PUSH_ALLOW_LOOPBACK = DEBUG
# Threads per make serve worker running Django's WSGI handler (portal.threaded_wsgi).
WSGI_THREADS = env.integer("GUNICORN_THREADS", 8)
# "Don't ask again on this browser for 30 days": absolute lifetime, and how many per person.
REMEMBER_BROWSER_SECONDS = 30 * 24 * 3600
REMEMBER_BROWSER_MAX = 10
REMEMBER_BROWSER_COOKIE_NAME = "remembered_browser"
# Remote providers: ask for a push's answer at most this often, however often pages poll.
TWOFACTOR_PROVIDER_POLL_SECONDS = 3
# Circuit breaker: this many failures within the window keep a provider uncalled for the
# cool-down (state in the shared cache, so it holds across workers).
PROVIDER_BREAKER_FAILURES = 5
PROVIDER_BREAKER_WINDOW_SECONDS = 60
PROVIDER_BREAKER_COOLDOWN_SECONDS = 30
# A signed provider callback older (or further ahead) than this is refused.
CALLBACK_MAX_AGE_SECONDS = 300

# Security headers. Production runs behind a TLS proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# portal.headers sets X-Frame-Options in place of Django's middleware, whose presence W002
# checks by name; portal.W002 checks for portal.headers instead.
SILENCED_SYSTEM_CHECKS = ["security.W002"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    REMEMBER_BROWSER_COOKIE_NAME = "__Host-remembered_browser"

# Content security policy: everything from this origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Operations (docs/operations.md): /readyz gives each check this long in all; /metrics
# answers these addresses or networks only, and never a request that came through a proxy.
HEALTH_CHECK_TIMEOUT_SECONDS = 1.0
METRICS_ALLOWED_ADDRESSES = env.networks("METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")

# Logs on stderr: "text" (default), or "json": one JSON object a line, with a line per
# request (portal.request) and per security event (portal.security), each with a request id.
LOG_FORMAT = env.text("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
_STRUCTURED = "INFO" if LOG_FORMAT == "json" else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "portal.request": {"level": _STRUCTURED},
        "portal.security": {"level": _STRUCTURED},
    },
}
