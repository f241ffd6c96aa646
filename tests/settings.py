"""Test settings: the portal's settings, with a fast hasher and short expiries and holds.

Production keeps Django's slow default hasher; only tests swap it.
"""

import os

os.environ.setdefault("DEBUG", "1")

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SIMULATED_PHONE = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# One key prefix per test process (each pytest-xdist worker shares the Redis database):
# tests/caches.py empties only its own between tests.
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"portal-test-{os.getpid()}"  # noqa: F405
SMS_BACKEND = "twofactor.sms.locmem.SmsBackend"
# A fake provider, all in memory (tests/fakes.py), switched on by the fake_provider fixture.
TWOFACTOR_PROVIDERS = {**TWOFACTOR_PROVIDERS, "fake": "tests.fakes.FakeProvider"}  # noqa: F405
# A loaded CI machine can take more than production's 1 s to open a first probe connection;
# the test of the deadline itself sets its own.
HEALTH_CHECK_TIMEOUT_SECONDS = 5.0
# A sign-in method that exists only here (tests/email_codes): the proof that a method is a
# plug-in. Registered the way every method is, between SMS and backup codes.
TWOFACTOR_METHODS = [*TWOFACTOR_METHODS[:-1], "tests.email_codes", TWOFACTOR_METHODS[-1]]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "tests.email_codes"]  # noqa: F405
# The Partner Portal app's pushes in tests: a fixed VAPID key (Django runs tests with DEBUG
# off, so development's derived key does not apply).
VAPID_PRIVATE_KEY = "VbcqrSkM6EGk70brk_pu3pSJxGkt6zLP9DPcOtfyXuE"
VAPID_SUBJECT = "mailto:security@portal.test"
