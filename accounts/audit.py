"""The audit log: a tag per kind of event, recorded in one call.

Tags read like a sentence and filter well (warehouse's style): ``account:login:failed``.
Never record a token, code, password or full phone number in ``data``. ``KINDS`` says each
tag in words, in groups; the Activity and Security pages read it through ``describe``.
"""

import enum
import uuid
from typing import Any

from django.http import HttpRequest

from accounts.models import AuditEvent, Firm, User
from portal.request_info import client_ip, user_agent


class Tag(enum.StrEnum):
    # Signing in and out
    PASSWORD_ACCEPTED = "account:login:password_accepted"
    PASSWORD_REFUSED = "account:login:password_refused"
    LOGIN_THROTTLED = "account:login:throttled"
    SIGNED_IN = "account:login:signed_in"
    SIGNED_OUT = "account:logout"
    SESSION_EXPIRED = "account:session:expired"
    OTHER_SESSIONS_ENDED = "account:session:others_ended"
    WRONG_PASSWORDS_ENDED_SESSION = "account:session:ended_after_wrong_passwords"
    # Second factor
    SMS_SENT = "account:two_factor:sms_sent"
    SMS_THROTTLED = "account:two_factor:sms_throttled"
    # The second step passed, by the method in ``data["method"]`` (push, sms, backup_code ...)
    FACTOR_ACCEPTED = "account:two_factor:accepted"
    # Older events: the second step passed, whatever the method (now FACTOR_ACCEPTED).
    TOKEN_ACCEPTED = "account:two_factor:token_accepted"
    TOKEN_REJECTED = "account:two_factor:token_rejected"
    FACTOR_LOCKED = "account:two_factor:locked"
    FACTOR_UNLOCKED = "account:two_factor:unlocked"
    NO_PHONE_ON_FILE = "account:two_factor:no_phone"
    NO_ALLOWED_METHOD = "account:two_factor:no_allowed_method"
    PROVIDER_FAILED = "account:two_factor:provider_failed"
    ATTEMPT_EXPIRED = "account:two_factor:attempt_expired"
    SECOND_FACTOR_REQUIRED = "account:two_factor:required_again"
    FACTOR_CONFIRMED = "account:two_factor:confirmed"
    FACTOR_RESET = "account:two_factor:reset"
    KEY_REQUIRED_REFUSED = "account:security_key:required_refused"
    KEY_REQUIRED_RECOVERY = "account:security_key:required_backup_code_used"
    SUSPICIOUS_SIGN_IN_REPORTED = "account:two_factor:suspicious_sign_in_reported"
    BROWSER_REMEMBERED = "account:two_factor:browser_remembered"
    BROWSER_FORGOTTEN = "account:two_factor:browser_forgotten"
    DEFAULT_METHOD_CHOSEN = "account:two_factor:default_method_chosen"
    FACTOR_REMOVED = "account:two_factor:factor_removed"  # one factor, by an admin
    # The Security overview's "Remind them": an email to add a stronger way, or its limit
    REMINDED_TO_SET_UP = "account:two_factor:reminded_to_set_up"
    REMINDER_THROTTLED = "account:two_factor:reminder_throttled"
    # Lost phones: self-service phone-number changes
    PHONE_CHANGE_REQUESTED = "account:phone_change:requested"
    PHONE_CHANGE_CODE_SENT = "account:phone_change:code_sent"
    PHONE_CHANGE_CODE_REJECTED = "account:phone_change:code_rejected"
    PHONE_CHANGE_PROVEN = "account:phone_change:number_proven"
    PHONE_CHANGE_CONFIRMED = "account:phone_change:email_confirmed"
    PHONE_CHANGE_LINK_REFUSED = "account:phone_change:link_refused"
    PHONE_CHANGE_CANCELLED = "account:phone_change:cancelled"
    PHONE_CHANGE_APPROVED_EARLY = "account:phone_change:approved_early"
    PHONE_CHANGE_REJECTED = "account:phone_change:rejected"
    PHONE_CHANGE_COMPLETED = "account:phone_change:completed"
    PHONE_CHANGE_FAILED = "account:phone_change:failed"
    # Administration
    FIRM_TWO_FACTOR_ON = "firm:two_factor:enabled"
    FIRM_TWO_FACTOR_OFF = "firm:two_factor:disabled"
    CLIENT_TWO_FACTOR_ON = "client:two_factor:enabled"
    CLIENT_TWO_FACTOR_OFF = "client:two_factor:disabled"
    FIRM_PASSKEY_SIGN_IN_ON = "firm:passkey_sign_in:enabled"
    FIRM_PASSKEY_SIGN_IN_OFF = "firm:passkey_sign_in:disabled"
    CLIENT_PASSKEY_SIGN_IN_ON = "client:passkey_sign_in:enabled"
    CLIENT_PASSKEY_SIGN_IN_OFF = "client:passkey_sign_in:disabled"
    FIRM_ADMIN_KEYS_REQUIRED = "firm:admin_security_keys:required"
    FIRM_ADMIN_KEYS_NOT_REQUIRED = "firm:admin_security_keys:not_required"
    FIRM_METHODS_CHANGED = "firm:two_factor:methods_changed"
    CLIENT_METHODS_CHANGED = "client:two_factor:methods_changed"
    CLIENT_ADDED = "client:created"
    CLIENT_RENAMED = "client:renamed"
    PHONE_CHANGED = "account:phone:changed"
    ROLE_CHANGED = "account:role:changed"
    PROFILE_CHANGED = "account:profile:changed"
    PERSON_ADDED = "account:created"
    INVITATION_SENT = "account:invitation:sent"
    PERSON_DEACTIVATED = "account:deactivated"
    PERSON_REACTIVATED = "account:reactivated"
    PASSWORD_SET = "account:password:set"
    PASSWORD_CHANGED = "account:password:changed"
    PASSWORD_RESET_REQUESTED = "account:password:reset_requested"
    PASSWORD_RESET_THROTTLED = "account:password:reset_throttled"
    REAUTHENTICATED = "account:reauthenticated"
    PHONE_REGION_CHANGED = "firm:phone_region:changed"
    FIRM_REMEMBER_BROWSERS_ON = "firm:remember_browsers:enabled"
    FIRM_REMEMBER_BROWSERS_OFF = "firm:remember_browsers:disabled"
    CLIENT_REMEMBER_BROWSERS_ON = "client:remember_browsers:enabled"
    CLIENT_REMEMBER_BROWSERS_OFF = "client:remember_browsers:disabled"


