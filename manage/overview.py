"""What the Security overview tells a firm admin: how many people can sign in each way, who
has only weak ways (SMS) or none, and the firm's sign-ins of the last 30 days by way and
result. Plain functions, so a test asks them without a request.

The people cost one query for the firm's active people, one for its clients' policies and
one per sign-in method (``Method.set_up_among`` is given the people as a subquery, so a firm
of any size costs the same). The sign-ins are one grouped query on the audit log, read the
way the sign-in metric reads it (``security_events.sign_in_step``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.fields.json import KT
from django.utils import timezone

from accounts import security_events
from accounts.models import AuditEvent, Client, Firm, PolicyHolder, User
from twofactor import methods

DAYS = 30
LISTED = 100  # people listed by name under "Only SMS or nothing"; the rest are counted
EMPLOYEES = "Employees"
# A sign-in's result, in the words of the chart and its table, and its tone ("ok", "bad" or
# "warn": the bar's colour, never the only cue, since each bar is labelled).
RESULTS = {
    "signed_in": ("Signed in", "ok"),
    "rejected": ("Rejected", "bad"),
    "denied": ("Denied", "bad"),
    "expired": ("Expired", "warn"),
    "not_allowed": ("Not allowed", "warn"),
    "no_method": ("Could not sign in", "warn"),
    "refused": ("Wrong password", "bad"),
    "throttled": ("Held back", "warn"),
}
# Ways a sign-in step is recorded under that are not a registered method's name.
OTHER_WAYS = {
    "passkey": "Passkey",
    "password": "Password alone",
    "token": "Unreadable code",
    "none": "No way set up",
}


@dataclass
class Group:
    """A row of "Ways people can sign in": the firm's employees, or one client's end users
    (``holder`` is whose policy says which ways they may use)."""

    name: str
    holder: PolicyHolder
    people: int = 0
    counts: Counter = field(default_factory=Counter)  # method name -> people who can use it

    def cells(self, ways: list[methods.Method]) -> list[tuple[methods.Method, int | None]]:
        """Each way's count, or None where the firm (or client) does not allow it."""
        return [
            (way, self.counts[way.name] if methods.allowed_under(self.holder, way) else None)
            for way in ways
        ]


@dataclass(frozen=True)
class Exposed:
    """A person whose ways to sign in are only weak ones (SMS), or none."""

    id: int
    name: str
    email: str
    group: str
    ways: tuple[str, ...]  # the labels of the weak ways they have; () for none


@dataclass
class People:
    """The firm's active people: by group, in total, and those with only weak ways."""

    ways: list[methods.Method]
    groups: list[Group]
    exposed: list[Exposed]  # the first LISTED by group and name
    exposed_count: int

    @property
    def total(self) -> int:
        return sum(group.people for group in self.groups)

    def rows(self) -> list[tuple[str, int, list[tuple[str, int | None]]]]:
        """The table: each group's name, its people, and each way's label and count (None:
        the firm or client does not allow that way)."""
        return [
            (group.name, group.people,
             [(way.label, count) for way, count in group.cells(self.ways)])
            for group in self.groups
        ]

    def totals(self) -> list[tuple[str, int]]:
        """Each way's label and count over every group."""
        return [
            (way.label, sum(group.counts[way.name] for group in self.groups))
            for way in self.ways
        ]

    @property
    def weak_labels(self) -> str:
        """ "SMS" (or "SMS or Email code"): the weak ways, as the page names them."""
        return " or ".join(way.label for way in self.ways if way.weak) or "weak ways"


def weak_or_none(usable: list[methods.Method]) -> bool:
    """Ways that leave a person exposed: none but weak ones (a recovery method, such as
    backup codes, is a way back in, not a way to sign in)."""
    return all(way.weak for way in usable if not way.recovery)


