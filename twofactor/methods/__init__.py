"""The ways a person can answer the second step, and which of them this sign-in may use.

A way of answering is a ``Method``: a class in its own plug-in package (``push/``, ``sms/``,
``totp/``, ``security_key/``, ``backup_codes/``) that says what it offers on the challenge
and Security pages, what it does at the password step (push, text, nothing), how it checks
a typed answer, whether it counts as a fresh factor, whether it satisfies a policy, and what
an admin's reset removes. ``settings.TWOFACTOR_METHODS`` lists them, strongest first; the
sign-in core (``twofactor.signin``), the pages and the admin's columns ask this registry
and name no method, as django-otp's core names no device type.

Every answer path asks ``refusal(attempt, method)`` before it checks anything, and the
challenge page offers ``offered(attempt)``: the same rule decides what is shown and what is
accepted (the firm's allowed ways, "Require a security key for firm admins", and "Confirm
it's you" wanting a fresh factor).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from twofactor.methods.base import Factor, Method  # a method imports them from here too

if TYPE_CHECKING:
    from accounts.models import PolicyHolder, User
    from twofactor.models import SignInAttempt


@cache
def registry() -> tuple[Method, ...]:
    """Every registered method, strongest first: each app in ``settings.TWOFACTOR_METHODS``
    names its Method class (``method_class`` on its AppConfig)."""
    configs = {config.name: config for config in apps.get_app_configs()}
    return tuple(
        import_string(configs[name].method_class)() for name in settings.TWOFACTOR_METHODS
    )


def announce() -> None:
    """At start-up: each method's words for the audit log (how it signed someone in, its own
    tags) and its sign-in steps for the metrics join the core's tables."""
    from accounts import audit, security_events

    for method in registry():
        if method.signed_in_words:
            audit.describe_method(method.name, method.signed_in_words)
        for name, words in method.also_recorded_as.items():
            audit.describe_method(name, words)
        if method.audit_words:
            audit.describe_tags("Second factor", method.audit_words)
        security_events.SIGN_IN_RESULTS.update(method.sign_in_results)


def find(name: str) -> Method | None:
    return next((method for method in registry() if method.name == name), None)


def get(name: str) -> Method:
    method = find(name)
    if method is None:
        raise LookupError(f"no sign-in method {name!r} is registered")
    return method


def posted_to(action: object) -> Method | None:
    """The method whose part of the challenge page posted ``action``, if any."""
    if not action:
        return None
    return next((m for m in registry() if m.posted_action and m.posted_action == action), None)


def of_device(persistent_id: object) -> Method | None:
    """The method whose device a django-otp persistent id ("app.model/pk") names."""
    if not isinstance(persistent_id, str):
        return None
    model = persistent_id.partition("/")[0]
    return next((m for m in registry() if model in m.device_models), None)


def allowed(user: User, method: Method) -> bool:
    """Does ``user``'s firm (or client) let them answer by ``method``?"""
    from accounts import policy  # not at import: the method apps load this package early

    return allowed_under(policy.holder_of(user), method)


def allowed_under(holder: PolicyHolder, method: Method) -> bool:
    """Does ``holder`` (a firm, or a client for its end users) let its people answer by
    ``method``? For many people at once: ask once per holder, not per person."""
    from accounts import policy

    return not method.in_policy or policy.method_allowed(holder, method.name)


def usable_by(user: User) -> list[Method]:
    """The ways ``user`` can answer now and their firm (or client) allows, strongest first.

    The policy costs no query: the person is loaded with their firm and client."""
    return [method for method in registry() if allowed(user, method) and method.usable(user)]


@dataclass(frozen=True)
class Refusal:
    """Why a method may not answer an attempt: ``reason`` for the audit log, ``message``
    for the person."""

    reason: str  # "not_allowed", "not_fresh" or "key_required"
    message: str


def refusal(attempt: SignInAttempt, method: Method) -> Refusal | None:
    """Why ``method`` may not answer ``attempt`` (the person's organisation does not allow
    it, the firm requires a security key, a change wants a fresh factor), or None if it may.
    Every answer path asks this, and the challenge page offers only what passes it."""
    reason = _refused(attempt, method)
    if not reason:
        return None
    user = attempt.user
    if reason == "not_allowed":
        return Refusal("not_allowed", (
            f"Your organisation does not allow signing in with {method.noun} here. "
            f"The ways you can use: {_labels(usable_by(user))}."
        ))
    if reason == "not_fresh":
        return Refusal("not_fresh", (
            f"{method.noun[0].upper()}{method.noun[1:]} cannot confirm this change. Use a "
            f"fresh second factor: {_labels(strong_methods(user))}."
        ))
    return Refusal("key_required", (
        "Your firm requires firm admins to sign in with a security key: press \"Use a "
        "security key\" and touch your key. Lost it? Use one of your backup codes."
    ))


