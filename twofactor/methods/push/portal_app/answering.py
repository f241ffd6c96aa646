"""The app's answers: the pending requests a phone lists, and a signed tap on one.

A request is listed only to the phones it was delivered to (``Delivery``), with the nonce
that phone's answer must carry. An answer is accepted only when all of this holds: it is
signed by a paired phone's key; it names a request of that phone's person that was
delivered to that phone, with that delivery's nonce, unspent; and the request is still
pending, unexpired, of a live sign-in. The nonce is spent and the request closed in one
transaction, through push's one conditional write (``approvals.record_answer``), so of
answers from several phones at once exactly one wins; the others read "closed".

The three numbers are the request's number and two others derived from a keyed hash of the
request's id: the same three on every phone and every reload, so nothing is learnt by
reloading.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.request_info import browser_label
from twofactor.methods.push import answers, approvals, report
from twofactor.methods.push.portal_app.models import AppPhone, Delivery
from twofactor.models import ApprovalRequest
from twofactor.providers.base import ApprovalStatus


class Result(enum.StrEnum):
    APPROVED = "approved"
    DENIED = "denied"
    WRONG_NUMBER = "wrong_number"
    REPORTED = "reported"
    CLOSED = "closed"


MESSAGES = {
    Result.APPROVED: "Approved. Your computer is signing in.",
    Result.DENIED: "Denied. Nobody was signed in.",
    Result.WRONG_NUMBER: "That was not the number on the sign-in page, so the request was "
                         "denied. If you are signing in, start again on your computer.",
    Result.REPORTED: "Reported. That sign-in was stopped and your firm's administrators were "
                     "told. Change your password at your next sign-in.",
    Result.CLOSED: "This request was already answered, closed or has expired.",
}
ACTIONS = ("approve", "deny", "not_me")


@dataclass(frozen=True)
class Answered:
    result: Result

    @property
    def message(self) -> str:
        return MESSAGES[self.result]


def numbers_for(approval: ApprovalRequest) -> list[int]:
    """The request's number and two others, in an order fixed for the request."""
    if approval.match_number is None:
        return []
    digest = salted_hmac("portal_app.numbers", str(approval.pk)).digest()
    numbers = [approval.match_number]
    for byte in digest:
        candidate = 10 + byte % 90
        if candidate not in numbers:
            numbers.append(candidate)
        if len(numbers) == 3:
            break
    position = digest[-1] % 3
    numbers.insert(position, numbers.pop(0))
    return numbers


def pending_for(phone: AppPhone) -> list[dict]:
    """What the app lists: the person's live requests delivered to this phone."""
    approvals.withdraw_abandoned(user_id=phone.user_id)
    person = phone.user
    rows = (
        Delivery.objects.filter(
            phone=phone, used_at__isnull=True,
            approval__status=ApprovalRequest.Status.PENDING,
            approval__expires_at__gt=timezone.now(),
        )
        .select_related("approval")
        .order_by("-approval__created_at")
    )
    return [
        {
            "id": str(row.approval.pk),
            "firm": holder_name(person),
            "person": person.full_name or person.email,
            "email": person.email,
            "browser": browser_label(row.approval.user_agent),
            "ip_address": row.approval.ip_address or "unknown",
            "time": row.approval.created_at.isoformat(),
            "expires_at": row.approval.expires_at.isoformat(),
            "numbers": numbers_for(row.approval),
            "nonce": row.nonce,
        }
        for row in rows
    ]


def holder_name(person) -> str:
    """The firm, or for an end user the client's site and its firm."""
    if person.client_id:
        return f"{person.client.name} ({person.firm.name})"
    return person.firm.name


def answer(phone: AppPhone, data: dict, request: HttpRequest | None) -> Answered:
    """Act on a verified answer payload from ``phone`` (its shape checked by the caller)."""
    now = timezone.now()
    with transaction.atomic():
        spent = Delivery.objects.filter(
            phone=phone, approval_id=data["request"], nonce=data["nonce"], used_at__isnull=True,
            approval__user_id=phone.user_id,
        ).update(used_at=now)
        if not spent:
            return Answered(Result.CLOSED)
        approval = ApprovalRequest.objects.select_related("user").get(pk=data["request"])
        if approvals.status_of(approval) is not ApprovalStatus.PENDING:
            return Answered(Result.CLOSED)
        AppPhone.objects.filter(pk=phone.pk).update(last_answer_at=now)
        if data["action"] == "not_me":
            reported = report.report(approval, request)
            return Answered(Result.REPORTED if reported else Result.CLOSED)
        right = data["action"] == "approve" and data["pick"] == approval.match_number
        wrong_number = data["action"] == "approve" and not right
        status = ApprovalStatus.APPROVED if right else ApprovalStatus.DENIED
        if not approvals.record_answer(
            approval.provider_ref, status, provider=approval.provider,
            denied_because=approvals.Denial.WRONG_NUMBER if wrong_number else "",
        ):
            return Answered(Result.CLOSED)
        Delivery.objects.filter(phone=phone, approval=approval).update(won=True)
        if wrong_number:
            answers.wrong_number_picked(approval, request)
            return Answered(Result.WRONG_NUMBER)
    return Answered(Result.APPROVED if right else Result.DENIED)