def people(firm: Firm) -> People:
    """Who in ``firm`` (active people only: others cannot sign in) can use each way."""
    everyone = User.objects.filter(firm=firm, is_active=True)
    ways = list(methods.registry())
    groups: dict[int | None, Group] = {None: Group(EMPLOYEES, firm)}
    for client in Client.objects.filter(firm=firm).order_by("name", "id"):
        groups[client.pk] = Group(f"End users of {client.name}", client)
    set_up = {way.name: way.set_up_among(everyone.values("pk")) for way in ways}
    exposed = []
    for pk, name, email, client_id in everyone.order_by("full_name", "id").values_list(
        "pk", "full_name", "email", "client_id"
    ):
        group = groups.get(client_id)
        if group is None:  # their client was added after the clients were read: next time
            continue
        group.people += 1
        usable = [
            way for way in ways
            if pk in set_up[way.name] and methods.allowed_under(group.holder, way)
        ]
        group.counts.update(way.name for way in usable)
        if weak_or_none(usable):
            weak = tuple(way.label for way in usable if way.weak)
            person = Exposed(pk, name, email, group.name, weak)
            exposed.append((client_id is not None, group.name, person))
    exposed.sort(key=lambda row: row[:2])  # employees first, then each client's (stable: by name)
    return People(
        ways=ways,
        groups=list(groups.values()),
        exposed=[person for *_, person in exposed[:LISTED]],
        exposed_count=len(exposed),
    )


def usable_set_up(person: User) -> list[methods.Method]:
    """The ways ``person`` has set up that their firm or client allows (one query per
    method; ``person`` loaded with their firm and client)."""
    set_up = methods.registered_among([person.pk])[person.pk]
    return [way for way in set_up if methods.allowed(person, way)]


@dataclass(frozen=True)
class SignIns:
    """The firm's sign-in steps since ``since``, counted by way and result."""

    since: datetime
    ways: list[tuple[str, str]]  # (way, its label), the registry's order, then the others
    results: list[tuple[str, str, str]]  # (result, its words, its tone), those that occurred
    counts: dict[tuple[str, str], int]  # (way, result) -> how many

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Each way's label and, for each result, its words and count (the table)."""
        return [
            (label, [(words, self.counts.get((way, result), 0))
                     for result, words, _ in self.results])
            for way, label in self.ways
        ]

    def groups(self) -> list[tuple[str, list[tuple[str, int, str]]]]:
        """Each way's label and its results that occurred, as (words, count, tone): the
        chart's labelled bars."""
        return [
            (label, [(words, self.counts[way, result], tone)
                     for result, words, tone in self.results if (way, result) in self.counts])
            for way, label in self.ways
        ]


def sign_ins(firm: Firm, now: datetime | None = None, days: int = DAYS) -> SignIns:
    """Sign-ins of ``firm``'s people in the last ``days`` days, by way and result, in one
    query (grouped by tag and the recorded method)."""
    since = (now or timezone.now()) - timedelta(days=days)
    counted = (
        AuditEvent.objects.filter(
            firm=firm, created_at__gte=since, tag__in=list(security_events.SIGN_IN_RESULTS)
        )
        .values("tag", method=KT("data__method"))
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: Counter = Counter()
    for row in counted:
        step = security_events.sign_in_step(row["tag"], {"method": row["method"]})
        if step:
            counts[step] += row["n"]
    return SignIns(
        since=since,
        ways=_ways_in_order({way for way, _ in counts}),
        results=[
            (result, *RESULTS.get(result, (result.replace("_", " ").capitalize(), "")))
            for result in _in_order({result for _, result in counts}, list(RESULTS))
        ],
        counts=dict(counts),
    )


def _ways_in_order(found: set[str]) -> list[tuple[str, str]]:
    known = [way.name for way in methods.registry()]
    return [(way, _way_label(way)) for way in _in_order(found, [*known, *OTHER_WAYS])]


def _way_label(name: str) -> str:
    method = methods.find(name)
    if method is not None:
        return method.label
    return OTHER_WAYS.get(name) or name.replace("_", " ").capitalize()


def _in_order(found: set[str], order: list[str]) -> list[str]:
    return [name for name in order if name in found] + sorted(found - set(order))
