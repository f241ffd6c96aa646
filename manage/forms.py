"""Forms of the Admin pages: the 2FA settings, people, clients, searches and filters.

No form has a firm or client field: those come from the signed-in admin and the URL, so no
edited field can move a person to another firm or client.
"""

from datetime import UTC, date, datetime, time, timedelta

import phonenumbers
from django import forms
from django.db.models import Q, QuerySet

from accounts import audit
from accounts.forms import MobileNumberField
from accounts.models import Client, Firm, User, normalize_email
from manage import directory, key_rules, people
from portal.conf import conf
from portal.text import SingleLineField

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
    # Set by the page that names what turning it off risks: turning off takes two presses.
    confirm_off = forms.BooleanField(required=False, widget=forms.HiddenInput)


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

    full_name = SingleLineField(
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
        self, *args, person: User | None = None, actor: User | None = None, region: str = "",
        **kwargs
    ) -> None:
        self.person = person
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(person)
        super().__init__(*args, **kwargs)
        if region or person is not None:
            self.fields["phone"].read_in(region or person.phone_region)
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
    name = SingleLineField(
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
        name = self.cleaned_data["name"]
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


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _kind_choices() -> list:
    """"All kinds", then per group "Any ..." and each kind in words (the value: its tag)."""
    return [
        ("", "All kinds"),
        *[
            (group, [(f"group:{group}", f"Any: {group.lower()}"), *kinds.items()])
            for group, kinds in audit.KINDS.items()
        ],
    ]


class ActivityFilterForm(forms.Form):
    """Who, what kind, which days (UTC, both included). Every bad value is a form error."""

    person = forms.CharField(
        label="Person",
        required=False,
        max_length=directory.MAX_SEARCH_LENGTH,
        help_text="Part of a name or email.",
    )
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
    kind = forms.ChoiceField(label="Kind", required=False, choices=_kind_choices)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"},
                                                             format="%Y-%m-%d"),
        help_text="A day in UTC, included.",
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"},
                                                           format="%Y-%m-%d"),
        help_text="A day in UTC, included.",
    )

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        self.firm = firm
        self.person_found: User | None = None
        self.people_found: QuerySet[User] | None = None
        super().__init__(*args, **kwargs)

    def clean_person(self) -> str:
        text = self.cleaned_data["person"].strip()
        if text:
            found = User.objects.filter(firm=self.firm).filter(
                Q(full_name__icontains=text) | Q(email__icontains=text)
            )
            first_two = list(found.order_by("full_name", "id")[:2])
            if not first_two:
                raise forms.ValidationError(
                    "No one in your firm has this email address."
                    if "@" in text
                    else f"No one in your firm has “{text}” in their name or email address."
                )
            self.people_found = found
            self.person_found = first_two[0] if len(first_two) == 1 else None
        return text

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                f"“To” ({_day(until)}) is before “From” ({_day(since)}). "
                "Choose a “To” day on or after the “From” day.",
            )
        return data

    def tags(self) -> list[str]:
        """The tags the chosen kind covers ([] for all kinds)."""
        kind = self.cleaned_data.get("kind", "")
        if kind.startswith("group:"):
            return audit.with_older(list(audit.KINDS[kind.removeprefix("group:")]))
        return audit.with_older([kind]) if kind else []

    def period(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC for the chosen days (None: open on that side)."""
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
        end = (
            datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
            if until and until < date.max
            else None
        )
        return start, end


class SignInPolicyForm(forms.Form):
    """A firm's (for its employees) or a client's (for its end users) sign-in policy, saved
    with the page's one Save: the ways allowed (one checkbox per method, labelled by the
    registry), passkeys, keys for firm admins (firms only), remembered browsers and the
    country numbers are read in. Unbound, it shows ``holder`` as saved."""

    methods = forms.MultipleChoiceField(
        label="Ways to sign in allowed",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Backup codes always work: they are for recovery.",
    )
    passkey_sign_in_allowed = forms.BooleanField(
        label="Allow passkey sign-in without a password", required=False
    )
    security_key_required_for_admins = forms.BooleanField(
        label="Require a security key for firm admins", required=False
    )
    allow_remembered_browsers = forms.BooleanField(
        label="Allow remembering a browser for 30 days", required=False
    )
    phone_region = forms.ChoiceField(
        label="Country for phone numbers",
        required=False,
        error_messages={"invalid_choice": "Choose a country from the list."},
    )

    def __init__(self, *args, holder: Firm | Client, **kwargs) -> None:
        kwargs.setdefault("initial", {
            "methods": people.allowed_now(holder),
            "passkey_sign_in_allowed": holder.passkey_sign_in_allowed,
            "security_key_required_for_admins": getattr(
                holder, "security_key_required_for_admins", False),
            "allow_remembered_browsers": holder.allow_remembered_browsers,
            "phone_region": holder.phone_region,
        })
        super().__init__(*args, **kwargs)
        self.holder = holder
        self.fields["methods"].choices = people.policy_choices()
        if isinstance(holder, Client):
            del self.fields["security_key_required_for_admins"]
            fallback = f"Same as the firm ({holder.firm.region})"
        else:
            fallback = f"The portal's default ({conf.PHONE_DEFAULT_REGION})"
        self.fields["phone_region"].choices = [("", fallback), *region_choices()]

    def clean_methods(self) -> list[str]:
        chosen = self.cleaned_data["methods"]
        if not chosen:
            raise forms.ValidationError(
                "Allow at least one way to sign in.", code="none_allowed"
            )
        return chosen

    def key_rules(self) -> dict[str, bool]:
        """The key settings asked for, as ``manage.key_rules`` takes them."""
        return {
            "passkey_allowed": self.cleaned_data["passkey_sign_in_allowed"],
            "keys_required": self.cleaned_data.get("security_key_required_for_admins", False),
        }

    def weakens(self) -> bool:
        """Would saving make signing in easier, or take a way away? (Needs the password.)"""
        holder = self.holder
        return (
            people.weakens(holder, self.cleaned_data["methods"])
            or key_rules.weakens(holder, **self.key_rules())
            or (self.cleaned_data["allow_remembered_browsers"]
                and not holder.allow_remembered_browsers)
        )


def region_choices() -> list[tuple[str, str]]:
    """(code, "US (+1)") for every region phonenumbers knows, by code."""
    return [
        (code, f"{code} (+{phonenumbers.country_code_for_region(code)})")
        for code in sorted(phonenumbers.SUPPORTED_REGIONS)
    ]
