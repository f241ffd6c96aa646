"""Texting a token to the number on file: "Send SMS token" on the challenge page.

The typed token itself is checked on the challenge page, through the one verification path.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import audit, phones
from accounts.audit import Tag
from accounts.permissions import reachable_mid_sign_in
from portal import limits
from portal.request_info import client_ip
from twofactor import devices
from twofactor.conf import conf
from twofactor.providers import get_provider
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works
from twofactor.signin import attempts, verification
from twofactor.views.challenge import attempt_over, locked, render_challenge


@reachable_mid_sign_in
@require_POST
def send_sms(request: HttpRequest) -> HttpResponse:
    """Text a token to the number on file (only ever that number)."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    user = attempt.user
    refused = verification.refusal(attempt, request)
    if refused and refused.outcome is verification.Outcome.LOCKED:
        return locked(request, attempt, refused)
    if refused:
        return render_challenge(request, attempt, error=refused.message, status=429)
    try:
        limits.hit_all([
            ("sms.user", user.pk),
            ("sms.number", user.phone),
            ("sms.user.hour", user.pk),
            ("sms.ip", client_ip(request)),
            ("sms.portal.day", "portal"),
        ])
    except limits.RateLimited as tripped:
        audit.record(Tag.SMS_THROTTLED, request=request, subject=user, limit=tripped.name)
        message = (
            "A token was sent very recently; check your messages."
            if tripped.name in ("sms.user", "sms.number")
            else "Too many text messages have been sent."
        )
        return render_challenge(
            request, attempt, error=f"{message} You can ask again in {tripped.wait_text}.",
            status=429, retry_after=tripped.retry_after,
        )
    try:
        device = devices.ensure_registered(user)
        get_provider(device.provider).send_sms(
            user, device.provider_ref, user.phone, attempt_id=str(attempt.pk)
        )
    except ProviderError as error:
        audit.record(Tag.PROVIDER_FAILED, request=request, subject=user, kind=str(error.kind))
        message = f"{error.user_message} {what_still_works('sms', error)}"
        return render_challenge(request, attempt, error=message, status=503)
    audit.record(Tag.SMS_SENT, request=request, subject=user, to=phones.mask(user.phone))
    minutes = conf.TWOFACTOR_TOKEN_SECONDS // 60
    messages.success(
        request,
        f"We texted a token to {phones.mask(user.phone)}. It is valid for {minutes} minutes; "
        "asking for another replaces it.",
    )
    return redirect("twofactor:challenge")


