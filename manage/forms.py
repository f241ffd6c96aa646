"""Forms of the Admin pages: the 2FA settings, people, clients, searches and filters.

No form has a firm or client field: those come from the signed-in admin and the URL, so no
edited field can move a person to another firm or client.
"""

from django import forms

from accounts.audit import Tag
from accounts.forms import MobileNumberField
from accounts.models import Client, Firm, User, normalize_email
from manage import directory, people

EMAIL_TAKEN = "Someone in the Partner Portal already uses this email address."
STALE = (
    "Someone else changed this while you were editing it. Nothing was saved. The current "
    "values are listed below; your changes are still in the form: Save again to apply them."
)


class _SwitchForm(forms.Form):
    # The setting as the page showed it ("on"/"off"): another admin's change meanwhile is
    # reported, not silently reversed.
    shown = forms.ChoiceField(
        required=False, choices=[("", ""), ("on", "on"), ("off", "off")], widget=forms.HiddenInput
    )
    confirm_missing_phones = forms.BooleanField(required=False, widget=forms.HiddenInput)


class FirmTwoFactorForm(_SwitchForm):
    two_factor_required = forms.TypedChoiceField(
        label="Enable two-factor authentication for your partner account",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose Yes or No.", "invalid_choice": "Choose Yes or No."},
    )

    def __init__(self, *args, actor: User, **kwargs) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_two_factor_required(self) -> bool:
        on = self.cleaned_data["two_factor_required"]
        if on:
            try:
                people.check_own_phone(self.actor)
            except people.NotAllowed as refusal:
                raise forms.ValidationError(str(refusal), code="no_own_phone") from None
        return on


class ClientTwoFactorForm(_SwitchForm):
    two_factor_required = forms.BooleanField(
        label="Require two-factor authentication for end users", required=False
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search by name, email or mobile number",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    show = forms.ChoiceField(
        label="Show", required=False, choices=list(directory.READINESS_FILTERS.items())
    )


OWN_NUMBER_HELP = (
    "You change your own number on your Security page, with a code texted to the new number."
)


class PersonForm(forms.Form):
    """An end user's profile (and the base of an employee's)."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the person's full name."},
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages={
            "required": "Enter the email address they sign in with.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = MobileNumberField(required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    role_for_new = User.Role.END_USER

    def __init__(
        self, *args, person: User | None = None, actor: User | None = None, **kwargs
    ) -> None:
        self.person = person
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(person)
        super().__init__(*args, **kwargs)
        if person is not None and actor is not None and person.pk == actor.pk:
            # Your own number changes the way everyone's does: with a code to the new number.
            self.fields["phone"].disabled = True
            self.fields["phone"].help_text = OWN_NUMBER_HELP

    def initial_for(self, person: User) -> dict:
        return {
            "full_name": person.full_name,
            "email": person.email,
            "phone": person.phone,
            "version": people.version_of(person),
        }

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        taken = User.objects.filter(email__iexact=email)
        if self.person is not None:
            taken = taken.exclude(pk=self.person.pk)
        if taken.exists():
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def role(self) -> str:
        return self.person.role if self.person else self.role_for_new

    def profile(self) -> people.Profile:
        data = self.cleaned_data
        return people.Profile(data["full_name"], data["email"], data["phone"], self.role())

    def show_current(self, current: User) -> None:
        """After a stale save: keep what was typed, take the current version."""
        self.data = self.data.copy()
        self.data["version"] = people.version_of(current)
        self.add_error(None, STALE)


class EmployeeForm(PersonForm):
    is_admin = forms.BooleanField(label="Firm admin (can open the Admin menu)", required=False)

    role_for_new = User.Role.TECH

    def initial_for(self, person: User) -> dict:
        return {**super().initial_for(person), "is_admin": person.role == User.Role.ADMIN}

    def role(self) -> str:
        return User.Role.ADMIN if self.cleaned_data.get("is_admin") else User.Role.TECH


class ClientNameForm(forms.Form):
    name = forms.CharField(
        label="Client name",
        max_length=120,
        error_messages={"required": "Enter the client's name."},
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, firm: Firm, client: Client | None = None, **kwargs) -> None:
        self.firm, self.client = firm, client
        if client is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": client.name, "version": people.version_of(client)}
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        same = Client.objects.filter(firm=self.firm, name__iexact=name)
        if self.client is not None:
            same = same.exclude(pk=self.client.pk)
        if same.exists():
            raise forms.ValidationError(
                "Your firm already has a client with this name.", code="name_taken"
            )
        return name

    def show_current(self, current: Client) -> None:
        self.data = self.data.copy()
        self.data["version"] = people.version_of(current)
        self.add_error(None, STALE)


# The largest id a database's bigint column holds: larger numbers name no one.
MAX_ID = 2**63 - 1


class ActivityFilterForm(forms.Form):
    person = forms.EmailField(label="Person (email)", required=False, max_length=254)
    # Set by "See their activity" links; a whole number, or the filter says what is wrong.
    person_id = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "This link names no one: open Activity from the person's page again.",
            "min_value": "This link names no one: open Activity from the person's page again.",
            "max_value": "This link names no one: open Activity from the person's page again.",
        },
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *[(tag.value, tag.value) for tag in Tag]],
    )

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        self.firm = firm
        self.person_found: User | None = None
        super().__init__(*args, **kwargs)

    def clean_person(self) -> str:
        email = normalize_email(self.cleaned_data["person"])
        if email:
            self.person_found = User.objects.filter(firm=self.firm, email=email).first()
            if self.person_found is None:
                raise forms.ValidationError("No one in your firm has this email address.")
        return email
