"""The email-code method: what it offers, sends, checks and removes."""

from __future__ import annotations

import re

from twofactor.methods import Method

CODE_PATTERN = re.compile(r"[0-9]{8}")


class EmailCodeMethod(Method):
    name = "email_code"
    label = "Email code"
    noun = "an emailed code"
    reset_words = "emailed codes"
    typed_help = "the code we emailed you"
    shape_help = "the 8-digit code from the email"
    signed_in_words = "with an emailed code"
    challenge_template = "email_codes/challenge.html"
    security_template = "email_codes/security.html"
    device_models = ("email_codes.emailcodedevice",)
    audit_words = {
        "account:email_code:sent": "Was emailed a sign-in code",
        "account:email_code:turned_on": "Turned on sign-in codes by email",
    }

    def usable(self, user) -> bool:
        from tests.email_codes.models import EmailCodeDevice

        return EmailCodeDevice.objects.filter(user=user, confirmed=True).exists()

    def set_up_among(self, user_ids) -> set[int]:
        from tests.email_codes import codes

        return codes.with_device_among(user_ids)

    def security_context(self, request) -> dict:
        return {"email_codes_on": self.usable(request.user)}

    def at_password_step(self, request, attempt) -> None:
        from tests.email_codes import codes

        codes.send(attempt.user, request, attempt_id=attempt.pk)

    def normalise(self, raw: str) -> str | None:
        code = raw.strip().replace(" ", "")
        return code if CODE_PATTERN.fullmatch(code) else None

    def check(self, attempt, answer, request):
        from tests.email_codes import codes

        return codes.check(attempt.user, answer)

    def wrong_message(self, user) -> str:
        return "That code is not right, has expired, or was used already. Ask for a new email."

    def reset(self, person) -> dict[str, int]:
        from tests.email_codes.models import EmailCodeDevice

        removed, _ = EmailCodeDevice.objects.filter(user=person).delete()
        return {"email_codes_removed": removed}
