"""Enrolment windows: when a person with no factor may add their first one with the password
and an emailed code.

A window opens with the invitation or when an admin opens one for that person
(``ENROLMENT_WINDOW_DAYS``, 7 by default). It does not count within 24 hours of a password
reset or an email change (a reset link or a changed address is how an account is taken
over), nor at all after an admin removed the person's factors, unless an admin opened it
after that event. Those events are read from the audit log, which records them already
(``accounts`` cannot call up into ``twofactor``): no second copy to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent, User
from twofactor.conf import conf
from twofactor.enrolment.models import EnrolmentWindow
from twofactor.enrolment.tags import EnrolmentTag

QUIET_AFTER_CHANGE = timedelta(hours=24)
_FACTORS_REMOVED = (Tag.FACTOR_RESET, Tag.FACTOR_REMOVED)
_CHANGES = (Tag.PASSWORD_SET, Tag.PROFILE_CHANGED)


@dataclass(frozen=True)
class Verdict:
    """``open``, or why not: "none", "password_reset", "email_changed", "factors_removed"."""

    open: bool
    reason: str = ""


def open_window(
    person: User, *, by: User | None = None, request: HttpRequest | None = None
) -> EnrolmentWindow:
    """Open a window for ``person``: by the admin ``by``, or (None) by their invitation."""
    now = timezone.now()
    window = EnrolmentWindow.objects.create(
        user=person, opened_at=now, opened_by=by,
        closes_at=now + timedelta(days=conf.ENROLMENT_WINDOW_DAYS),
    )
    audit.record(
        EnrolmentTag.WINDOW_OPENED, request=request, actor=by, subject=person,
        days=conf.ENROLMENT_WINDOW_DAYS, via="admin" if by else "invitation",
    )
    return window


def verdict(person: User, now: datetime | None = None) -> Verdict:
    """Is a window open for ``person`` now? Two queries: the live windows, the events."""
    now = now or timezone.now()
    live = list(
        EnrolmentWindow.objects.filter(
            user=person, used_at=None, opened_at__lte=now, closes_at__gt=now
        ).order_by("-opened_at")
    )
    if not live:
        return Verdict(False, "none")
    events = _blocking_events(person, now)
    reasons = [_barred(window, events, now) for window in live]
    return Verdict(True) if "" in reasons else Verdict(False, reasons[0])


def _blocking_events(person: User, now: datetime) -> list[tuple[str, datetime]]:
    """Every admin removal of factors, and the last 24 hours' password resets and email
    changes, newest first, as (reason, when)."""
    rows = AuditEvent.objects.filter(
        Q(tag__in=_FACTORS_REMOVED) | Q(tag__in=_CHANGES, created_at__gt=now - QUIET_AFTER_CHANGE),
        subject=person,
    ).order_by("-created_at").values_list("tag", "created_at", "data")
    found = []
    for tag, at, data in rows:
        data = data if isinstance(data, dict) else {}
        if tag in _FACTORS_REMOVED:
            found.append(("factors_removed", at))
        elif tag == Tag.PASSWORD_SET and data.get("via") == "password_reset":
            found.append(("password_reset", at))
        elif tag == Tag.PROFILE_CHANGED and "email" in (data.get("fields") or []):
            found.append(("email_changed", at))
    return found


def _barred(window: EnrolmentWindow, events: list[tuple[str, datetime]], now: datetime) -> str:
    """Why ``window`` does not count, or "": an admin's window opened after an event
    outweighs it."""
    for reason, at in events:
        if window.opened_by_id is not None and window.opened_at > at:
            continue
        if reason == "factors_removed" or now < at + QUIET_AFTER_CHANGE:
            return reason
    return ""


def open_until(person: User) -> datetime | None:
    """When the person's latest open window closes (for their admin's page), if one is open
    and counts now."""
    if not verdict(person).open:
        return None
    return (
        EnrolmentWindow.objects.filter(user=person, used_at=None, closes_at__gt=timezone.now())
        .order_by("-closes_at").values_list("closes_at", flat=True).first()
    )


def close_all(person: User) -> int:
    """The person set up a first factor: every window they had is spent."""
    return EnrolmentWindow.objects.filter(user=person, used_at=None).update(
        used_at=timezone.now()
    )
