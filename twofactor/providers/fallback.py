"""What still works when a provider call fails, in words for the challenge page.

Where SMS and OneTouch go through the same outside service (``independent_methods`` is
False: Authy, Twilio Verify), offering the other method as the way out would only fail
again; the page says so instead of pointing at a dead end.
"""

from __future__ import annotations

from typing import Literal

from twofactor.providers import get_provider

Method = Literal["push", "sms"]


def what_still_works(failed: Method, provider_name: str | None = None) -> str:
    """One sentence after the error: the other method, or why it will not help now."""
    provider = get_provider(provider_name)
    if provider.independent_methods:
        if failed == "push":
            return "Use an SMS token instead."
        return "Approve the OneTouch request on your phone instead."
    other = "Text messages" if failed == "push" else f"OneTouch requests to {provider.app_name}"
    return f"{other} go through the same service, so please try again in a few minutes."
