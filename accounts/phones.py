"""Mobile phone numbers: parse what a person types, store E.164, show it masked.

Every kind of bad number gets its own message, because "invalid phone number" does not
tell an admin whether they mistyped, forgot the country code or entered a landline.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from portal.conf import conf

MAX_INPUT_LENGTH = 32

_NOT_A_NUMBER = "Enter a mobile phone number, for example +1 201 555 0123."
_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: (
        "unknown_country",
        "That country calling code does not exist. Start with + and the country code, "
        "for example +44 for the United Kingdom.",
    ),
    ValidationResult.TOO_SHORT: ("too_short", "That number is too short."),
    ValidationResult.TOO_LONG: ("too_long", "That number is too long."),
    ValidationResult.INVALID_LENGTH: (
        "wrong_length",
        "That number has the wrong number of digits for its country.",
    ),
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: (
        "local_only",
        "That number is missing its area code.",
    ),
}
# Types that can receive texts and app alerts (or where the library cannot tell).
_MOBILE_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.PAGER,
    PhoneNumberType.UNKNOWN,
}


def parse_mobile(raw: str, region: str | None = None) -> str:
    """Return ``raw`` as an E.164 mobile number, or raise ValidationError saying why not."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(_NOT_A_NUMBER, code="invalid")
    try:
        number = phonenumbers.parse(text, region or conf.PHONE_DEFAULT_REGION)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            code, message = _REASONS[ValidationResult.INVALID_COUNTRY_CODE]
            raise ValidationError(message, code=code) from None
        if exc.error_type in (
            NumberParseException.TOO_SHORT_NSN,
            NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            code, message = _REASONS[ValidationResult.TOO_SHORT]
            raise ValidationError(message, code=code) from None
        if exc.error_type == NumberParseException.TOO_LONG:
            code, message = _REASONS[ValidationResult.TOO_LONG]
            raise ValidationError(message, code=code) from None
        raise ValidationError(_NOT_A_NUMBER, code="invalid") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _REASONS:
        code, message = _REASONS[reason]
        raise ValidationError(message, code=code)
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "That is not a number in use in its country. Check the digits and the country code.",
            code="invalid_number",
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            "That is not a mobile number. Enter a mobile number that can receive texts "
            "and app alerts.",
            code="not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """An E.164 number in international format, for the person editing it."""
    if not e164:
        return ""
    return phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def mask(e164: str) -> str:
    """Country code and last two digits only: ``+1 ••• ••• ••23``."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    national = str(number.national_number)
    hidden = "•" * max(len(national) - 2, 0)
    return f"+{number.country_code} {hidden}{national[-2:]}"
