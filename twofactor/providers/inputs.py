"""Input hygiene for provider calls: nothing unchecked goes into a provider URL or request.

The 2015 Authy client bypass sent the token ``../sms`` into the verify URL, which the server
resolved to the SMS endpoint and answered "success". Here a token must be ASCII digits of a
bounded length (``\\d`` would also match Arabic-Indic and other Unicode digits), and every
provider reference built into a path must match the provider's own id format.
"""

from __future__ import annotations

import re

from twofactor.providers.base import ErrorKind, ProviderError


def is_token(value: object, *, min_digits: int = 6, max_digits: int = 10) -> bool:
    """True when ``value`` looks like a token the provider issues (ASCII digits only)."""
    return (
        isinstance(value, str)
        and min_digits <= len(value) <= max_digits
        and re.fullmatch(r"[0-9]+", value) is not None
    )


def checked_ref(value: object, pattern: str, what: str) -> str:
    """``value`` if it fully matches ``pattern``; otherwise REJECTED, never a request."""
    if not isinstance(value, str) or re.fullmatch(pattern, value, flags=re.ASCII) is None:
        raise ProviderError(ErrorKind.REJECTED, f"malformed {what}")
    return value
