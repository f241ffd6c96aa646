"""Backup codes: ten one-time codes on paper, typed into "Token or Security Key"."""

from __future__ import annotations

from accounts import audit
from twofactor.methods import Method
from twofactor.methods.backup_codes import tags
from twofactor.methods.backup_codes.tags import CodeTag


class BackupCodeMethod(Method):
    name = "backup_code"
    label = "Backup code"
    noun = "a backup code"
    reset_words = "their backup codes"
    preferable = False
    in_policy = False  # recovery, not a way the firm's policy chooses
    fresh = False  # proves possession of paper, not of a factor
    recovery = True  # the way back in for a lost key, where keys are required (audited)
    typed_help = "one of your backup codes"
    shape_help = "one of your backup codes (four groups of four letters and digits)"
    signed_in_words = "with a backup code"
    wrong_reason = "backup_code"
    security_template = "twofactor/methods/backup_codes/security.html"
    device_models = ("backup_codes.backupcodesheet",)
    audit_words = tags.WORDS

    def usable(self, user) -> bool:
        from twofactor.methods.backup_codes import codes

        return codes.has_codes(user)

    def left(self, user) -> int:
        from twofactor.methods.backup_codes import codes

        return codes.remaining(user)

    def set_up_among(self, user_ids) -> set[int]:
        from twofactor.methods.backup_codes import codes

        return codes.with_codes_among(user_ids)

    def security_context(self, request) -> dict:
        from twofactor.methods.backup_codes import codes

        return codes.security_context(request)

    def normalise(self, raw: str) -> str | None:
        from twofactor.methods.backup_codes import codes

        return codes.normalize(raw) if codes.looks_like_backup_code(raw) else None

    def check(self, attempt, answer, request):
        from twofactor.methods.backup_codes import codes

        sheet = codes.spend(attempt.user, answer)
        if sheet is None:
            audit.record(CodeTag.BACKUP_CODE_REJECTED, request=request, subject=attempt.user,
                         attempt_id=attempt.pk)
        return sheet

    def wrong_message(self, user) -> str:
        return "That backup code is not right or was used already. Each code works once."

    def after_success(self, attempt, device, request) -> None:
        from twofactor.methods.backup_codes import codes

        codes.tell_used(attempt.user, codes.remaining(attempt.user), request=request,
                        attempt_id=attempt.pk)

    def reset(self, person) -> dict[str, int]:
        from twofactor.methods.backup_codes import codes

        return {"backup_codes_revoked": codes.revoke(person)}
