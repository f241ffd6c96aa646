"""The ways a person can answer the second factor, and which of them they can use now.

Each way is a package here with its own verification, views and templates. This registry is
the one list that the challenge page and the Security page read, so a new way is a new
package plus one line in ``METHODS`` (as django-allauth's ``mfa`` adds ``totp/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from twofactor.models import SignInAttempt

# Strongest first: the challenge page offers them in this order.
METHODS = (
    "twofactor.methods.push.METHOD",
    "twofactor.methods.sms.METHOD",
    "twofactor.methods.backup_codes.METHOD",
)


@dataclass(frozen=True)
class Method:
    """One way of answering. Hooks are dotted paths, imported on first use, so that
    registering a method imports none of its code."""

    name: str  # recorded on the attempt and in audit events: "push", "sms", "backup_code"
    label: str  # what people read: "Push", "SMS", "Backup code"
    usable: Callable[[User], bool]  # can this person answer this way now?
    # Answered in the shared "Token or Security Key" field (its part of the page goes below
    # the field) rather than on its own (above it: approve on the phone, touch a key).
    typed: bool = True
    challenge_template: str = ""  # its part of the challenge page
    challenge_context: str = ""  # dotted path: (request, attempt) -> dict for that part
    security_template: str = ""  # its part of the Security page
    security_context: str = ""  # dotted path: (request) -> dict for that part
    audit_tags: tuple[str, ...] = field(default_factory=tuple)
    # dotted paths: (user) -> list[Factor] an admin may remove one by one, and
    # (user, factor_id) -> bool that removes one (False: it was not there)
    removable: str = ""
    remove: str = ""

    def context_for_challenge(self, request: HttpRequest, attempt: SignInAttempt) -> dict:
        return _call(self.challenge_context, request, attempt)

    def context_for_security(self, request: HttpRequest) -> dict:
        return _call(self.security_context, request)


@dataclass(frozen=True)
class Factor:
    """One thing a person signs in with that an admin can remove alone: a push device, an
    authenticator app, a security key."""

    method: str  # the Method's name
    id: str  # the method's own id for it
    label: str  # what the admin reads: "Push on the phone app (Authy)"


def removable_factors(user: User) -> list[Factor]:
    """Every factor of ``user`` that can be removed on its own, in the registry's order."""
    return [
        factor
        for method in registry()
        if method.removable
        for factor in import_string(method.removable)(user)
    ]


def remove_factor(user: User, method_name: str, factor_id: str) -> Factor | None:
    """Remove one factor of ``user``; the factor removed, or None if there was no such one."""
    factor = next(
        (f for f in removable_factors(user) if (f.method, f.id) == (method_name, factor_id)),
        None,
    )
    if factor is not None and import_string(get(method_name).remove)(user, factor_id):
        return factor
    return None


def _call(path: str, *args: Any) -> dict:
    return import_string(path)(*args) if path else {}


@cache
def registry() -> tuple[Method, ...]:
    return tuple(import_string(path) for path in METHODS)


def get(name: str) -> Method:
    return next(method for method in registry() if method.name == name)


def usable_by(user: User) -> list[Method]:
    """The ways ``user`` can answer now, strongest first."""
    return [method for method in registry() if method.usable(user)]