# Each tag in words a firm admin reads, grouped the way the Activity filter offers them.
# Words start with a verb; the page says who did it beside them.
KINDS: dict[str, dict[str, str]] = {
    "Signing in and out": {
        Tag.PASSWORD_ACCEPTED: "Entered the right password",
        Tag.PASSWORD_REFUSED: "Entered a wrong password",
        Tag.LOGIN_THROTTLED: "Was held back after too many password tries",
        Tag.SIGNED_IN: "Signed in",
        Tag.SIGNED_OUT: "Logged out",
        Tag.SESSION_EXPIRED: "Was signed out after a long pause",
        Tag.OTHER_SESSIONS_ENDED: "Signed out everywhere else",
        Tag.WRONG_PASSWORDS_ENDED_SESSION: "Was signed out after wrong passwords (re-entry)",
        Tag.REAUTHENTICATED: "Confirmed their password again",
    },
    "Second factor": {
        Tag.SMS_SENT: "Was texted a token",
        Tag.SMS_THROTTLED: "Was held back: too many texted tokens",
        Tag.FACTOR_ACCEPTED: "Passed the second step",
        Tag.TOKEN_REJECTED: "Typed a wrong token",
        Tag.FACTOR_LOCKED: "Was locked after too many wrong tokens",
        Tag.FACTOR_UNLOCKED: "Was unlocked",
        Tag.NO_PHONE_ON_FILE: "Could not sign in: no phone on file",
        Tag.PROVIDER_FAILED: "Could not be reached through the 2FA provider",
        Tag.ATTEMPT_EXPIRED: "Let a sign-in expire at the second step",
        Tag.SECOND_FACTOR_REQUIRED: "Was asked for the second factor again",
        Tag.FACTOR_CONFIRMED: "Confirmed it's them with the second factor",
        Tag.FACTOR_RESET: "Had their second factor reset",
        Tag.FACTOR_REMOVED: "Had one way of signing in removed by an admin",
        Tag.REMINDED_TO_SET_UP: "Was reminded by email to set up a stronger way to sign in",
        Tag.REMINDER_THROTTLED: "Was not reminded again: reminded too recently",
        Tag.KEY_REQUIRED_REFUSED: "Was refused: the firm requires a security key",
        Tag.KEY_REQUIRED_RECOVERY: "Used a backup code where a security key is required",
        Tag.SUSPICIOUS_SIGN_IN_REPORTED: "Suspicious sign-in reported",
        Tag.BROWSER_REMEMBERED: "Had this browser remembered for 30 days",
        Tag.BROWSER_FORGOTTEN: "Had a remembered browser forgotten",
        Tag.DEFAULT_METHOD_CHOSEN: "Chose a default way to sign in",
        Tag.NO_ALLOWED_METHOD: "Could not sign in: no allowed way is set up",
    },
    "Lost phones": {
        Tag.PHONE_CHANGE_REQUESTED: "Asked to change a lost phone's number",
        Tag.PHONE_CHANGE_CODE_SENT: "Was texted a code at the new number",
        Tag.PHONE_CHANGE_CODE_REJECTED: "Typed a wrong code for the new number",
        Tag.PHONE_CHANGE_PROVEN: "Proved the new number",
        Tag.PHONE_CHANGE_CONFIRMED: "Confirmed the number change by email",
        Tag.PHONE_CHANGE_LINK_REFUSED: "Used an expired or wrong number-change link",
        Tag.PHONE_CHANGE_CANCELLED: "Cancelled a number change",
        Tag.PHONE_CHANGE_APPROVED_EARLY: "Had a number change approved early",
        Tag.PHONE_CHANGE_REJECTED: "Had a number change refused",
        Tag.PHONE_CHANGE_COMPLETED: "Had the new number take effect",
        Tag.PHONE_CHANGE_FAILED: "Had a number change fail",
    },
    "People": {
        Tag.PERSON_ADDED: "Was added",
        Tag.INVITATION_SENT: "Was sent an invitation",
        Tag.PASSWORD_SET: "Set a password",
        Tag.PASSWORD_RESET_REQUESTED: "Asked for a password reset",
        Tag.PASSWORD_RESET_THROTTLED: "Was held back: too many password resets",
        Tag.PHONE_CHANGED: "Had the mobile number changed",
        Tag.PROFILE_CHANGED: "Had name or email changed",
        Tag.ROLE_CHANGED: "Had the role changed",
        Tag.PERSON_DEACTIVATED: "Was deactivated",
        Tag.PERSON_REACTIVATED: "Was reactivated",
        Tag.PASSWORD_CHANGED: "Changed their password",
    },
    "Firm and client settings": {
        Tag.FIRM_TWO_FACTOR_ON: "Turned two-factor sign-in on for the firm",
        Tag.FIRM_TWO_FACTOR_OFF: "Turned two-factor sign-in off for the firm",
        Tag.CLIENT_ADDED: "Added a client",
        Tag.CLIENT_RENAMED: "Renamed a client",
        Tag.CLIENT_TWO_FACTOR_ON: "Turned two-factor sign-in on for a client",
        Tag.CLIENT_TWO_FACTOR_OFF: "Turned two-factor sign-in off for a client",
        Tag.FIRM_PASSKEY_SIGN_IN_ON: "Allowed passkey sign-in without a password for the firm",
        Tag.FIRM_PASSKEY_SIGN_IN_OFF: "Stopped passkey sign-in without a password for the firm",
        Tag.CLIENT_PASSKEY_SIGN_IN_ON: "Allowed passkey sign-in without a password for a client",
        Tag.CLIENT_PASSKEY_SIGN_IN_OFF: "Stopped passkey sign-in without a password for a client",
        Tag.FIRM_ADMIN_KEYS_REQUIRED: "Required security keys for firm admins",
        Tag.FIRM_ADMIN_KEYS_NOT_REQUIRED: "Stopped requiring security keys for firm admins",
        Tag.FIRM_METHODS_CHANGED: "Changed the ways to sign in for the firm",
        Tag.CLIENT_METHODS_CHANGED: "Changed the ways to sign in for a client",
        Tag.PHONE_REGION_CHANGED: "Changed the country phone numbers are read in",
        Tag.FIRM_REMEMBER_BROWSERS_ON: "Allowed remembering browsers for 30 days for the firm",
        Tag.FIRM_REMEMBER_BROWSERS_OFF: "Stopped remembering browsers for the firm",
        Tag.CLIENT_REMEMBER_BROWSERS_ON: "Allowed remembering browsers for 30 days for a client",
        Tag.CLIENT_REMEMBER_BROWSERS_OFF: "Stopped remembering browsers for a client",
    },
}
# Older tags still in the log, read and filtered as the tag that replaced them.
REPLACED_BY = {Tag.TOKEN_ACCEPTED: Tag.FACTOR_ACCEPTED}
WORDS: dict[str, str] = {tag: words for kinds in KINDS.values() for tag, words in kinds.items()}
WORDS |= {old: WORDS[new] for old, new in REPLACED_BY.items()}
# How the second step was passed, by the method name recorded in ``data["method"]``: each
# sign-in method adds its own words at start-up (``describe_method``); a name without words
# reads "with <name>".
BY_METHOD: dict[str, str] = {}
# The tags whose words name the method (``describe``), so nothing else needs to.
BY_METHOD_TAGS = {Tag.FACTOR_ACCEPTED, Tag.TOKEN_ACCEPTED, Tag.SIGNED_IN, Tag.FACTOR_CONFIRMED}


