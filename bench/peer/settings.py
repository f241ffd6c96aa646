"""Settings of the peer project: bare Django's (bench/bare/settings.py), plus
django-two-factor-auth as its documentation installs it.

Only what two_factor needs is added, so the difference to bare Django is the peer's own
cost of a verified page: django-otp's middleware (the session's device, loaded by one
query) and ``otp_required``. The database connection, session engine and cache are bare
Django's, and so the portal's.
"""

from bench.bare import settings as bare

SECRET_KEY = bare.SECRET_KEY
DEBUG = False
ALLOWED_HOSTS = bare.ALLOWED_HOSTS
SECURE_PROXY_SSL_HEADER = bare.SECURE_PROXY_SSL_HEADER
DATABASES = bare.DATABASES
SESSION_ENGINE = bare.SESSION_ENGINE
if hasattr(bare, "CACHES"):
    CACHES = bare.CACHES

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "bench.peer",  # its template
]
MIDDLEWARE = [
    *bare.MIDDLEWARE,
    "django_otp.middleware.OTPMiddleware",  # after auth, as django-otp requires
]
ROOT_URLCONF = "bench.peer.urls"
TEMPLATES = bare.TEMPLATES
DEFAULT_AUTO_FIELD = bare.DEFAULT_AUTO_FIELD
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "two_factor:login"  # where otp_required sends a session not verified
TWO_FACTOR_PATCH_ADMIN = False  # no admin here, as in bare Django
LOGGING = bare.LOGGING
