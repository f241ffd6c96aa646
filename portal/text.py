"""Text people type that the portal stores and shows again (names of people, clients and
security keys): one line, without control characters.

A NUL is refused by PostgreSQL (a 500) yet stored by SQLite; other control characters,
lone surrogates and bidirectional overrides would reach pages, emails, email subjects (a
line break there makes Django refuse to send) and the Activity CSV. ``SingleLineField``
turns runs of whitespace (tabs and line breaks included) into one space and refuses the
rest with a field error.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

CONTROL_MESSAGE = "Remove the control characters (such as NUL) from this field."
# Embeddings, overrides and isolates: they reorder how the text around them is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters, lone surrogates, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def refuse_control_characters(value: str) -> None:
    """A validator: ``value`` holds no control character."""
    if any(
        char in BIDI_CONTROLS or unicodedata.category(char) in REFUSED_CATEGORIES
        for char in value
    ):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


class SingleLineField(forms.CharField):
    """One line of text a person types: whitespace runs become one space, control
    characters are refused."""

    default_validators = [refuse_control_characters]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Ours refuses NUL too: one message for every control character.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value: object) -> str:
        return " ".join(super().to_python(value).split())
