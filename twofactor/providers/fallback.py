"""What still works when a provider call fails, in words for the challenge page.

Where SMS and OneTouch go through the same outside service (``independent_methods`` is
False: Authy, Twilio Verify) and that service is down, offering the other method as the way
out would only fail again; the page says so instead of pointing at a dead end, and points
at backup codes, which need no outside service. When the
service is up but refused this one request (say, no phone app enrolled for push), the other
method is still offered.
"""

from __future__ import annotations

from typing import Literal

from twofactor.providers import get_provider
from twofactor.providers.base import ErrorKind, ProviderError

Method = Literal["push", "sms"]
NO_APP_ENROLLED = "no_factor"


def what_still_works(failed: Method, error: ProviderError | None = None) -> str:
    """One sentence after the error: the other method, or why it will not help now."""
    provider = get_provider()
    other = (
        "Use an SMS token instead."
        if failed == "push"
        else "Approve the OneTouch request on your phone instead."
    )
    if error is not None and error.code == NO_APP_ENROLLED:
        return f"OneTouch needs {provider.app_name} set up on your phone. {other}"
    service_down = error is None or error.kind is not ErrorKind.REJECTED
    if provider.independent_methods or not service_down:
        return other
    sharing = "Text messages" if failed == "push" else f"OneTouch requests to {provider.app_name}"
    return (
        f"{sharing} go through the same service, so please try again in a few minutes, "
        "or sign in with one of your backup codes: they do not need the service."
    )
