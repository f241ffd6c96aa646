""""I don't have access to my phone": the person's pages, and the links in the emails.

The /login/recovery/ pages open only for a pending sign-in attempt (the password was right
in this session); they never take an email address, so they tell nobody whether one has
an account. The /email/ links work from any browser: they carry their own signed token,
and act only on POST (mail scanners that fetch links change nothing).
"""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import audit, phones
from accounts.audit import Tag
from accounts.forms import MobileNumberField
from accounts.models import User
from accounts.permissions import reachable_mid_sign_in
from twofactor import methods
from twofactor.models import PhoneChangeRequest
from twofactor.providers import get_provider
from twofactor.recovery import email_links, phone_changes
from twofactor.recovery.email_links import Purpose
from twofactor.recovery.phone_changes import RecoveryError
from twofactor.signin import attempts

Status = PhoneChangeRequest.Status
# Refusals that are rate limits: 429, so scripts know to wait.
LIMITED = {"cooldown": 429, "too_many_codes": 429, "too_many_requests": 429, "not_sent": 503}


def pending_user(request: HttpRequest) -> User | None:
    """The person of this session's pending sign-in attempt (password right, second
    factor not done yet), or None."""
    if attempts.pending_id(request) is None:  # a signed-in person's confirmation is not one
        return None
    attempt = attempts.current(request)
    return attempt.user if attempt else None


class NewNumberForm(forms.Form):
    phone = MobileNumberField(
        label="New mobile phone number",
        help_text="With the country code, e.g. +1 201 555 0123. We text a code to it.",
    )

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].read_in(person.phone_region)  # the firm's (or client's) country


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the text",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _render(request: HttpRequest, user: User, change: PhoneChangeRequest | None, *,
            status: int = 200, **extra) -> HttpResponse:
    context = {
        "person": user,
        "change": change,
        "form": NewNumberForm(person=user),
        "code_form": CodeForm(),
        "old_phone": phones.mask(user.phone),
        "new_phone": phones.mask(change.new_phone) if change else "",
        "app_name": get_provider().app_name,
        "hold": phone_changes.hold_description(),
        "has_security_key": any(m.phishing_resistant for m in methods.usable_by(user)),
        **ways_in_meanwhile(user),
        **extra,
    }
    return render(request, "twofactor/recovery/recovery.html", context, status=status)


def ways_in_meanwhile(user: User) -> dict:
    """What can still sign this person in while a change waits: the number still on file,
    one-time recovery codes left (none after a reset revoked them), and any other method
    that needs no phone number."""
    usable = methods.usable_by(user)
    return {
        "codes_left": sum(method.left(user) for method in usable if method.recovery),
        "other_methods": [
            method.label for method in usable if not (method.uses_phone or method.recovery)
        ],
    }


def with_open_request(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, for a pending attempt (else to sign in) with an open request (else to the
    recovery page); the view gets the person and the request."""

    @never_cache
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        user = pending_user(request)
        if user is None:
            return redirect("login")
        change = phone_changes.open_request(user)
        if change is None:
            return redirect("recovery:start")
        return view(request, user, change)

    return wrapper


@reachable_mid_sign_in
@never_cache
def recovery_page(request: HttpRequest) -> HttpResponse:
    """The one page of the request: what to do next, whatever step it is at."""
    user = pending_user(request)
    if user is None:
        return redirect("login")
    change = phone_changes.open_request(user)
    if request.method != "POST":
        return _render(request, user, change)
    if change is not None:
        return _render(request, user, change, status=409, error=phone_changes.ALREADY_OPEN)
    form = NewNumberForm(data=request.POST, person=user)
    status = 400
    if form.is_valid():
        try:
            phone_changes.start(user, form.cleaned_data["phone"], request=request)
        except RecoveryError as exc:
            if exc.code == "not_sent":  # the request is open; its page offers a new code
                messages.error(request, exc.message)
                return redirect("recovery:start")
            form.add_error("phone", exc.message)
            status = LIMITED.get(exc.code, 400)
        else:
            return redirect("recovery:start")
    return _render(request, user, None, form=form, status=status)


@reachable_mid_sign_in
@sensitive_post_parameters("code")
@with_open_request
def prove_code(request: HttpRequest, user: User, change: PhoneChangeRequest) -> HttpResponse:
    form = CodeForm(data=request.POST)
    if form.is_valid():
        try:
            phone_changes.prove(change, form.cleaned_data["code"], request=request)
        except RecoveryError as exc:
            form.add_error("code", exc.message)
        else:
            return redirect("recovery:start")
    return _render(request, user, change, code_form=form, status=400)


@reachable_mid_sign_in
@with_open_request
def resend(request: HttpRequest, user: User, change: PhoneChangeRequest) -> HttpResponse:
    """A new code to the new number, or the confirm email again, whichever step it is at."""
    try:
        if change.status == Status.PROVING:
            phone_changes.send_code(change, request=request)
        elif change.status == Status.CONFIRMING:
            phone_changes.send_confirm_email(change)
    except RecoveryError as exc:
        return _render(request, user, change, error=exc.message,
                       status=LIMITED.get(exc.code, 400))
    return redirect("recovery:start")


@reachable_mid_sign_in
@never_cache
@require_POST
def cancel_own(request: HttpRequest) -> HttpResponse:
    """The person cancels from the recovery page or the Security page."""
    user = pending_user(request) or (request.user if request.user.is_authenticated else None)
    change = user and phone_changes.open_request(user)
    if change is not None:
        phone_changes.cancel(change, by=user, request=request)
    return redirect("security" if request.user.is_authenticated else "recovery:start")


# The links in the emails ----------------------------------------------------------------


def _from_link(request_id: str, purpose: Purpose, token: str) -> PhoneChangeRequest | None:
    change = PhoneChangeRequest.objects.select_related("user").filter(pk=request_id).first()
    if change is None or not email_links.check_token(change, purpose, token):
        return None
    return change


def _refused(request: HttpRequest, purpose: Purpose) -> HttpResponse:
    audit.record(Tag.PHONE_CHANGE_LINK_REFUSED, request=request, purpose=str(purpose))
    return render(request, "twofactor/recovery/email_link_invalid.html", status=404)


def _email_link(
    request: HttpRequest, request_id: str, token: str, purpose: Purpose,
    act: Callable[..., bool], pages: tuple[str, str],
) -> HttpResponse:
    """GET: what the link does, with a button. POST: do it, once (scanners only GET)."""
    change = _from_link(request_id, purpose, token)
    if change is None:
        return _refused(request, purpose)
    ask, done = pages
    if request.method == "POST":
        if not act(change, token, request):
            return _refused(request, purpose)
        ask = done
    return render(request, f"twofactor/recovery/{ask}.html",
                  {"change": change, "new_phone": phones.mask(change.new_phone)})


@reachable_mid_sign_in
@never_cache
def email_confirm(request: HttpRequest, request_id: str, token: str) -> HttpResponse:
    return _email_link(
        request, request_id, token, Purpose.CONFIRM,
        lambda change, token, request: phone_changes.confirm(change, token, request=request),
        ("email_confirm", "email_confirmed"),
    )


@reachable_mid_sign_in
@never_cache
def email_cancel(request: HttpRequest, request_id: str, token: str) -> HttpResponse:
    return _email_link(
        request, request_id, token, Purpose.CANCEL,
        lambda change, token, request: phone_changes.cancel(change, request=request),
        ("email_cancel", "email_cancelled"),
    )
