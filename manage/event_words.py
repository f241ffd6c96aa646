"""An audit event's details in words, as the Activity and Security pages show them.

``data`` is kept as recorded (method names, lists, limit names, provider error kinds): the
CSV export gives it whole. On the pages each known key reads as a phrase ("Allowed:
Security key, Push. Removed: SMS.", "Way: SMS"), methods by their labels from the registry;
ids are never shown; a key not described here yet reads as "Its name: its value".
"""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from accounts import audit
from accounts.audit import Tag
from accounts.models import User
from twofactor import methods

# Why something was refused or ended, by the ``reason`` recorded.
REASONS = {
    "wrong": "The answer was wrong",
    "security_key": "The security key's answer was refused",
    "backup_code": "The backup code was wrong or used already",
    "wrong_number": "A different number was tapped on the phone",
    "locked": "Signing in was locked after too many wrong answers",
    "backoff": "Answered too soon after wrong answers",
    "malformed": "The answer was not shaped like any code",
    "not_allowed": "A way the organisation does not allow",
    "not_fresh": "A way that cannot confirm a change",
    "key_required": "The firm requires a security key",
    "challenge": "The key's request had expired or was used already",
    "invalid": "The key's answer could not be verified",
    "unknown_key": "A key not registered to this person",
    "policy": "Passkey sign-in without a password is not allowed",
    "throttled": "Too many failed passkey sign-ins",
    "idle": "Idle for too long",
    "absolute": "Signed in for too long",
}
# A provider's failure, by ``kind`` (twofactor.providers.base.ErrorKind).
PROVIDER_FAILURES = {
    "unavailable": "The 2FA provider could not be reached",
    "timeout": "The 2FA provider did not answer in time",
    "rate_limited": "The 2FA provider asked the portal to slow down",
    "bad_response": "The 2FA provider's answer made no sense",
    "rejected": "The 2FA provider refused the request",
}
# The named rate limits (settings.RATE_LIMITS), by what they hold back.
LIMITS = {
    "login.account_address": "password tries for this account from this address",
    "login.account": "password tries for this account",
    "login.ip": "password tries from this address",
    "password_reset.account": "password resets for this account",
    "password_reset.ip": "password resets from this address",
    "sms.user": "texts to this person (one a short while)",
    "sms.number": "texts to this number (one a short while)",
    "sms.user.hour": "texts to this person in an hour",
    "sms.ip": "texts asked for from this address",
    "sms.portal.day": "texts the portal sends in a day",
    "push.user": "requests to this person's phone",
    "passkey.ip": "passkey sign-ins from this address",
    "passkey.failed.credential": "failed sign-ins with this passkey",
    "passkey.failed.ip": "failed passkey sign-ins from this address",
}
VIA = {
    "password_reset": "From a password-reset link",
    "invitation": "From an invitation",
    "reported_sign_in": "After reporting a sign-in that was not them",
}
_ID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
# Keys that hold an id (of an approval request, say): never shown.
_HIDDEN = {"approval"}


def method_label(name: object) -> str:
    """A method as people read it ("SMS"), from the registry; a name no method has any
    more (an older event) reads as itself in words."""
    method = methods.find(name) if isinstance(name, str) else None
    return method.label if method else _humanise(name)


def labels(names: object) -> str:
    if not isinstance(names, list | tuple):
        return method_label(names)
    return ", ".join(method_label(name) for name in names) or "none"


def details(tag: str, data: dict | None) -> list[str]:
    """``data`` as phrases, in the order recorded; nothing for an empty value or an id."""
    data = data or {}
    phrases = []
    if "old" in data or "new" in data:
        phrases.append(_change(tag, data.get("old"), data.get("new")))
    for key, value in data.items():
        if key in ("old", "new") or key in _HIDDEN or key.endswith("_id"):
            continue
        if key == "method" and tag in audit.BY_METHOD_TAGS:
            continue  # the event's words name it already
        phrase = _phrase(key, value)
        if phrase:
            phrases.append(phrase)
    return phrases


def _phrase(key: str, value: Any) -> str:
    words = _PHRASES.get(key)
    if words is not None:
        return words(value) if value not in (None, "", []) else ""
    if value in (None, "", [], False, 0) or (isinstance(value, str) and _ID.match(value)):
        return ""
    return f"{_humanise(key)}: {_value(value)}"


def _change(tag: str, old: Any, new: Any) -> str:
    if tag == Tag.ROLE_CHANGED:
        old, new = _role(old), _role(new)
    return f"From {_quoted(old)} to {_quoted(new)}"


def _role(value: Any) -> str:
    try:
        return str(User.Role(value).label)
    except ValueError:
        return _humanise(value)


def _quoted(value: Any) -> str:
    return f"“{value}”" if value not in (None, "") else "nothing"


def _when(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)


def _seconds(value: Any) -> str:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return str(value)
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_humanise(item) for item in value)
    return str(value)


def _humanise(value: object) -> str:
    text = str(value).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


_PHRASES: dict[str, Callable[[Any], str]] = {
    "method": lambda v: f"Way: {method_label(v)}",
    "allowed": lambda v: f"Allowed: {labels(v)}.",
    "removed": lambda v: f"Removed: {labels(v)}.",
    "factor": lambda v: f"Way removed: {v}",
    "reason": lambda v: REASONS.get(v) or _humanise(v),
    "kind": lambda v: PROVIDER_FAILURES.get(v) or f"The 2FA provider failed: {_humanise(v)}",
    "during": lambda v: "While texting a code to a new number"
    if v == "phone_change_code" else f"While: {_humanise(v)}",
    "failures": lambda v: f"Wrong answers in a row: {v}",
    "limit": lambda v: f"Limit reached: {LIMITS.get(v) or _humanise(v)}",
    "retry_after": lambda v: f"Could ask again in {_seconds(v)}",
    "to": lambda v: f"Texted to {v}",
    "new_phone": lambda v: f"New number: {v}",
    "email": lambda v: f"Typed an email address at {v}",
    "ip_address": lambda v: f"The sign-in reported came from {v}",
    "browser": lambda v: f"Its browser: {v}",
    "ended": lambda v: f"Other sessions signed out: {v}",
    "other_sessions": lambda v: f"Other sessions signed out: {v}",
    "wrong_passwords": lambda v: f"After {v} wrong passwords",
    "via": lambda v: VIA.get(v) or f"Through: {_humanise(v)}",
    "fields": lambda v: f"Changed: {_value(v).lower()}",
    "role": lambda v: f"Role: {_role(v)}",
    "client": lambda v: f"Client: {v}",
    "region": lambda v: "Country: the portal's default" if v == "default" else f"Country: {v}",
    "count": lambda v: f"Codes made: {v}",
    "remaining": lambda v: f"Backup codes left: {v}",
    "name": lambda v: f"Name: “{v}”",
    "key": lambda v: f"Key: “{v}”",
    "app": lambda v: f"Phone app: “{v}”",
    "due_at": lambda v: f"Takes effect on {_when(v)}",
    "purpose": lambda v: f"Link for: {_humanise(v).lower()}",
    "approved_early": lambda v: "Approved early by an admin" if v else "",
}
