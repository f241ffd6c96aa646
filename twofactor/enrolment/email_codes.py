"""The single-use code emailed to a person setting up their first factor.

``ENROLMENT_CODE_DIGITS`` digits from ``secrets``, valid ``ENROLMENT_CODE_SECONDS``, one at a
time (a new one replaces the last), bound to the browser that asked (a keyed HMAC over the
session's nonce and the code is all that is stored), spent by one conditional DELETE (so of
racing requests one wins), void after ``ENROLMENT_CODE_MAX_WRONG`` wrong tries, and at most
``ENROLMENT_CODE_MAX_PER_DAY`` sent a day.
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts import emails
from accounts.models import AuditEvent, User
from twofactor.conf import conf
from twofactor.enrolment.models import EnrolmentCode
from twofactor.enrolment.tags import EnrolmentTag


def _digest(person: User, nonce: str, code: str) -> str:
    return salted_hmac(
        "twofactor.enrolment.email_codes", f"{person.pk}:{nonce}:{code}", algorithm="sha256"
    ).hexdigest()


def normalise(raw: object) -> str | None:
    """The code as typed, if it has the shape of one (ASCII digits, the right length)."""
    if not isinstance(raw, str):
        return None
    code = raw.replace(" ", "").strip()
    ok = len(code) == conf.ENROLMENT_CODE_DIGITS and code.isascii() and code.isdigit()
    return code if ok else None


def wait_seconds(person: User) -> int:
    """How long before another code may be sent (0: now)."""
    last = EnrolmentCode.objects.filter(user=person).values_list("sent_at", flat=True).first()
    if last is None:
        return 0
    left = conf.ENROLMENT_CODE_RESEND_SECONDS - (timezone.now() - last).total_seconds()
    return max(0, math.ceil(left))


def sent_today(person: User) -> int:
    """How many codes went to ``person`` in the last 24 hours (the audit log counts them):
    with ``ENROLMENT_CODE_MAX_PER_DAY``, it bounds both guessing across new codes and mail
    sent to someone who did not ask."""
    return AuditEvent.objects.filter(
        subject=person, tag=EnrolmentTag.CODE_SENT,
        created_at__gt=timezone.now() - timedelta(days=1),
    ).count()


def send(person: User, nonce: str) -> None:
    """Email ``person`` a new code for the browser holding ``nonce`` (the last one dies)."""
    digits = max(6, conf.ENROLMENT_CODE_DIGITS)
    code = f"{secrets.randbelow(10**digits):0{digits}d}"
    now = timezone.now()
    EnrolmentCode.objects.update_or_create(
        user=person,
        defaults={
            "digest": _digest(person, nonce, code), "sent_at": now, "wrong": 0,
            "expires_at": now + timedelta(seconds=conf.ENROLMENT_CODE_SECONDS),
        },
    )
    emails.send_notice(
        person, "first_sign_in_code", "your code to set up signing in",
        {"code": code, "minutes": conf.ENROLMENT_CODE_SECONDS // 60},
    )


def spend(person: User, nonce: str, code: str) -> bool:
    """Accept ``code`` once, for this person and browser, before it expires and while
    wrong tries are left; a wrong one counts against the code."""
    won, _ = EnrolmentCode.objects.filter(
        user=person, digest=_digest(person, nonce, code), expires_at__gt=timezone.now(),
        wrong__lt=conf.ENROLMENT_CODE_MAX_WRONG,
    ).delete()
    if not won:
        EnrolmentCode.objects.filter(user=person).update(wrong=F("wrong") + 1)
    return bool(won)
