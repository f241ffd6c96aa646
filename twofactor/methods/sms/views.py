"""Texting a token to the number on file: "Send SMS token" on the challenge page.

The page's script posts the form asking for JSON and shows the answer in place (no page
load); without JavaScript the form posts normally and the page comes back with the message.
The typed token itself is checked on the challenge page, through the one verification path.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import reachable_mid_sign_in
from twofactor import methods
from twofactor.methods.sms import sending
from twofactor.signin import attempts, lockout, verification
from twofactor.views.challenge import attempt_over, locked, render_challenge


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@reachable_mid_sign_in
@require_POST
def send_sms(request: HttpRequest) -> HttpResponse:
    """Text a token to the number on file (only ever that number)."""
    attempt = attempts.current(request)
    if attempt is None:
        return attempt_over(request)
    if lockout.is_locked(attempt.user):  # nothing goes to a locked person's phone
        return locked(request, attempt, verification.refusal(attempt, request))
    refused = methods.refusal(attempt, methods.get("sms"))
    if refused:
        return render_challenge(request, attempt, status=403, error=refused.message)
    sent = sending.text_token(request, attempt)
    if _wants_json(request):
        response = JsonResponse({"ok": sent.ok, "message": sent.message}, status=sent.status)
    elif sent.ok:
        sent.tell(request)
        return redirect(reverse("twofactor:challenge") + "?way=sms")  # the field, at the top
    else:
        response = render_challenge(request, attempt, error=sent.message, status=sent.status)
    if sent.retry_after:
        response["Retry-After"] = str(sent.retry_after)
    return response
