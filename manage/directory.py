"""The people tables of Manage Employees and a client's page: search, readiness, pages.

A page costs the same few queries for 10 people or 100,000: one for the people with their
wrong-token lock (a join), one for their registered phones, none to count them (keyset
pages, see manage.paging).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import phones
from accounts.models import User
from manage.paging import Page, paginate
from twofactor.conf import conf
from twofactor.models import PhoneDevice

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
_NUMBER_LIKE = re.compile(r"[+(]?\d[\d\s().\-]{2,30}")


@dataclass(frozen=True)
class Row:
    """One person as the table shows them: who, and how ready they are for 2FA."""

    person: User
    masked_phone: str
    registered: bool
    last_verified_at: datetime | None
    locked_until: datetime | None


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


# Who is not ready for two-factor authentication, for the table's "Show" filter.
READINESS_FILTERS = {
    "": "Everyone",
    "no_phone": "No mobile number",
    "not_registered": "Not registered with the provider",
    "locked": "Locked",
}


def not_ready(people: QuerySet[User], which: str) -> QuerySet[User]:
    """Narrow ``people`` to one kind of "not ready" (``which`` from READINESS_FILTERS)."""
    if which == "no_phone":
        return people.filter(phone="")
    if which == "locked":
        return people.filter(factor_lock__locked_until__gt=timezone.now())
    if which == "not_registered":
        registered = PhoneDevice.objects.filter(
            user=OuterRef("pk"), number=OuterRef("phone"), provider=conf.TWOFACTOR_PROVIDER,
            registered_at__isnull=False,
        )
        return people.exclude(phone="").exclude(Exists(registered))
    return people


def _as_e164(text: str) -> str:
    """A whole mobile number typed any way, as stored; "" for anything else."""
    try:
        return phones.parse_mobile(text)
    except ValidationError:
        return ""


def page_of(people: QuerySet[User], cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """A page of ``people`` by name, each item a :class:`Row`."""
    people = people.select_related("factor_lock").prefetch_related(
        Prefetch("phonedevice_set", queryset=PhoneDevice.objects.all(), to_attr="devices")
    )
    page = paginate(people, ["full_name", "id"], cursor, size)
    now = timezone.now()
    page.items = [_row(person, now) for person in page.items]
    return page


def _row(person: User, now: datetime) -> Row:
    device = person.devices[0] if person.devices else None
    lock = getattr(person, "factor_lock", None)
    return Row(
        person=person,
        masked_phone=phones.mask(person.phone),
        registered=bool(
            person.phone
            and device
            and device.is_registered_for(person.phone, conf.TWOFACTOR_PROVIDER)
        ),
        last_verified_at=device.last_verified_at if device else None,
        locked_until=lock.locked_until if lock and lock.is_locked(now) else None,
    )
