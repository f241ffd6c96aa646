"""Forms shared by sign-in and the admin pages."""

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest

from accounts import phones
from accounts.models import User
from portal.conf import conf

GENERIC_LOGIN_ERROR = (
    "That email and password do not match an active account. Check both and try again."
)


def region_help(region: str) -> str:
    return (
        f"Numbers without a country code are read as {region} numbers; for another country "
        "start with + and its code, e.g. +44 7911 123456. It receives the tokens."
    )


class MobileNumberField(forms.CharField):
    """A mobile number typed any reasonable way; cleans to E.164 or says what is wrong.
    A number without a country code is read in ``region`` (the firm's or client's country,
    set with ``read_in``), else the portal's PHONE_DEFAULT_REGION."""

    def __init__(self, *, region: str = "", **kwargs) -> None:
        kwargs.setdefault("label", "Mobile phone number")
        kwargs.setdefault("max_length", phones.MAX_INPUT_LENGTH)
        self.region = region or conf.PHONE_DEFAULT_REGION
        kwargs.setdefault("help_text", region_help(self.region))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def read_in(self, region: str) -> None:
        """Read numbers without a country code in ``region`` (and say so)."""
        if self.help_text == region_help(self.region):
            self.help_text = region_help(region)
        self.region = region

    def prepare_value(self, value: str) -> str:
        if value and isinstance(value, str) and value.startswith("+") and value[1:].isdigit():
            return phones.display(value)
        return value

    def clean(self, value: str) -> str:
        value = super().clean(value)
        if not value:
            return ""
        return phones.parse_mobile(value, self.region)


class LoginForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
        error_messages={"required": "Enter your email address.",
                        "invalid": "Enter an email address like name@example.com."},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if email is not None and password:
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                raise forms.ValidationError(GENERIC_LOGIN_ERROR, code="invalid_login")
        return cleaned


class PasswordConfirmForm(forms.Form):
    """Re-enter your own password before a sensitive action."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        self.refusal = ""  # set when the password-guessing limit is reached: no check runs
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="throttled")
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password
