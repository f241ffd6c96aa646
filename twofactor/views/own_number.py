"""Changing one's own number while signed in (firm admins too): the rule for adding a factor
(the password and a factor other than a backup code, both fresh), then a code texted to the
new number. No hold: that is for people who cannot sign in. The old number, the new number
and the email address are all told; the person's other sessions end, this one stays.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import phones
from accounts.models import User
from twofactor.models import PhoneChangeRequest
from twofactor.recovery import phone_changes
from twofactor.recovery.phone_changes import RecoveryError
from twofactor.signin.step_up import require_fresh_factor
from twofactor.views.recovery import LIMITED, CodeForm, NewNumberForm

Status = PhoneChangeRequest.Status


@login_required
@sensitive_post_parameters("code")
@never_cache
@require_fresh_factor
def change_own_number(request: HttpRequest) -> HttpResponse:
    """GET: the new-number form, or the code form once a code is on its way. POST: the
    step the page is at (``action`` = number, code, resend)."""
    user = request.user
    change = phone_changes.open_request(user)
    if change is not None and not change.signed_in:
        return _render(request, change, status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        return _render(request, change)
    action = request.POST.get("action")
    if change is None or action == "number":
        return _start(request, user, change)
    if action == "resend":
        try:
            phone_changes.send_code(change, request=request)
        except RecoveryError as exc:
            return _render(request, change, error=exc.message, status=LIMITED.get(exc.code, 400))
        return redirect("change_own_number")
    return _prove(request, user, change)


def _start(request: HttpRequest, user: User, change: PhoneChangeRequest | None) -> HttpResponse:
    if change is not None:
        return _render(request, change, status=409, error=phone_changes.ALREADY_OPEN)
    form = NewNumberForm(data=request.POST, person=user)
    if form.is_valid():
        try:
            phone_changes.start(user, form.cleaned_data["phone"], request=request, signed_in=True)
        except RecoveryError as exc:
            if exc.code == "not_sent":  # the request is open; its page offers a new code
                messages.error(request, exc.message)
                return redirect("change_own_number")
            form.add_error("phone", exc.message)
            return _render(request, None, form=form, status=LIMITED.get(exc.code, 400))
        return redirect("change_own_number")
    return _render(request, None, form=form, status=400)


def _prove(request: HttpRequest, user: User, change: PhoneChangeRequest) -> HttpResponse:
    form = CodeForm(data=request.POST)
    if form.is_valid():
        try:
            phone_changes.prove(change, form.cleaned_data["code"], request=request)
        except RecoveryError as exc:
            if exc.code == "applying_soon":
                messages.warning(request, exc.message)
                return redirect("security")
            form.add_error("code", exc.message)
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)  # other sessions end; this one stays
            messages.success(
                request,
                f"Your number is now {phones.mask(user.phone)}. We told your old number, "
                "your new number and your email address.",
            )
            return redirect("security")
    return _render(request, change, code_form=form, status=400)


def _render(
    request: HttpRequest,
    change: PhoneChangeRequest | None,
    *,
    form: NewNumberForm | None = None,
    code_form: CodeForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "twofactor/recovery/own_number.html",
        {
            "change": change,
            "form": form or NewNumberForm(person=request.user),
            "code_form": code_form or CodeForm(),
            "current_phone": phones.mask(request.user.phone),
            "new_phone": phones.mask(change.new_phone) if change else "",
            "error": error,
        },
        status=status,
    )
