"""Settings read at run time, one object per layer: ``from portal.conf import conf``.

Every default lives in ``portal/settings.py``; these objects only say which settings a layer
reads (a typo is an AttributeError, not a silent default) and read them on each access, so
tests can override them.
"""

from typing import Any

from django.conf import settings


class Settings:
    def __init__(self, names: set[str]) -> None:
        self._names = frozenset(names)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"{name} is not a setting read here")
        return getattr(settings, name)

    def rate_limit(self, name: str) -> tuple[int, int]:
        """(events allowed, per seconds) for a named limiter, with overrides applied."""
        return {**settings.RATE_LIMITS, **settings.TWOFACTOR_RATE_LIMITS}[name]


conf = Settings({
    "PUBLIC_BASE_URL",
    "REAUTH_WINDOW_SECONDS",
    "REAUTH_WRONG_PASSWORDS_ALLOWED",
    "KNOWN_BROWSER_COOKIE_NAME",
    "KNOWN_BROWSER_COOKIE_AGE",
    "KNOWN_BROWSER_COOKIE_SECURE",
    "TRUSTED_PROXY_COUNT",
    "SESSION_IDLE_SECONDS",
    "SESSION_COOKIE_AGE",
    "SESSION_TOUCH_SECONDS",
    "PHONE_DEFAULT_REGION",
})
