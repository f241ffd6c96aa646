"""The people tables of Manage Employees and a client's page: search, readiness, pages.

A page costs the same few queries for 10 people or 100,000: one for the people with their
wrong-token lock (a join), one for their registered phones, one per sign-in method for who
has it set up (``twofactor.methods.registered_among``), none to count them (keyset pages,
see manage.paging).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import phones
from accounts.models import User
from manage.paging import Page, paginate
from twofactor import methods, registration
from twofactor.conf import conf
from twofactor.models import PhoneDevice

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
_NUMBER_LIKE = re.compile(r"[+(]?\d[\d\s().\-]{2,30}")


@dataclass(frozen=True)
class State:
    """One readiness badge: its words and its tone ("ok" only for good states)."""

    label: str
    tone: str  # "ok", "warn", "bad", "info" or "" (neutral)
    until: datetime | None = None  # Locked: until when
    at: datetime | None = None  # Last verified: when


@dataclass(frozen=True)
class Row:
    """One person as the table shows them: who, and how ready they are for 2FA."""

    person: User
    masked_phone: str
    registered: bool
    last_verified_at: datetime | None
    locked_until: datetime | None
    states: list[State] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # labels of the methods set up

    @property
    def shows_last_verified(self) -> bool:
        """The date is not already the badge (a reset, a lock or deactivation keeps it)."""
        return bool(self.last_verified_at) and not any(state.at for state in self.states)


def states_of(
    person: User, *, registered: bool, locked_until: datetime | None,
    last_verified_at: datetime | None,
) -> list[State]:
    """What a firm admin can act on, in the order they would act."""
    if not person.is_active:
        return [State("Deactivated", "")]
    states = []
    if not person.has_usable_password():
        states.append(State("Invited", "info"))
    if locked_until:
        states.append(State("Locked", "bad", until=locked_until))
    if not person.phone:
        states.append(State("No phone", "warn"))
    elif not registered:
        states.append(State("Not registered", "warn"))
    if states:
        return states
    if last_verified_at:
        return [State("Last verified", "ok", at=last_verified_at)]
    return [State("Ready, never used", "ok")]


def search(people: QuerySet[User], text: str) -> QuerySet[User]:
    """People whose name or email contains ``text``, or whose number it is.

    A whole typed number is read the way the phone field reads it (+1 201-555-0101,
    (201) 555 0101 ...) and matched exactly in E.164; a few digits match a number's end.
    """
    text = text.strip()[:MAX_SEARCH_LENGTH]
    if not text:
        return people
    number = _as_e164(text) if _NUMBER_LIKE.fullmatch(text) else ""
    if number:  # a whole number: one indexed lookup, however large the firm
        return people.filter(phone=number)
    match = Q(full_name__icontains=text) | Q(email__icontains=text)
    if _NUMBER_LIKE.fullmatch(text):
        match |= Q(phone__endswith=re.sub(r"\D", "", text))
    return people.filter(match)


# Who is not ready for two-factor authentication, for the table's "Show" filter: each
# choice shows exactly the people with that badge (states_of).
READINESS_FILTERS = {
    "": "Everyone",
    "invited": "Invited",
    "no_phone": "No phone",
    "not_registered": "Not registered",
    "locked": "Locked",
    "deactivated": "Deactivated",
}


def not_ready(people: QuerySet[User], which: str) -> QuerySet[User]:
    """Narrow ``people`` to one kind of "not ready" (``which`` from READINESS_FILTERS)."""
    if which == "deactivated":
        return people.filter(is_active=False)
    active = people.filter(is_active=True)
    if which == "invited":
        return active.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if which == "no_phone":
        return active.filter(phone="")
    if which == "locked":
        return active.filter(factor_lock__locked_until__gt=timezone.now())
    if which == "not_registered":
        registered = PhoneDevice.objects.filter(
            user=OuterRef("pk"), number=OuterRef("phone"), provider=conf.TWOFACTOR_PROVIDER,
            registered_at__isnull=False,
        )
        return active.exclude(phone="").exclude(Exists(registered))
    return people


def _as_e164(text: str) -> str:
    """A whole mobile number typed any way, as stored; "" for anything else."""
    try:
        return phones.parse_mobile(text)
    except ValidationError:
        return ""


def page_of(people: QuerySet[User], cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """A page of ``people`` by name, each item a :class:`Row`."""
    page = paginate(people.select_related("factor_lock"), ["full_name", "id"], cursor, size)
    now = timezone.now()
    ids = [person.pk for person in page.items]
    registered = registration.registered_among(ids)
    set_up = methods.registered_among(ids)
    page.items = [
        _row(person, now, person.pk in registered, set_up[person.pk]) for person in page.items
    ]
    return page


def _row(person: User, now: datetime, registered: bool, set_up: list[methods.Method]) -> Row:
    lock = getattr(person, "factor_lock", None)
    locked_until = lock.locked_until if lock and lock.is_locked(now) else None
    last_verified_at = person.last_second_factor_at
    return Row(
        person=person,
        masked_phone=phones.mask(person.phone),
        registered=registered,
        last_verified_at=last_verified_at,
        locked_until=locked_until,
        states=states_of(
            person, registered=registered, locked_until=locked_until,
            last_verified_at=last_verified_at,
        ),
        methods=[method.label for method in set_up],
    )
