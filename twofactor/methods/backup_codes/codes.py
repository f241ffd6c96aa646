"""Backup codes: ten one-time codes a person keeps on paper for when the phone or the
provider is not there.

Each code is 16 characters from a 32-letter alphabet without look-alikes (no 0/O, 1/I),
so 80 bits from ``secrets``, shown in groups of four (``K7QM-3XRT-9HWD-PA2F``). Only a keyed
HMAC is stored; a code is shown once, when made. Using one is a single conditional UPDATE,
so one code signs in once however many requests race with it.
"""

import secrets
from collections.abc import Collection

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts import audit
from accounts.emails import send_notice
from accounts.models import User
from twofactor import notifications
from twofactor.methods.backup_codes.models import BackupCode, BackupCodeSheet
from twofactor.methods.backup_codes.tags import CodeTag
from twofactor.signin import freshness

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS, GROUP_LENGTH = 4, 4
CODE_LENGTH = GROUPS * GROUP_LENGTH
CODES_PER_SET = 10
# Longest input worth reading: a code with a separator or space between every character.
MAX_INPUT_LENGTH = CODE_LENGTH * 2 + 8
_SEPARATORS = str.maketrans("", "", " -\t")


def normalize(code: str) -> str:
    """What a person typed, without spaces and dashes, upper-cased."""
    return code.translate(_SEPARATORS).upper()


def looks_like_backup_code(code: object) -> bool:
    """True when ``code`` has the shape of a backup code (cheap, no query)."""
    if not isinstance(code, str) or len(code) > MAX_INPUT_LENGTH:
        return False
    plain = normalize(code)
    return len(plain) == CODE_LENGTH and all(ch in ALPHABET for ch in plain)


def _digest(user: User, plain: str) -> str:
    return salted_hmac(
        "twofactor.methods.backup_codes.codes", f"{user.pk}:{plain}", algorithm="sha256"
    ).hexdigest()


def _new_code() -> str:
    plain = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(plain[i : i + GROUP_LENGTH] for i in range(0, CODE_LENGTH, GROUP_LENGTH))


def generate(user: User, *, request: HttpRequest | None = None) -> list[str]:
    """Make a new set of codes for ``user``, revoking the old set; return them (shown once)."""
    codes = [_new_code() for _ in range(CODES_PER_SET)]
    with transaction.atomic():
        BackupCode.objects.filter(user=user).delete()
        BackupCodeSheet.objects.get_or_create(user=user, defaults={"name": "Backup codes"})
        BackupCode.objects.bulk_create(
            BackupCode(user=user, digest=_digest(user, normalize(code))) for code in codes
        )
    audit.record(CodeTag.BACKUP_CODES_GENERATED, request=request, subject=user, count=len(codes))
    notifications.factors_changed(
        user, "backup_codes_made", "new backup codes were made", request=request,
        count=len(codes),
    )
    return codes


def revoke(user: User) -> int:
    """Remove every backup code of ``user``; return how many there were."""
    with transaction.atomic():
        deleted, _ = BackupCode.objects.filter(user=user).delete()
        BackupCodeSheet.objects.filter(user=user).delete()
    return deleted


def remaining(user: User) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


def has_codes(user: User) -> bool:
    return BackupCode.objects.filter(user=user).exists()


def with_codes_among(user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` have a set of backup codes (as ``has_codes``), in one query."""
    return set(
        BackupCode.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )


def spend(user: User, code: object) -> BackupCodeSheet | None:
    """Mark ``code`` used, once (a conditional UPDATE): the person's sheet of codes (the
    django-otp device that answered), or None if it is not one of their unused codes. Runs
    in the caller's transaction, so a caller can undo it (the sign-in had already ended)."""
    if not looks_like_backup_code(code):
        return None
    spent = BackupCode.objects.filter(
        user=user, digest=_digest(user, normalize(code)), used_at__isnull=True
    ).update(used_at=timezone.now())
    if spent != 1:
        return None
    sheet, _ = BackupCodeSheet.objects.get_or_create(user=user, defaults={"name": "Backup codes"})
    return sheet


def tell_used(
    user: User, left: int, *, request: HttpRequest | None = None, attempt_id: object = None
) -> None:
    """Audit a used code (as a step of the sign-in ``attempt_id``) and email the person how
    many remain: a code they did not use means someone else has their password and paper."""
    audit.record(CodeTag.BACKUP_CODE_USED, request=request, subject=user, remaining=left,
                 attempt_id=attempt_id)
    send_notice(user, "backup_code_used", "a backup code was used", {"remaining": left})


def security_context(request: HttpRequest) -> dict:
    """The backup-codes part of the Security page."""
    user = request.user
    return {"codes_left": remaining(user), "has_codes": has_codes(user),
            "first_asks_for": freshness.may_add_factor(request).needs}
