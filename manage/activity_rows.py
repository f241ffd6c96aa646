"""The audit log as rows people read: one row per sign-in, opening into its steps.

Every event of one sign-in carries its ``attempt_id`` (the password, the push sent and
denied, the texted token, the result); those events are one row, said by its result
("Signed in with a texted token"), with the way, the address and the browser. Every other
event (and every event older than ``attempt_id``) is a row of its own.

Paging counts rows, not events, at the same cost for any size of log: a row stands at its
newest event among those the filters select (``newest_of_each``: no newer event of the same
sign-in, an index lookup on ``attempt_id``), so ``manage.paging`` walks those events by the
same cursor as before. A page's steps come in one more query (``rows``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent
from manage import event_words
from portal.request_info import browser_label
from twofactor import methods

# The events that end a sign-in well, the later one winning (a confirmation is its own).
_SUCCESS = (str(Tag.SIGNED_IN), str(Tag.FACTOR_CONFIRMED))
_NOT_SIGNED_IN = "Did not sign in"


@dataclass(frozen=True)
class Step:
    event: AuditEvent
    words: str
    details: list[str]


@dataclass(frozen=True)
class Row:
    """A row of the log: a sign-in (its ``steps``, oldest first) or a lone event."""

    event: AuditEvent  # where the row stands: its newest event the filters selected
    words: str
    details: list[str]
    ip_address: str = ""
    browser: str = ""
    steps: list[Step] = field(default_factory=list)


def newest_of_each(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Of ``events``, each sign-in's newest (by time, then id) and every event outside a
    sign-in: one event per row, for paging and counting rows."""
    newer = events.filter(attempt_id=OuterRef("attempt_id")).filter(
        Q(created_at__gt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id"))
    )
    return events.filter(~Exists(newer))


def rows(newest: list[AuditEvent], scope: QuerySet[AuditEvent]) -> list[Row]:
    """The rows that ``newest`` (from ``newest_of_each``) stand for. A sign-in's steps are
    all its events within ``scope`` (the firm's, or the person's), whichever the filters
    matched: one query for the page."""
    sign_ins = {event.attempt_id for event in newest if event.attempt_id}
    steps: dict[UUID, list[AuditEvent]] = defaultdict(list)
    if sign_ins:
        found = scope.filter(attempt_id__in=sign_ins).select_related("actor", "subject")
        for event in found.order_by("created_at", "id"):
            steps[event.attempt_id].append(event)
    return [
        sign_in_row(event, steps[event.attempt_id])
        if len(steps.get(event.attempt_id, ())) > 1
        else lone_row(event)
        for event in newest
    ]


def lone_row(event: AuditEvent) -> Row:
    return Row(
        event=event,
        words=audit.describe(event.tag, event.data),
        details=event_words.details(event.tag, event.data),
        ip_address=event.ip_address or "",
        browser=browser_label(event.user_agent) if event.user_agent else "",
    )


def sign_in_row(event: AuditEvent, steps: list[AuditEvent]) -> Row:
    """A sign-in said by its result and way, from where; its steps in words."""
    done = next((step for step in reversed(steps) if step.tag in _SUCCESS), None)
    if done is not None:
        words = audit.describe(done.tag, done.data)
        method = done.data.get("method")
        details = [f"Way: {event_words.method_label(method)}" if method else "Way: Password only"]
    else:
        words = _NOT_SIGNED_IN
        tried = ways_tried(steps)
        details = [f"Last step: {audit.describe(steps[-1].tag, steps[-1].data)}"]
        if tried:
            details.insert(0, f"Ways tried: {', '.join(tried)}")
    where = next((step for step in steps if step.ip_address), None)
    agent = next((step.user_agent for step in steps if step.user_agent), "")
    return Row(
        event=event,
        words=words,
        details=details,
        ip_address=where.ip_address if where else "",
        browser=browser_label(agent) if agent else "",
        steps=[
            Step(step, audit.describe(step.tag, step.data),
                 event_words.details(step.tag, step.data))
            for step in steps
        ],
    )


def ways_tried(steps: list[AuditEvent]) -> list[str]:
    """The methods a sign-in used, by label, in the registry's order: named in a step's
    data, or the method whose own tag a step is."""
    names = {step.data.get("method") for step in steps}
    tags = {step.tag for step in steps}
    return [
        method.label for method in methods.registry()
        if method.name in names or tags & set(method.audit_words)
    ]
