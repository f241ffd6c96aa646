"""The challenge page: one way this person can answer now, said as what is happening, and
"Other ways to sign in" for the rest ("Token or Security Key", "Sign In", and each method's
own part); and help with signing in.

Every view works on the session's own pending attempt and nothing else; when it has ended
(succeeded, expired after 10 minutes, or the person became inactive) the person starts over.
"""


from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import audit, phones
from accounts.audit import Tag
from accounts.permissions import reachable_mid_sign_in, reachable_setting_up
from twofactor import methods
from twofactor.conf import conf
from twofactor.models import SignInAttempt
from twofactor.providers import get_provider
from twofactor.recovery import phone_changes
from twofactor.remember import browsers
from twofactor.signin import attempts, flow, lockout, verification

WARN_WHEN_TRIES_LEFT = 3


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Token or Security Key",
        max_length=verification.MAX_INPUT_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters",
                   "spellcheck": "false"}
        ),
    )


@reachable_mid_sign_in
@sensitive_post_parameters("token")
@never_cache
def challenge(request: HttpRequest) -> HttpResponse:
    """Approve the request on your phone, or answer another way, and Sign In."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    if request.method != "POST":
        refused = verification.refusal(attempt, request)
        if refused and refused.outcome is verification.Outcome.LOCKED:
            return locked(request, attempt, refused)
        return render_challenge(request, attempt)
    posted = methods.posted_to(request.POST.get("action"))
    if posted is not None:  # a way answered on its own part of the page ("check" a push)
        result = posted.answer_posted(request, attempt)
        if result.accepted:
            return flow.finish(request, attempt)
        if result.outcome is verification.Outcome.ENDED:
            return attempt_over(request)
        if result.outcome is verification.Outcome.LOCKED:
            return locked(request, attempt, result)
        if result.outcome is verification.Outcome.BACKOFF:
            return render_challenge(request, attempt, error=result.message, status=429)
        if result.outcome is verification.Outcome.NOT_ALLOWED:
            return render_challenge(request, attempt, error=result.message, status=403)
        return render_challenge(request, attempt)
    values = request.POST.getlist("token")
    raw = values[0] if len(values) == 1 else None  # a list of tokens is not a token
    result = verification.verify_token(attempt, raw, request)
    if result.accepted:
        return flow.finish(request, attempt)
    if result.outcome is verification.Outcome.ENDED:
        return attempt_over(request)
    if result.outcome is verification.Outcome.LOCKED:
        return locked(request, attempt, result)
    form = TokenForm({"token": (raw or "")[: verification.MAX_INPUT_LENGTH]})
    form.errors.clear()  # the check path says what is wrong, in its own words
    form.add_error("token", result.message)
    return render_challenge(request, attempt, form=form, status=result.http_status)


@reachable_mid_sign_in
@reachable_setting_up
def help_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "twofactor/help.html",
        {
            "provider": get_provider(),
            "simulated_phone": conf.SIMULATED_PHONE,
            "hold": phone_changes.hold_description(),
            "window_days": conf.ENROLMENT_WINDOW_DAYS,
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
    """The challenge page, leading with one way: the person's default, else the strongest
    (``methods.starting_way``), said as what is happening now; the rest sit behind "Other
    ways to sign in", in the registry's order, each drawn by its own method package. Ways
    paused for this person are left out, with the reason."""
    offered = methods.offered(attempt)
    paused = [reason for method in offered if (reason := method.paused(attempt.user))]
    ways = [method for method in offered if not method.paused(attempt.user)]
    form = form or TokenForm()
    form.fields["token"].help_text = typed_help(ways)
    lead = leading_way(request, attempt, ways, typed_error=bool(form.errors))
    others = [method for method in ways if method is not lead]
    if lead is not None and lead.typed:
        form.fields["token"].widget.attrs["autofocus"] = True  # the control the page waits for
    context = {
        "form": form,
        "error": error,
        "lead": lead,
        "other_ways": [method for method in others if method.challenge_template],
        "others_open": request.GET.get("others") == "1",
        "paused": paused,
        # None of the ways the firm allows is set up: a backup code gets the person in to
        # set one up.
        "only_backup_codes": all(not method.in_policy for method in ways),
        "masked_phone": phones.mask(attempt.user.phone),
        "confirming": attempt.purpose == SignInAttempt.Purpose.CONFIRM,
        "app_name": get_provider().app_name,
        "lock_warning": lock_warning(attempt),
        "offer_remember": attempt.purpose == SignInAttempt.Purpose.SIGN_IN
        and browsers.may_remember(attempt.user),
    }
    for method in ways:
        if method.challenge_template:
            context.update(method.challenge_context(request, attempt))
    response = render(request, "twofactor/challenge.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def leading_way(
    request: HttpRequest, attempt: SignInAttempt, ways: list[methods.Method], *,
    typed_error: bool,
) -> methods.Method | None:
    """The way the page leads with: one the person chose on it (``?way=sms``, which works
    without JavaScript), the typed field after a wrong code, else the way the sign-in
    started with (the person's default, or the strongest)."""
    chosen = next((m for m in ways if m.name == request.GET.get("way")), None)
    if chosen is None and typed_error:
        typed = [m for m in ways if m.typed]
        chosen = methods.starting_way(attempt, typed) or next(iter(typed), None)
    return chosen or methods.starting_way(attempt, ways) or next(iter(ways), None)


def lock_warning(attempt: SignInAttempt) -> str:
    """ "2 tries left before sign-in locks for an hour", as the lock nears."""
    left = lockout.tries_left(attempt.user)
    if left is None or not 0 < left <= WARN_WHEN_TRIES_LEFT:
        return ""
    hours = conf.TWOFACTOR_LOCK_SECONDS / 3600
    period = "an hour" if hours == 1 else (
        f"{hours:g} hours" if hours >= 1 else f"{conf.TWOFACTOR_LOCK_SECONDS // 60} minutes"
    )
    tries = "1 try" if left == 1 else f"{left} tries"
    return f"{tries} left before sign-in locks for {period}."


def typed_help(offered: list[methods.Method]) -> str:
    """What "Token or Security Key" takes from this person, strongest way first."""
    ways = [method.typed_help for method in offered if method.typed and method.typed_help]
    if not ways:
        return "The code from one of your ways of signing in."
    sentence = ", ".join(ways[:-1]) + f", or {ways[-1]}" if len(ways) > 1 else ways[0]
    return sentence[0].upper() + sentence[1:] + "."


def locked(
    request: HttpRequest, attempt: SignInAttempt, result: verification.Result
) -> HttpResponse:
    """The person is locked: the lock-out page, never the challenge with its live controls."""
    return flow.locked_out(
        request, attempt.user, result.retry_at,
        confirming=attempt.purpose == SignInAttempt.Purpose.CONFIRM,
        end_session=False, attempt_id=attempt.pk,
    )


def attempt_over(request: HttpRequest) -> HttpResponse:
    """The session has no live attempt: back to the login page, saying why."""
    attempt_id = attempts.session_attempt_id(request)
    if attempt_id:
        attempts.abandon(attempt_id)  # the phone shows a pending request closed
        expired = SignInAttempt.objects.filter(pk=attempt_id, completed_at__isnull=True).first()
        if expired is not None:
            audit.record(Tag.ATTEMPT_EXPIRED, request=request, subject=expired.user,
                         attempt_id=expired.pk)
        attempts.forget(request)
        minutes = conf.TWOFACTOR_ATTEMPT_SECONDS // 60
        messages.info(
            request, f"Your sign-in attempt ended (it lasts {minutes} minutes). Sign in again."
        )
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": "ended"}, status=404)
    return redirect("login")
