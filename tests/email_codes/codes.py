"""Making, sending and checking the emailed codes: 8 digits, 10 minutes, used once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import audit
from accounts.emails import send_notice
from tests.email_codes.models import EmailCodeDevice

DIGITS = 8
SECONDS = 600
SENT = "account:email_code:sent"
TURNED_ON = "account:email_code:turned_on"


def _digest(device: EmailCodeDevice, code: str) -> str:
    return salted_hmac("tests.email_codes", f"{device.pk}:{code}", algorithm="sha256").hexdigest()


def send(user, request=None, attempt_id=None) -> bool:
    """Email a new code to ``user``; False if they have not turned email codes on."""
    device = EmailCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return False
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    device.digest = _digest(device, code)
    device.valid_until = timezone.now() + timedelta(seconds=SECONDS)
    device.save(update_fields=["digest", "valid_until"])
    send_notice(user, "email_code", "your sign-in code", {"code": code})
    audit.record(SENT, request=request, subject=user, attempt_id=attempt_id)
    return True


def check(user, code: str) -> EmailCodeDevice | None:
    """The person's device if ``code`` is their live code (spent now: a conditional UPDATE)."""
    device = EmailCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.digest:
        return None
    if not constant_time_compare(device.digest, _digest(device, code)):
        return None
    spent = EmailCodeDevice.objects.filter(
        Q(valid_until__gt=timezone.now()), pk=device.pk, digest=device.digest
    ).update(digest="", valid_until=None)
    return device if spent else None


def with_device_among(user_ids) -> set[int]:
    return set(
        EmailCodeDevice.objects.filter(user_id__in=user_ids, confirmed=True)
        .values_list("user_id", flat=True)
    )
