"""The ways a person can answer the second factor, and which of them they can use now.

Each way is a package here with its own verification, views and templates. This registry is
the one list that the challenge page and the Security page read, so a new way is a new
package plus one line in ``METHODS`` (as django-allauth's ``mfa`` adds ``totp/``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from accounts import policy

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from twofactor.models import SignInAttempt

# Strongest first: the challenge page offers them in this order.
METHODS = (
    "twofactor.methods.security_key.METHOD",
    "twofactor.methods.push.METHOD",
    "twofactor.methods.totp.METHOD",
    "twofactor.methods.sms.METHOD",
    "twofactor.methods.backup_codes.METHOD",
    "twofactor.methods.remember.METHOD",
)


@dataclass(frozen=True)
class Method:
    """One way of answering. Hooks are dotted paths, imported on first use, so that
    registering a method imports none of its code."""

    name: str  # recorded on the attempt and in audit events: "push", "sms", "backup_code"
    label: str  # what people read, also on the firm's policy: "Push", "SMS", "Backup code"
    usable: Callable[[User], bool]  # can this person answer this way now?
    # Answered in the shared "Token or Security Key" field (its part of the page goes below
    # the field) rather than on its own (above it: approve on the phone, touch a key).
    typed: bool = True
    # Can a person choose it as their default way on the Security page?
    preferable: bool = True
    challenge_template: str = ""  # its part of the challenge page
    challenge_context: str = ""  # dotted path: (request, attempt) -> dict for that part
    security_template: str = ""  # its part of the Security page
    security_context: str = ""  # dotted path: (request) -> dict for that part
    # dotted path: (user_ids) -> the ids of those who have this method set up, in one query
    # whatever their number (the people tables show it for a whole page of people).
    set_up_among: str = ""
    audit_tags: tuple[str, ...] = field(default_factory=tuple)
    # A firm (or client) may switch it off; backup codes are recovery and always allowed.
    in_policy: bool = True
    # dotted paths: (user) -> list[Factor] an admin may remove one by one, and
    # (user, factor_id) -> bool that removes one (False: it was not there)
    removable: str = ""
    remove: str = ""

    def context_for_challenge(self, request: HttpRequest, attempt: SignInAttempt) -> dict:
        return _call(self.challenge_context, request, attempt)

    def context_for_security(self, request: HttpRequest) -> dict:
        return _call(self.security_context, request)

    def registered_among(self, user_ids: Collection[int]) -> set[int]:
        """Which of ``user_ids`` have this method set up (one query; none for no ids)."""
        if not self.set_up_among or not user_ids:
            return set()
        return set(import_string(self.set_up_among)(user_ids))


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


def registered_among(user_ids: Collection[int]) -> dict[int, list[Method]]:
    """Each of ``user_ids`` with the methods they have set up, strongest first (one query
    per method, so a page of people costs the same for any firm)."""
    found: dict[int, list[Method]] = {user_id: [] for user_id in user_ids}
    for method in registry():
        for user_id in method.registered_among(user_ids):
            found[user_id].append(method)
    return found


def preferable_for(user: User) -> list[Method]:
    """The ways ``user`` may pick as their default (the second step starts with it)."""
    return [method for method in usable_by(user) if method.preferable]


def in_policy() -> list[Method]:
    """The ways a firm or client may allow or not, strongest first (the checkboxes)."""
    return [method for method in registry() if method.in_policy]


def allowed(user: User, name: str) -> bool:
    """Does ``user``'s firm (or client) let them answer by the method called ``name``?"""
    method = next((m for m in registry() if m.name == name), None)
    holder = policy.holder_of(user)
    return method is not None and (not method.in_policy or policy.method_allowed(holder, name))


def usable_by(user: User) -> list[Method]:
    """The ways ``user`` can answer now and their firm (or client) allows, strongest first.

    The policy costs no query: the person is loaded with their firm and client."""
    holder = policy.holder_of(user)
    return [
        method for method in registry()
        if (not method.in_policy or policy.method_allowed(holder, method.name))
        and method.usable(user)
    ]
