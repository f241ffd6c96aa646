"""Turning email codes on (Security page) and "Email me a code" (challenge page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.permissions import reachable_mid_sign_in
from tests.email_codes import codes
from tests.email_codes.models import EmailCodeDevice
from twofactor import methods
from twofactor.signin import attempts
from twofactor.signin.step_up import require_fresh_factor
from twofactor.views.challenge import attempt_over, render_challenge


@login_required
@require_fresh_factor  # the rule for adding a factor
def turn_on(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "email_codes/turn_on.html")
    EmailCodeDevice.objects.get_or_create(user=request.user, defaults={"name": "Email"})
    audit.record(codes.TURNED_ON, request=request, subject=request.user)
    messages.success(request, "Sign-in codes by email are on.")
    return redirect("security")


@reachable_mid_sign_in
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    refused = methods.refusal(attempt, methods.get("email_code"))
    if refused:
        return render_challenge(request, attempt, status=403, error=refused.message)
    codes.send(attempt.user, request, attempt_id=attempt.pk)
    messages.success(request, "We emailed you a code.")
    return redirect("twofactor:challenge")
