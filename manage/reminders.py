"""The Security overview's "Remind them": an email asking a person with only weak ways to
sign in (SMS), or none, to add a stronger one on their Security page. For a person with
none, it also opens a set-up window (``twofactor.enrolment``): their next sign-in walks them
through setting one up, with a code sent to this email, instead of ending at "ask your
admin".

At most one a day to a person, whichever admin asks (``reminder.person``): an email an admin
can send at will is a way to flood someone's inbox. Every reminder, sent or held back, is
in the audit log with who asked.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from accounts import audit, emails
from accounts.audit import Tag
from accounts.models import User
from manage import overview
from portal import limits
from twofactor import methods
from twofactor.enrolment import windows

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    """What came of "Remind them" ("sent", "not_needed", "held_back" or "failed") and what to
    tell the admin; ``retry_after``: seconds until this person can be reminded again."""

    outcome: str
    message: str
    retry_after: int = 0


def stronger_ways(person: User) -> list[methods.Method]:
    """The ways ``person`` could add that are not weak, as their firm or client allows."""
    return [
        way for way in methods.registry()
        if not (way.weak or way.recovery) and methods.allowed(person, way)
    ]


def remind(person: User, *, by: User, request: HttpRequest | None = None) -> Reminder:
    """Email ``person`` (one of ``by``'s firm, loaded with their firm and client) a link to
    their Security page, unless they have a stronger way already or were reminded today."""
    name = person.full_name or person.email
    usable = overview.usable_set_up(person)
    if not overview.weak_or_none(usable):
        return Reminder(
            "not_needed", f"{name} already has a stronger way to sign in. No email was sent."
        )
    try:
        reservation = limits.reserve([("reminder.person", person.pk)])
    except limits.RateLimited as tripped:
        audit.record(Tag.REMINDER_THROTTLED, request=request, actor=by, subject=person)
        return Reminder(
            "held_back",
            f"{name} was reminded less than a day ago. You can remind them again in "
            f"{tripped.wait_text}.",
            tripped.retry_after,
        )
    window = windows.open_window(person, by=by, request=request) if not usable else None
    try:
        emails.send_notice(
            person,
            "stronger_sign_in_reminder",
            "add a stronger way to sign in",
            {
                "by": by,
                "has": [way.label for way in usable if way.weak],
                "ways": [way.label for way in stronger_ways(person)],
                "security_path": reverse("security"),
                "window_until": window.closes_at if window else None,
            },
        )
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send a reminder to person %s", person.pk)
        reservation.refund()  # nothing went: the admin may try again at once
        if window is not None:
            window.delete()  # nobody was told of it
        return Reminder("failed", f"The email to {name} could not be sent. Try again later.")
    audit.record(Tag.REMINDED_TO_SET_UP, request=request, actor=by, subject=person)
    if window is not None:
        return Reminder("sent", f"Sent {name} a reminder at {person.email}, and opened a "
                                f"set-up window until {window.closes_at:%Y-%m-%d} so their "
                                "next sign-in walks them through setting up a way.")
    return Reminder("sent", f"Sent {name} a reminder at {person.email}.")
