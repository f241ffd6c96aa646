"""What each audit event tells the operator: a Prometheus metric and a structured log line.

Every security event already goes through ``audit.record``, so this is the one hook: each
new ``AuditEvent`` row, once committed (an event undone by a rolled-back transaction is
neither counted nor logged), is counted by tag, mapped to the sign-in, text and lock-out
metrics below, and written to the ``portal.security`` log with the request's id.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save

from accounts.audit import Tag
from accounts.models import AuditEvent
from portal import logs, metrics

# Sign-in steps, as (method, result); None as the method means "read it from the event".
# Sign-in methods add their own tags at start-up (``Method.sign_in_results``).
SIGN_IN_RESULTS: dict[str, tuple[str | None, str]] = {
    Tag.SIGNED_IN: (None, "signed_in"),
    Tag.PASSWORD_REFUSED: ("password", "refused"),
    Tag.LOGIN_THROTTLED: ("password", "throttled"),
    Tag.TOKEN_REJECTED: (None, "rejected"),
    Tag.KEY_REQUIRED_REFUSED: (None, "not_allowed"),
    Tag.NO_PHONE_ON_FILE: ("none", "no_method"),
    Tag.NO_ALLOWED_METHOD: ("none", "no_method"),
}
# Texts with a code (a sign-in's token, a new number's code), sent or refused by a limit.
TEXTS = {
    Tag.SMS_SENT: "sent",
    Tag.PHONE_CHANGE_CODE_SENT: "sent",
    Tag.SMS_THROTTLED: "refused",
}
# Short facts worth a log line; the rest of an event's data stays in the audit log.
LOGGED_DATA = ("method", "reason", "kind", "limit", "purpose")


def connect_signals() -> None:
    post_save.connect(_recorded, sender=AuditEvent, dispatch_uid="security_events")


def _recorded(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    if created:
        request_id = logs.REQUEST_ID.get()  # the request that recorded it, whenever it commits
        transaction.on_commit(lambda: observe(instance, request_id), robust=True)


def observe(event: AuditEvent, request_id: str | None = None) -> None:
    """Count and log one committed audit event."""
    tag, data = event.tag, event.data or {}
    metrics.security_event(tag)
    if step := sign_in_step(tag, data):
        metrics.sign_in_step(*step)
    if tag in TEXTS:
        metrics.text(TEXTS[tag])
    if tag == Tag.FACTOR_LOCKED:
        metrics.locked_out()
    logs.security_event(
        tag,
        request_id=request_id,
        subject=event.subject_id,
        actor=event.actor_id,
        firm=event.firm_id,
        ip=event.ip_address,
        **{key: data[key] for key in LOGGED_DATA if key in data},
    )


def sign_in_step(tag: str, data: dict | None) -> tuple[str, str] | None:
    """The (method, result) an event is a sign-in step of, or None: one reading for the
    metric and the firm admin's Security overview."""
    if tag not in SIGN_IN_RESULTS:
        return None
    method, result = SIGN_IN_RESULTS[tag]
    return method or _method_of(tag, data or {}), result


def _method_of(tag: str, data: dict) -> str:
    method = data.get("method")
    if isinstance(method, str) and method:
        return method
    if tag == Tag.SIGNED_IN:
        return "password"  # no second step was needed
    return "token"  # a rejected answer whose method was not told (malformed, locked)
