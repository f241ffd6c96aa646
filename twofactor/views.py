"""The second-factor pages: the challenge (OneTouch status, "Token or Security Key", "Sign In",
"Send SMS token"), a new OneTouch request, the status poll, and help.

Every view works on the session's own pending attempt and nothing else; when it has ended
(succeeded, expired after 10 minutes, or the person became inactive) the person starts over.
"""

from contextlib import suppress

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts import audit, phones
from accounts.audit import Tag
from portal.request_info import client_ip
from twofactor import (
    approvals,
    attempts,
    devices,
    limits,
    poll,
    recovery,
    signin,
    verification,
)
from twofactor.conf import conf
from twofactor.models import SignInAttempt
from twofactor.poll import STATUS_TEXT
from twofactor.providers import get_provider
from twofactor.providers.base import ApprovalStatus, ProviderError
from twofactor.providers.fallback import what_still_works


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Token or Security Key",
        max_length=verification.MAX_INPUT_LENGTH,
        help_text="The token from the text message we sent you, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters",
                   "spellcheck": "false", "autofocus": True}
        ),
    )


@sensitive_post_parameters("token")
@never_cache
def challenge(request: HttpRequest) -> HttpResponse:
    """Approve the OneTouch request on your phone, or type the SMS token and Sign In."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    if request.method != "POST":
        return render_challenge(request, attempt)
    if request.POST.get("action") == "check":
        result = verification.accept_approval(attempt, approvals.latest_of(attempt), request)
        if result.accepted:
            return signin.finish(request, attempt)
        if result.outcome is verification.Outcome.ENDED:
            return attempt_over(request)
        if result.outcome in (verification.Outcome.LOCKED, verification.Outcome.BACKOFF):
            return render_challenge(request, attempt, error=result.message, status=429)
        return render_challenge(request, attempt)
    values = request.POST.getlist("token")
    raw = values[0] if len(values) == 1 else None  # a list of tokens is not a token
    result = verification.verify_token(attempt, raw, request)
    if result.accepted:
        return signin.finish(request, attempt)
    if result.outcome is verification.Outcome.ENDED:
        return attempt_over(request)
    form = TokenForm({"token": (raw or "")[: verification.MAX_INPUT_LENGTH]})
    form.errors.clear()  # the check path says what is wrong, in its own words
    form.add_error("token", result.message)
    return render_challenge(request, attempt, form=form, status=result.http_status)


@require_POST
def send_sms(request: HttpRequest) -> HttpResponse:
    """Text a token to the number on file (only ever that number)."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    user = attempt.user
    refused = verification.refusal(attempt, request)
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


@require_POST
def new_push(request: HttpRequest) -> HttpResponse:
    """Send a new OneTouch request after the last one expired."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    if approvals.was_denied(attempt):
        # A denial may be fraud: no more pushes for this sign-in, the SMS token still works.
        return render_challenge(
            request, attempt, status=409,
            error="You denied a request for this sign-in, so no new one is sent. "
                  "Use an SMS token, or log in again.",
        )
    if approvals.status_of(approvals.latest_of(attempt)) is not ApprovalStatus.PENDING:
        try:
            approvals.send(attempt, devices.ensure_registered(attempt.user), request)
        except limits.RateLimited as tripped:
            return render_challenge(
                request, attempt, status=429, retry_after=tripped.retry_after,
                error=f"Too many OneTouch requests lately. Use an SMS token, or ask again in "
                      f"{tripped.wait_text}.",
            )
        except ProviderError as error:
            audit.record(Tag.PROVIDER_FAILED, request=request, subject=attempt.user,
                         kind=str(error.kind))
            message = f"{error.user_message} {what_still_works('push', error)}"
            return render_challenge(request, attempt, error=message, status=503)
    return redirect("twofactor:challenge")


@require_GET
def status(request: HttpRequest) -> JsonResponse:
    """The OneTouch status of the session's own attempt (read-only, for the page's script).

    The page's own signed poll is answered from the cache (``twofactor.poll``: usually by
    its middleware, before the session is read); anything else from the session and one
    indexed lookup. A remote provider is asked at most every few seconds.
    """
    return poll.cached_response(request) or status_from_database(request)


@never_cache
def status_from_database(request: HttpRequest) -> JsonResponse:
    attempt_id = attempts.pending_id(request)
    approval = approvals.latest(attempt_id) if attempt_id else None
    asked = request.GET.get("request")
    if approval is None or (asked and asked != str(approval.pk)):
        if approval is None and attempt_id and attempts.live().filter(pk=attempt_id).exists():
            return JsonResponse({"status": "none", "message": STATUS_TEXT[None], "final": True})
        return JsonResponse({"status": "ended"}, status=404)
    with suppress(ProviderError):  # the page keeps showing "pending"; SMS still works
        approvals.refresh_from_provider(approval)
    return JsonResponse(poll.status_body(str(approval.pk), approvals.status_of(approval)))


def help_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "twofactor/help.html",
        {
            "provider": get_provider(),
            "simulated_phone": conf.SIMULATED_PHONE,
            "hold": recovery.hold_description(),
        },
    )


def render_challenge(
    request: HttpRequest,
    attempt: SignInAttempt,
    *,
    form: TokenForm | None = None,
    error: str = "",
    status: int = 200,
    retry_after: int | None = None,
) -> HttpResponse:
    approval = approvals.latest_of(attempt)
    if approval is not None:
        approvals.expire(approval, request)
    state = approvals.status_of(approval)
    response = render(
        request,
        "twofactor/challenge.html",
        {
            "form": form or TokenForm(),
            "error": error,
            "approval": approval,
            "poll_url": poll.url(request, approval) if approval else poll.PATH,
            "approval_status": state.value if state else "none",
            "status_text": STATUS_TEXT[state],
            "offer_new_push": state is not ApprovalStatus.PENDING
            and not approvals.was_denied(attempt),
            "masked_phone": phones.mask(attempt.user.phone),
            "app_name": get_provider().app_name,
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def attempt_over(request: HttpRequest) -> HttpResponse:
    """The session has no live attempt: back to the login page, saying why."""
    attempt_id = attempts.pending_id(request)
    if attempt_id:
        expired = SignInAttempt.objects.filter(pk=attempt_id, completed_at__isnull=True).first()
        if expired is not None:
            audit.record(Tag.ATTEMPT_EXPIRED, request=request, subject=expired.user)
        attempts.forget(request)
        minutes = conf.TWOFACTOR_ATTEMPT_SECONDS // 60
        messages.info(
            request, f"Your sign-in attempt ended (it lasts {minutes} minutes). Log in again."
        )
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": "ended"}, status=404)
    return redirect("login")