def _refused(attempt: SignInAttempt, method: Method) -> str:
    """``refusal``'s reason alone (no words, no query): what ``offered`` asks."""
    if not allowed(attempt.user, method):
        return "not_allowed"
    if attempt.is_confirmation and not method.fresh:
        return "not_fresh"
    if key_required(attempt) and not (method.phishing_resistant or method.recovery):
        return "key_required"
    return ""


def key_required(attempt: SignInAttempt) -> bool:
    """Must this sign-in finish with a security key? A firm admin's, where the firm says so
    ("Require a security key for firm admins"). A signed-in admin's "Confirm it's you" is
    not held to it, so an admin who has no key yet can still add one."""
    from accounts import policy

    return not attempt.is_confirmation and policy.needs_security_key(attempt.user)


def offered(attempt: SignInAttempt, usable: list[Method] | None = None) -> list[Method]:
    """The ways this attempt's person can answer now that would be accepted, strongest
    first: what the challenge page shows (``usable``: ``usable_by`` already asked)."""
    usable = usable_by(attempt.user) if usable is None else usable
    return [method for method in usable if not _refused(attempt, method)]


def _labels(found: list[Method]) -> str:
    return ", ".join(method.label for method in found) or "none"


def starting_way(attempt: SignInAttempt, ways: list[Method] | None = None) -> Method | None:
    """The way the second step starts with, among ``ways`` (default: what is offered): the
    person's default if it is there, else the strongest (a security key: no push is sent
    to someone with a key)."""
    ways = [m for m in (offered(attempt) if ways is None else ways) if m.preferable]
    chosen = attempt.user.preferred_method
    return next((m for m in ways if m.name == chosen), ways[0] if ways else None)


def registered_among(user_ids: Collection[int]) -> dict[int, list[Method]]:
    """Each of ``user_ids`` with the methods they have set up, strongest first (one query
    per method, so a page of people costs the same for any firm)."""
    found: dict[int, list[Method]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    for method in registry():
        for user_id in method.set_up_among(user_ids):
            found[user_id].append(method)
    return found


def preferable_for(user: User) -> list[Method]:
    """The ways ``user`` may pick as their default (the second step starts with it)."""
    return [method for method in usable_by(user) if method.preferable]


def ways_to_set_up(user: User) -> list[Method]:
    """The ways ``user`` may set up themselves as a first factor, in their set-up order
    (the Partner Portal app first): each with a set-up page, allowed for them, and a key
    where their firm requires one of its admins."""
    from accounts import policy

    key_only = policy.needs_security_key(user)
    found = [
        method for method in registry()
        if method.set_up_url and allowed(user, method)
        and (method.phishing_resistant or not key_only)
    ]
    return sorted(found, key=lambda method: method.set_up_order)


def in_policy() -> list[Method]:
    """The ways a firm or client may allow or not, strongest first (the checkboxes)."""
    return [method for method in registry() if method.in_policy]


def strong_methods(user: User) -> list[Method]:
    """The ways ``user`` can prove a factor that counts as fresh."""
    return [method for method in usable_by(user) if method.fresh]


def removable_factors(user: User) -> list[Factor]:
    """Every factor of ``user`` that can be removed on its own, in the registry's order."""
    return [factor for method in registry() for factor in method.removable(user)]


def remove_factor(user: User, method_name: str, factor_id: str) -> Factor | None:
    """Remove one factor of ``user``; the factor removed, or None if there was no such one."""
    method = find(method_name)
    if method is None:
        return None
    factor = next((f for f in method.removable(user) if f.id == factor_id), None)
    if factor is not None and method.remove(user, factor_id):
        return factor
    return None


def attempt_closed(attempt_id: object, by: str | None = None) -> None:
    """Tell every method an attempt succeeded (``by`` that method) or was abandoned."""
    for method in registry():
        method.attempt_closed(attempt_id, by)


def phone_lost(person: User) -> None:
    """Every method forgets what lived on the person's lost phone."""
    for method in registry():
        method.phone_lost(person)


def deactivated(person: User) -> None:
    """Every method removes what must not outlive a deactivation."""
    for method in registry():
        method.deactivated(person)


def has_recovery(user: User) -> bool:
    """Whether ``user`` has a way back in for a lost factor (backup codes left)."""
    return any(method.recovery and method.usable(user) for method in registry())


def reset_words() -> list[str]:
    """What an admin's reset removes, one phrase per method that holds something."""
    return [method.reset_words for method in registry() if method.reset_words]


def reset_all(person: User) -> dict[str, int]:
    """Every method removes what it holds for ``person`` (an admin's reset)."""
    removed: dict[str, int] = {}
    for method in registry():
        removed |= method.reset(person)
    return removed
