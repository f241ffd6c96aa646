"""The push sent at the password step ("Entering credentials ... triggers an alert in the
Authy app"), for people whose second step starts with it. What went wrong is told to the
person on the challenge page; nothing here raises."""

from django.contrib import messages
from django.http import HttpRequest

from accounts import audit
from accounts.audit import Tag
from portal import limits
from twofactor import registration
from twofactor.methods.push import approvals
from twofactor.methods.push.portal_app import phones
from twofactor.models import PhoneDevice, SignInAttempt
from twofactor.providers.base import ProviderError
from twofactor.providers.fallback import what_still_works


def provider_device(user) -> PhoneDevice | None:
    """The registered number the provider's app answers on; None with no number on file, or
    when registering fails but the Partner Portal app can still take the request."""
    if not user.phone:
        return None
    try:
        return registration.ensure_registered(user)
    except ProviderError:
        if phones.has_phone(user):
            return None
        raise


def push_at_password_step(request: HttpRequest, attempt: SignInAttempt) -> None:
    user = attempt.user
    try:
        approvals.send(attempt, provider_device(user), request)
    except approvals.PushPaused:
        pass  # the challenge page says so, with when pushes resume
    except limits.RateLimited as tripped:
        messages.warning(
            request,
            "Too many requests to your phone lately, so none was sent this time. Use "
            f"another way to sign in, or ask for a new request in {tripped.wait_text}.",
        )
    except ProviderError as error:
        audit.record(Tag.PROVIDER_FAILED, request=request, subject=user, kind=str(error.kind),
                     attempt_id=attempt.pk)
        messages.error(
            request,
            f"{error.user_message} No OneTouch request was sent. "
            f"{what_still_works('push', error)}",
        )
