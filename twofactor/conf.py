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
    # Self-service phone changes: the code texted to the new number, and the email link.
    "PHONE_CHANGE_CODE_SECONDS": 600,
    "PHONE_CHANGE_CODE_RESEND_SECONDS": 30,
    "PHONE_CHANGE_MAX_CODES": 5,
    "PHONE_CHANGE_MAX_WRONG_CODES": 5,
    "PHONE_CHANGE_CONFIRM_SECONDS": 24 * 3600,
    "PHONE_CHANGE_MAX_PER_DAY": 3,
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
    # How often an active session records that it was seen (so not every request writes).
    "SESSION_TOUCH_SECONDS": 60,
    # Remote providers: ask for a push's answer at most this often, however often pages poll.
    "TWOFACTOR_PROVIDER_POLL_SECONDS": 3,
    # Soft limits in the shared cache: name -> (events allowed, per seconds). A setting of
    # the same name overrides single entries (the benchmark raises them).
    "TWOFACTOR_RATE_LIMITS": {},
    # Outside providers (CONTRACT.md names the variables; checks.py checks them).
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "AUTHY_API_KEY": "",
    "AUTHY_API_URL": "https://api.authy.com",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_VERIFY_SERVICE_SID": "",
    "TWILIO_VERIFY_BASE_URL": "https://verify.twilio.com",
    "TWILIO_MESSAGING_FROM": "",
    "TWILIO_MESSAGING_BASE_URL": "https://api.twilio.com",
    # What the person installs for Verify Push: the operator's own app.
    "TWILIO_VERIFY_APP_NAME": "the Partner Portal phone app",
    # Circuit breaker: this many failures within the window keep a provider uncalled for
    # the cool-down (state in the shared cache, so it holds across workers).
    "PROVIDER_BREAKER_FAILURES": 5,
    "PROVIDER_BREAKER_WINDOW_SECONDS": 60,
    "PROVIDER_BREAKER_COOLDOWN_SECONDS": 30,
    # A signed provider callback older (or further ahead) than this is refused.
    "CALLBACK_MAX_AGE_SECONDS": 300,
}

RATE_LIMITS: dict[str, tuple[int, int]] = {
    "login.account": (10, 15 * 60),  # wrong passwords per email address
    "login.ip": (50, 15 * 60),  # wrong passwords per client address (credential stuffing)
    "sms.user": (1, 30),  # cool-down per person
    "sms.number": (1, 30),  # cool-down per phone number
    "sms.user.hour": (5, 3600),
    "sms.ip": (10, 3600),
    "sms.portal.day": (2000, 24 * 3600),  # the whole portal's daily budget (SMS pumping)
    "push.user": (5, 10 * 60),  # push fatigue
}


class TwoFactorSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown two-factor setting {name}")
        return getattr(settings, name, DEFAULTS[name])


    def rate_limit(self, name: str) -> tuple[int, int]:
        """(events allowed, per seconds) for the named limiter, with overrides applied."""
        return {**RATE_LIMITS, **self.TWOFACTOR_RATE_LIMITS}[name]


conf = TwoFactorSettings()
