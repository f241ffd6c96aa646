"""Texting a token to the number on file (only ever that number), under every SMS limit.

Used by "Send SMS token" on the challenge page and by the password step for people whose
default way is SMS. Answers what happened, in words for the page, never raises.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest

from accounts import audit, phones
from accounts.audit import Tag
from portal import limits
from portal.request_info import client_ip
from twofactor import registration
from twofactor.conf import conf
from twofactor.models import SignInAttempt
from twofactor.providers import get_provider
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import verification


@dataclass(frozen=True)
class Sent:
    """What became of a request for a token: sent or not, and what to tell the person."""

    ok: bool
    message: str
    status: int = 200
    retry_after: int | None = None

    def tell(self, request: HttpRequest) -> None:
        (messages.success if self.ok else messages.error)(request, self.message)


def text_token(request: HttpRequest, attempt: SignInAttempt) -> Sent:
    user = attempt.user
    refused = verification.refusal(attempt, request)
    if refused:
        return Sent(False, refused.message, 429)
    try:
        limits.hit_all([
            ("sms.user", user.pk),
            ("sms.number", user.phone),
            ("sms.user.hour", user.pk),
            ("sms.ip", client_ip(request)),
            ("sms.portal.day", "portal"),
        ])
    except limits.RateLimited as tripped:
        audit.record(Tag.SMS_THROTTLED, request=request, attempt_id=attempt.pk,
                     subject=user, limit=tripped.name)
        message = (
            "A token was sent very recently; check your messages."
            if tripped.name in ("sms.user", "sms.number")
            else "Too many text messages have been sent."
        )
        return Sent(
            False, f"{message} You can ask again in {tripped.wait_text}.", 429,
            tripped.retry_after,
        )
    try:
        device = registration.ensure_registered(user)
        get_provider(device.provider).send_sms(
            user, device.provider_ref, user.phone, attempt_id=str(attempt.pk)
        )
    except ProviderError as error:
        audit.record(Tag.PROVIDER_FAILED, request=request, attempt_id=attempt.pk,
                     subject=user, kind=str(error.kind))
        return Sent(False, f"{error.user_message} {what_still_works('sms', error)}", 503)
    audit.record(Tag.SMS_SENT, request=request, attempt_id=attempt.pk,
                 subject=user, to=phones.mask(user.phone))
    minutes = conf.TWOFACTOR_TOKEN_SECONDS // 60
    return Sent(
        True,
        f"We texted a token to {phones.mask(user.phone)}. It is valid for {minutes} minutes; "
        "asking for another replaces it.",
    )
