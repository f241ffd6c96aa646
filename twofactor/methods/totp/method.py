"""Authenticator apps (TOTP, RFC 6238): a code from the app, typed into "Token or Security
Key", checked here without any provider."""

from __future__ import annotations

import re

from twofactor.methods import Method
from twofactor.methods.totp import tags

CODE_PATTERN = re.compile(r"[0-9]{6}")


class AuthenticatorAppMethod(Method):
    name = "totp"
    label = "Authenticator app"
    noun = "an authenticator app"
    reset_words = "their authenticator app"
    typed_help = "the 6-digit code from your authenticator app"
    shape_help = "the 6-digit code from your authenticator app"
    signed_in_words = "with an authenticator app"
    challenge_template = "twofactor/methods/totp/challenge.html"
    security_template = "twofactor/methods/totp/security.html"
    device_models = ("totp.authenticatorapp",)
    audit_words = tags.WORDS
    set_up_url = "totp_setup"
    set_up_label = "An authenticator app"
    set_up_help = ("Google Authenticator, Microsoft Authenticator or another: scan a QR code, "
                   "then type the 6-digit code it shows at each sign-in.")
    set_up_order = 2

    def usable(self, user) -> bool:
        from twofactor.methods.totp import authenticator

        return authenticator.has_app(user)

    def set_up_among(self, user_ids) -> set[int]:
        from twofactor.methods.totp import authenticator

        return authenticator.with_apps_among(user_ids)

    def security_context(self, request) -> dict:
        from twofactor.methods.totp import authenticator

        return authenticator.security_context(request)

    def normalise(self, raw: str) -> str | None:
        code = raw.strip().replace(" ", "")
        return code if CODE_PATTERN.fullmatch(code) else None

    def check(self, attempt, answer, request):
        from twofactor.methods.totp import authenticator

        return authenticator.consume(attempt.user, answer)

    def wrong_message(self, user) -> str:
        return (
            "That code is not right, or was used already. Type the newest code from your "
            "authenticator app, or the latest texted token."
        )

    def reset(self, person) -> dict[str, int]:
        from twofactor.methods.totp import authenticator

        return {"authenticator_app_removed": bool(authenticator.remove_all(person))}
