"""Every kind of bad mobile number gets its own clear message; good ones become E.164."""

import pytest
from django.core.exceptions import ValidationError

from accounts import phones


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 201 555 0123", "+12015550123"),
        ("(201) 555-0123", "+12015550123"),
        ("+44 7400 123456", "+447400123456"),
        ("  +1-201-555-0123 ", "+12015550123"),
    ],
)
def test_a_mobile_number_typed_any_reasonable_way_is_stored_as_e164(typed, stored):
    assert phones.parse_mobile(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        ("", "invalid", "Enter a mobile phone number"),
        ("call me maybe", "invalid", "Enter a mobile phone number"),
        ("+999 123 456 789", "unknown_country", "country calling code does not exist"),
        ("+1 201 555", "too_short", "too short"),
        ("+1 201 555 0123 4567 89", "too_long", "too long"),
        ("+1 111 555 0123", "invalid_number", "not a number in use"),
        ("+44 20 7183 8750", "not_mobile", "not a mobile number"),
        ("9" * 40, "invalid", "Enter a mobile phone number"),
    ],
)
def test_each_kind_of_bad_number_says_what_is_wrong(typed, code, words):
    with pytest.raises(ValidationError) as caught:
        phones.parse_mobile(typed)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_a_masked_number_shows_only_the_country_code_and_last_two_digits():
    assert phones.mask("+12015550123") == "+1 ••••••••23"
    assert "555" not in phones.mask("+12015550123")
    assert phones.mask("") == ""


def test_display_formats_for_the_admin_editing_it():
    assert phones.display("+12015550123") == "+1 201-555-0123"
