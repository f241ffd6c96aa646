"""SMS: a token texted to the number on file, typed into "Token or Security Key"."""

from __future__ import annotations

import re

from twofactor.methods import Method

# What the portal issues: 6 or more ASCII digits ([0-9], not \d, which takes any script's).
TOKEN_PATTERN = re.compile(r"[0-9]{6,10}")


class SmsMethod(Method):
    name = "sms"
    label = "SMS"
    noun = "a texted token"
    uses_phone = True
    weak = True  # a texted code can be taken by a SIM swap or phished
    spends_in_database = False  # the provider checks the token
    through_provider = True
    instead = "Use an SMS token instead."
    sent_as = "Text messages"
    typed_help = "the token from our text message"
    shape_help = "the token from the text message (6 or more digits)"
    signed_in_words = "with a texted token"
    challenge_template = "twofactor/methods/sms/challenge.html"
    device_models = ("twofactor.phonedevice",)

    def usable(self, user) -> bool:
        return bool(user.phone)

    def set_up_among(self, user_ids) -> set[int]:
        from twofactor import registration

        return registration.with_a_number_among(user_ids)

    def at_password_step(self, request, attempt) -> None:
        from twofactor.methods.sms import sending

        sending.text_token(request, attempt).tell(request)

    def normalise(self, raw: str) -> str | None:
        code = raw.strip().replace(" ", "")
        return code if TOKEN_PATTERN.fullmatch(code) else None

    def check(self, attempt, answer, request):
        from twofactor import registration
        from twofactor.providers import get_provider

        device = registration.phone_device(attempt.user)
        if device is None:
            return None
        right = get_provider(device.provider).check_token(
            attempt.user, device.provider_ref, device.number, answer, attempt_id=str(attempt.pk)
        )
        return device if right else None

    def wrong_message(self, user) -> str:
        return (
            "That token is not right, has expired, or was replaced by a newer one. "
            "Check the latest text message, or send a new token."
        )