def describe_tags(group: str, words: dict[str, str]) -> None:
    """Words for tags a sign-in method records (its own, outside ``Tag``), listed under
    ``group`` on the Activity page's filter."""
    KINDS.setdefault(group, {}).update(words)
    WORDS.update(words)


def describe_method(name: str, words: str) -> None:
    """How an event recorded with ``method=name`` says the second step was passed."""
    BY_METHOD[name] = words


def describe(tag: str, data: dict | None = None) -> str:
    """An event in words: ``account:two_factor:accepted`` with ``method=push`` ->
    "Passed the second step by approving on the phone". A tag not (yet) described reads as
    its own parts ("Two factor: something new"), never as nothing."""
    words = WORDS.get(tag)
    if words is None:
        parts = [p.replace("_", " ") for p in tag.split(":") if p != "account"]
        return ": ".join(parts).capitalize() if parts else tag
    method = (data or {}).get("method")
    if tag in BY_METHOD_TAGS and isinstance(method, str) and method:
        return f"{words} {BY_METHOD.get(method, 'with ' + method.replace('_', ' '))}"
    return words


def with_older(tags: list[str]) -> list[str]:
    """``tags`` and the older tags they replaced, for filtering the log."""
    return [*tags, *(old for old, new in REPLACED_BY.items() if new in tags)]


def record(
    tag: Tag,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    subject: User | None = None,
    firm: Firm | None = None,
    attempt_id: uuid.UUID | str | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit event. The firm defaults to the subject's, then the actor's.
    ``attempt_id`` names the sign-in the event belongs to (passed by whoever knows it: the
    sign-in flow, the verification path, a method acting for an attempt)."""
    person = subject or actor
    return AuditEvent.objects.create(
        tag=str(tag),
        firm_id=firm.pk if firm else (person.firm_id if person else None),
        actor=actor,
        subject=subject,
        ip_address=(client_ip(request) or None) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        data={key: _storable(value) for key, value in data.items()},
        attempt_id=uuid.UUID(str(attempt_id)) if attempt_id is not None else None,
    )


def _storable(value: Any) -> Any:
    """Text as typed, less NUL characters, which PostgreSQL's text and jsonb refuse."""
    return value.replace("\x00", "") if isinstance(value, str) else value
