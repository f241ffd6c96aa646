"""One settings object for the second factor: ``from twofactor.conf import conf``.

Every setting has its default here, so no module reads ``getattr(settings, ...)`` itself.
Values are read on each access, so tests can use ``settings`` overrides.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "TWOFACTOR_PROVIDER": "local",
    "ONETOUCH_EXPIRY_SECONDS": 120,
    "PROVIDER_TIMEOUT_SECONDS": 5,
    "PHONE_CHANGE_HOLD_SECONDS": 72 * 3600,
    "SMS_BACKEND": "twofactor.sms.console.SmsBackend",
    "SIMULATED_PHONE": False,
    # A pending sign-in attempt (password done, second factor not yet) lasts this long.
    "TWOFACTOR_ATTEMPT_SECONDS": 600,
    # Tokens the portal makes itself (local provider).
    "TWOFACTOR_TOKEN_DIGITS": 6,
    "TWOFACTOR_TOKEN_SECONDS": 600,
    # Wrong tokens: back-off after a few, a hard lock at the cap (per account, on DB rows).
    "TWOFACTOR_FAILURES_BEFORE_BACKOFF": 3,
    "TWOFACTOR_FAILURES_BEFORE_LOCK": 10,
    "TWOFACTOR_LOCK_SECONDS": 3600,
    # Sessions end after an idle time and an absolute time.
    "SESSION_IDLE_SECONDS": 3600,
    "SESSION_COOKIE_AGE": 12 * 3600,
}


class TwoFactorSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown two-factor setting {name}")
        return getattr(settings, name, DEFAULTS[name])


conf = TwoFactorSettings()
