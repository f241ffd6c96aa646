"""Enrolling the operator's phone app for push (providers that ``enrols_push_app``:
``twilio_verify``).

The app, built on Twilio's Verify Push SDK, needs three things to create a push factor for
the signed-in person: the Entity identity, the Verify service SID and a short-lived access
token. ``POST /twofactor/push/enrollment/`` gives them as JSON to the signed-in person only,
for their own identity, and only under the rule for adding a factor (``freshness``): the
password and a second factor other than a backup code, both in the last 10 minutes.
Each enrolment is audited and emailed to the person: the portal never sees the app finish
enrolling (it talks to Twilio directly), so the access token it hands out is the moment to tell.
The apps then show on the Security page, each with "Remove" (``security``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from accounts import audit
from twofactor import notifications
from twofactor.methods.push.tags import PushTag
from twofactor.providers import get_provider
from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.registration import phone_device, register_phone
from twofactor.signin import freshness

ENROLMENT_REFUSED = {
    "password": "Enrolling the app needs your password entered in the last 10 minutes. "
    "Confirm your password on the Security page, then enrol the app.",
    "factor": "Enrolling the app needs a second factor proven in the last 10 minutes (a text "
    "message token or an approved push; a backup code does not count). Confirm it's you on "
    "the Security page, then enrol the app.",
}


@login_required
@require_POST
def push_enrollment(request: HttpRequest) -> HttpResponse:
    if not get_provider().enrols_push_app:
        return HttpResponse(status=404)
    verdict = freshness.may_add_factor(request)
    if not verdict.allowed:
        return JsonResponse(
            {"error": ENROLMENT_REFUSED[verdict.needs], "needs": verdict.needs}, status=403
        )
    provider = get_provider()
    user = request.user
    try:
        device = phone_device(user)
        if device is None or device.provider != provider.name:
            device = register_phone(user)
        if device is None:
            return JsonResponse({"error": "Add a mobile phone number first."}, status=409)
        data = provider.enrollment_data(user, device.provider_ref)
    except ProviderError as error:
        status = 429 if error.kind is ErrorKind.RATE_LIMITED else 503
        response = JsonResponse({"error": error.user_message}, status=status)
        if error.retry_after:
            response["Retry-After"] = str(error.retry_after)
        return response
    audit.record(PushTag.PUSH_APP_ADDED, request=request, subject=user)
    notifications.factors_changed(
        user, "push_app_added", "a phone app was set up for your sign-ins", request=request,
        app_name=provider.app_name,
    )
    response = JsonResponse({**data, "app": provider.app_name})
    response["Cache-Control"] = "no-store"
    return response
