"""A push's answers as sign-in answers: an approval signs in through the one verification
path; a wrong number picked on the phone counts as a wrong answer."""

from __future__ import annotations

from django.http import HttpRequest

from twofactor import methods, registration
from twofactor.methods.push import approvals, portal_app
from twofactor.methods.push.portal_app import phones
from twofactor.models import ApprovalRequest, SignInAttempt
from twofactor.providers.base import ApprovalStatus
from twofactor.signin import verification
from twofactor.signin.verification import Outcome, Result


def accept_approval(
    attempt: SignInAttempt, approval: ApprovalRequest | None, request: HttpRequest | None = None
) -> Result:
    """Sign in by an approved push: only this attempt's own request, approved in time."""
    method = methods.get("push")
    refused = verification.not_allowed(attempt, method, request)
    if refused:
        return refused
    if approval is None or approval.attempt_id != attempt.pk:
        return Result(Outcome.WRONG, "There is no approved request for this sign-in.")
    if approvals.status_of(approval) is not ApprovalStatus.APPROVED:
        return Result(Outcome.WRONG, "The request on your phone has not been approved.")
    # The device that answered: a phone with the Partner Portal app, else the number the
    # provider's app is registered on.
    phone = phones.answering_phone(approval)
    if phone is None and approval.provider != portal_app.PROVIDER:
        phone = registration.phone_device(attempt.user)
    if phone is None:  # removed since (the number, or the phone): not the person's fault
        return Result(Outcome.WRONG, "Your phone is no longer registered for sign-in "
                      "requests. Use another way to sign in.")
    return verification.answer(attempt, method, lambda: phone, request)


def wrong_number_picked(approval: ApprovalRequest, request: HttpRequest | None = None) -> Result:
    """The phone's number pick did not match the challenge page's (the request is denied by
    the caller): a wrong answer, counted toward the lock like a wrong token."""
    attempt = SignInAttempt.objects.select_related("user").get(pk=approval.attempt_id)
    return verification.count_wrong(
        attempt, request, reason="wrong_number",
        message="The number picked on the phone did not match.", method="push",
    )
