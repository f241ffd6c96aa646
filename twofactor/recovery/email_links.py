"""Signed links in phone-change emails, in the manner of Django's PasswordResetTokenGenerator.

Stateless: a token is an HMAC over the request's id, its state and a timestamp. The confirm
link hashes the request's status, so it stops working the moment it has been used (the
status moved on), and it expires after PHONE_CHANGE_CONFIRM_SECONDS. The cancel link works
for as long as the request is open.
"""

import enum
from datetime import datetime

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from twofactor.conf import conf
from twofactor.models import PhoneChangeRequest

MAX_TOKEN_LENGTH = 64
_EPOCH = datetime(2001, 1, 1)


class Purpose(enum.StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"


def _seconds(moment: datetime) -> int:
    return int((moment.replace(tzinfo=None) - _EPOCH).total_seconds())


def _now_seconds() -> int:
    return _seconds(datetime.now())


def _hash_value(change: PhoneChangeRequest, purpose: Purpose, timestamp: int) -> str:
    if purpose is Purpose.CONFIRM:
        state = f"{change.status}|{change.proven_at}|{change.new_phone}|{change.user.email}"
    else:
        state = f"{change.created_at}|{change.new_phone}"
    return f"{change.pk}|{purpose}|{state}|{timestamp}"


def _make(change: PhoneChangeRequest, purpose: Purpose, timestamp: int) -> str:
    digest = salted_hmac(
        "twofactor.methods.sms.tokens.phone_change", _hash_value(change, purpose, timestamp),
        algorithm="sha256",
    ).hexdigest()[::2]
    return f"{int_to_base36(timestamp)}-{digest}"


def make_token(change: PhoneChangeRequest, purpose: Purpose) -> str:
    return _make(change, purpose, _now_seconds())


def check_token(change: PhoneChangeRequest, purpose: Purpose, token: object) -> bool:
    """True when ``token`` was made for this request, purpose and state, and is fresh."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or "-" not in token:
        return False
    stamp = token.split("-", 1)[0]
    try:
        timestamp = base36_to_int(stamp)
    except ValueError:
        return False
    if not constant_time_compare(_make(change, purpose, timestamp), token):
        return False
    if purpose is Purpose.CONFIRM:
        return 0 <= _now_seconds() - timestamp <= conf.PHONE_CHANGE_CONFIRM_SECONDS
    return change.is_open
