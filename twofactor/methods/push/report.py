""""This wasn't me": the person says a push they got was not their sign-in.

Reported from the simulated phone (next to Deny) or, for every provider, from the signed
link in the email sent on a denial (no provider's app has such a button). Acted on once
per request (``reported_at``, one conditional write on the request's row, in the same
transaction as all of the below; the emails go after the commit), and then:
- the sign-in attempt ends and its requests read as stopped (denied), which the page
  waiting on them shows at once;
- the person and their firm's admins are emailed; Activity records "Suspicious sign-in
  reported" with the address and browser of the reported attempt;
- pushes to the person pause for ``PUSH_PAUSE_SECONDS`` (other methods still work);
- their remembered browsers are forgotten;
- they must choose a new password right after their next second factor.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.audit import Tag
from accounts.emails import send_notice
from accounts.models import User
from portal.request_info import browser_label
from twofactor.conf import conf
from twofactor.methods.push import approvals
from twofactor.models import ApprovalRequest, SignInAttempt
from twofactor.providers.base import ApprovalStatus
from twofactor.remember import browsers


def report(approval: ApprovalRequest, request: HttpRequest | None = None) -> bool:
    """Act on "This wasn't me" for ``approval``; False if it was reported already."""
    now = timezone.now()
    with transaction.atomic():
        if not ApprovalRequest.objects.filter(pk=approval.pk, reported_at__isnull=True).update(
            reported_at=now
        ):
            return False
        approval.reported_at = now
        approvals.record_answer(
            approval.provider_ref, ApprovalStatus.DENIED, provider=approval.provider,
            notify=False,  # the report's own email says more
            denied_because=approvals.Denial.REPORTED,
        )
        SignInAttempt.objects.filter(pk=approval.attempt_id, completed_at__isnull=True).update(
            expires_at=now
        )
        approvals.stop(approval.attempt_id)  # the page says "This sign-in was stopped" at once
        person = User.objects.select_related("firm").get(pk=approval.user_id)
        User.objects.filter(pk=person.pk).update(
            push_paused_until=now + timedelta(seconds=conf.PUSH_PAUSE_SECONDS),
            must_change_password=True,
        )
        browsers.forget_all(person)
        where = {
            "ip_address": approval.ip_address or "an unknown address",
            "browser": browser_label(approval.user_agent),
        }
        audit.record(
            Tag.SUSPICIOUS_SIGN_IN_REPORTED, request=request, subject=person,
            approval=str(approval.pk), **where, attempt_id=approval.attempt_id,
        )
        transaction.on_commit(partial(_tell, person, where, approval), robust=True)
    return True


def _tell(person: User, where: dict[str, str], approval: ApprovalRequest) -> None:
    context = {"when": approval.created_at, "pause_minutes": conf.PUSH_PAUSE_SECONDS // 60,
               "reported": person, **where}
    send_notice(person, "suspicious_sign_in", "a sign-in you did not make was stopped", context)
    admins = User.objects.filter(
        firm_id=person.firm_id, role=User.Role.ADMIN, is_active=True
    ).exclude(pk=person.pk)
    for admin in admins:
        send_notice(
            admin, "suspicious_sign_in_for_admins",
            f"{person.full_name or person.email} reported a suspicious sign-in", context,
        )
