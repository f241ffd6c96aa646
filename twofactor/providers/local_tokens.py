"""Tokens the portal makes itself (the ``local`` provider).

A token is ``TWOFACTOR_TOKEN_DIGITS`` digits from ``secrets``, valid ``TWOFACTOR_TOKEN_SECONDS``,
bound to one sign-in attempt and accepted once. Only a keyed HMAC of it is stored (a key
derived from SECRET_KEY, over the attempt id and the token), so the table alone reveals no
token and a token cannot be replayed into another attempt. Sending a new token supersedes
the older ones of the same attempt.
"""

import secrets
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from twofactor.conf import conf
from twofactor.models import SignInAttempt, SmsToken


def digest(attempt_id: uuid.UUID | str, token: str) -> str:
    """The keyed HMAC stored for ``token`` in this attempt."""
    return salted_hmac(
        # The key's salt names the module's old home: tokens already sent stay checkable.
        "twofactor.methods.sms.tokens", f"{attempt_id}:{token}", algorithm="sha256"
    ).hexdigest()


def issue(attempt: SignInAttempt) -> str:
    """Make a new token for ``attempt`` (superseding older ones) and return it."""
    digits = max(6, conf.TWOFACTOR_TOKEN_DIGITS)
    token = f"{secrets.randbelow(10**digits):0{digits}d}"
    now = timezone.now()
    with transaction.atomic():
        SmsToken.objects.filter(attempt=attempt, used_at__isnull=True).update(superseded=True)
        SmsToken.objects.create(
            attempt=attempt,
            user_id=attempt.user_id,
            digest=digest(attempt.pk, token),
            created_at=now,
            expires_at=now + timedelta(seconds=conf.TWOFACTOR_TOKEN_SECONDS),
        )
    return token


def consume(attempt_id: uuid.UUID | str, user_id: int, token: str) -> bool:
    """Accept ``token`` once: True only for the live, unused, latest token of this attempt
    and person. The conditional UPDATE makes "once" hold however many requests race."""
    now = timezone.now()
    return bool(
        SmsToken.objects.filter(
            attempt_id=attempt_id,
            user_id=user_id,
            digest=digest(attempt_id, token),
            used_at__isnull=True,
            superseded=False,
            expires_at__gt=now,
        ).update(used_at=now)
    )
