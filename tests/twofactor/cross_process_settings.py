"""Settings for the two server processes of test_cross_process: a lock after 4 wrong tokens
(no back-off, so the test is quick), 4 password guesses, and one cache key prefix for both."""

import os

from tests.settings import *  # noqa: F403

TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
TWOFACTOR_FAILURES_BEFORE_LOCK = 4
TWOFACTOR_RATE_LIMITS = {"login.account": (4, 900)}
SMS_BACKEND = "twofactor.sms.console.SmsBackend"
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = os.environ["CROSS_PROCESS_CACHE_PREFIX"]  # noqa: F405
