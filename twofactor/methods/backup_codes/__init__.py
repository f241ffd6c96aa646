"""Backup codes: ten one-time codes on paper, typed into "Token or Security Key"."""

from accounts.audit import Tag
from twofactor.methods import Method


def _has_codes(user) -> bool:
    from twofactor.methods.backup_codes import codes

    return codes.has_codes(user)


METHOD = Method(
    name="backup_code",
    label="Backup code",
    usable=_has_codes,
    preferable=False,
    security_template="twofactor/methods/backup_codes/security.html",
    security_context="twofactor.methods.backup_codes.codes.security_context",
    set_up_among="twofactor.methods.backup_codes.codes.with_codes_among",
    in_policy=False,  # recovery, not a way the firm's policy chooses
    audit_tags=(Tag.BACKUP_CODES_GENERATED, Tag.BACKUP_CODE_USED, Tag.BACKUP_CODE_REJECTED),
)
