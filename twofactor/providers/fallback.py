"""What still works when a provider call fails, in words for the challenge page.

Where SMS and OneTouch go through the same outside service (``independent_methods`` is
False: Authy, Twilio Verify) and that service is down, offering the other method as the way
out would only fail again; the page says so instead of pointing at a dead end, and points
at backup codes, which need no outside service. When the
service is up but refused this one request (say, no phone app enrolled for push), the other
method is still offered.
"""

from __future__ import annotations

from twofactor import methods
from twofactor.providers import get_provider
from twofactor.providers.base import ErrorKind, ProviderError

NO_APP_ENROLLED = "no_factor"


def what_still_works(failed: str, error: ProviderError | None = None) -> str:
    """One sentence after the error of the method called ``failed``: the other method that
    goes through the provider, or why it will not help now."""
    provider = get_provider()
    other = next(
        (m for m in methods.registry() if m.through_provider and m.name != failed), None
    )
    instead = other.instead if other else "Use one of your backup codes instead."
    if error is not None and error.code == NO_APP_ENROLLED:
        return f"OneTouch needs {provider.app_name} set up on your phone. {instead}"
    service_down = error is None or error.kind is not ErrorKind.REJECTED
    if other is None or provider.independent_methods or not service_down:
        return instead
    return (
        f"{other.sent_as.format(app=provider.app_name)} go through the same service, so "
        "please try again in a few minutes, or sign in with one of your backup codes: they "
        "do not need the service."
    )
