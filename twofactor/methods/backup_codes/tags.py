"""The audit tags of backup codes, and their words for the Activity page (listed
under "Second factor"; the method registers them: ``Method.audit_words``)."""

import enum


class CodeTag(enum.StrEnum):
    BACKUP_CODES_GENERATED = "account:two_factor:backup_codes_generated"
    BACKUP_CODE_USED = "account:two_factor:backup_code_used"
    BACKUP_CODE_REJECTED = "account:two_factor:backup_code_rejected"


WORDS = {
    CodeTag.BACKUP_CODES_GENERATED: "Made new backup codes",
    CodeTag.BACKUP_CODE_USED: "Used a backup code",
    CodeTag.BACKUP_CODE_REJECTED: "Typed a wrong backup code",
}
