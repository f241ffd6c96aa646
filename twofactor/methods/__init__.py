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
from importlib import import_module
from typing import TYPE_CHECKING, ClassVar

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string, module_has_submodule

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_otp.models import Device

    from accounts.models import User
    from twofactor.models import SignInAttempt


@dataclass(frozen=True)
class Factor:
    """One thing a person signs in with that an admin can remove alone: a push device, an
    authenticator app, a security key."""

    method: str  # the Method's name
    id: str  # the method's own id for it
    label: str  # what the admin reads: "Push on the phone app (Authy)"


class Method:
    """One way of answering. Subclasses set the class attributes and override what they do;
    the defaults are "does nothing, offers nothing"."""

    name: ClassVar[str]  # recorded on the attempt and in audit events: "push", "sms"
    label: ClassVar[str]  # what people read, also on the firm's policy: "Push", "SMS"
    noun: ClassVar[str]  # in a sentence: "a texted token", "a backup code"
    # Answered in the shared "Token or Security Key" field (its part of the page goes below
    # the field) rather than on its own (above it: approve on the phone, touch a key).
    typed: ClassVar[bool] = True
    preferable: ClassVar[bool] = True  # can a person choose it as their default way?
    # A firm (or client) may switch it off; False: always allowed (recovery).
    in_policy: ClassVar[bool] = True
    # Proves possession of a factor, so it may confirm a change that adds one (a backup
    # code proves possession of paper).
    fresh: ClassVar[bool] = True
    # Satisfies "Require a security key for firm admins".
    phishing_resistant: ClassVar[bool] = False
    # A way back in for someone who lost their factor: accepted where the policy wants a
    # key (and audited as such), never offered as a way to confirm a change.
    recovery: ClassVar[bool] = False
    # Its check spends something in the portal's database (an app's time step, a code), so
    # it runs in the transaction that completes the attempt and is undone with it. False:
    # the check is made elsewhere (a provider, which nothing here can roll back), before
    # that transaction, so no lock is held while the provider answers.
    spends_in_database: ClassVar[bool] = True
    uses_phone: ClassVar[bool] = False  # usable because a mobile number is on file
    # Goes through the configured provider (texts, OneTouch), so it fails when it is down.
    through_provider: ClassVar[bool] = False
    instead: ClassVar[str] = ""  # "Use an SMS token instead." (another method failed)
    sent_as: ClassVar[str] = ""  # "Text messages", "OneTouch requests to {app}"
    typed_help: ClassVar[str] = ""  # "the token from the text message we sent you"
    shape_help: ClassVar[str] = ""  # "the token from the text message (6 or more digits)"
    signed_in_words: ClassVar[str] = ""  # "with a texted token" (the Activity page)
    # Other names its answers are recorded under, with their words ({"passkey": ...}).
    also_recorded_as: ClassVar[dict[str, str]] = {}
    wrong_reason: ClassVar[str] = "wrong"  # recorded with a wrong typed answer
    challenge_template: ClassVar[str] = ""  # its part of the challenge page
    security_template: ClassVar[str] = ""  # its part of the Security page
    # Its django-otp devices, as "app_label.modelname": a session verified by one of them
    # was verified by this method (freshness reads it without a query).
    device_models: ClassVar[tuple[str, ...]] = ()
    # The audit tags it records beyond the core's (``accounts.audit.Tag``), with their words
    # for the Activity page: {"account:email_code:sent": "Was emailed a sign-in code"}.
    audit_words: ClassVar[dict[str, str]] = {}
    # Its tags that are steps of a sign-in, for the sign-in metric: {tag: (method, result)}.
    sign_in_results: ClassVar[dict[str, tuple[str, str]]] = {}
    # The "action" a form on its part of the challenge page posts to the challenge page
    # ("check": has the push been approved?), answered by ``answer_posted``.
    posted_action: ClassVar[str] = ""

    def usable(self, user: User) -> bool:
        """Can this person answer this way now (set up, a number on file)?"""
        return False

    def left(self, user: User) -> int:
        """How many one-time answers ``user`` has left (a recovery method's codes)."""
        return 0

    def set_up_among(self, user_ids: Collection[int]) -> set[int]:
        """Which of ``user_ids`` have this method set up, in one query whatever their number
        (the people tables show it for a whole page of people)."""
        return set()

    def challenge_context(self, request: HttpRequest, attempt: SignInAttempt) -> dict:
        return {}

    def security_context(self, request: HttpRequest) -> dict:
        return {}

    def at_password_step(self, request: HttpRequest, attempt: SignInAttempt) -> None:
        """The person's default way, just after the password: send what it needs (a push, a
        text), or nothing. Failures are told to the person as messages, never raised."""

    # Typed answers ------------------------------------------------------------------------

    def normalise(self, raw: str) -> str | None:
        """The answer as this method checks it, if it has the shape of one; else None."""
        return None

    def check(
        self, attempt: SignInAttempt, answer: str, request: HttpRequest | None
    ) -> Device | None:
        """The device that issued ``answer`` for this attempt's person, or None. Runs in a
        transaction that rolls back if the sign-in cannot complete, so whatever it spends
        (a time step, a code) is spent only by a sign-in that wins. May raise
        ``ProviderError``."""
        return None

    def answer_posted(self, request: HttpRequest, attempt: SignInAttempt):
        """Answer the challenge page's form for ``posted_action``: a verification Result."""
        raise NotImplementedError

    def wrong_message(self, user: User) -> str:
        return "That code is not right, or was used already."

    def after_success(
        self, attempt: SignInAttempt, device: Device, request: HttpRequest | None
    ) -> None:
        """After a sign-in this method won, outside its transaction (tell the person)."""

    def attempt_closed(self, attempt_id: object, by: str | None) -> None:
        """The attempt succeeded by the method called ``by``, or was abandoned (None): close
        whatever this method still has open for it (a push still on the phone)."""

    # An admin's view of a person ----------------------------------------------------------

    def removable(self, user: User) -> list[Factor]:
        """The person's factors of this method that an admin may remove one by one."""
        return []

    def remove(self, user: User, factor_id: str) -> bool:
        """Remove one factor (False: it was not there)."""
        return False

    def reset(self, person: User) -> dict[str, int]:
        """An admin's reset of the person's second factor: remove what this method holds;
        how many of what, for the audit log ({} when there was nothing)."""
        return {}

    # URLs -------------------------------------------------------------------------------

    def _url_module(self):
        package = import_module(type(self).__module__.rpartition(".")[0])
        if not module_has_submodule(package, "urls"):
            return None
        return import_module(f"{package.__name__}.urls")

    def challenge_urls(self) -> list:
        """Its URLs under ``/login/`` in the ``twofactor`` namespace (a pending sign-in's)."""
        module = self._url_module()
        return list(getattr(module, "challenge_urlpatterns", [])) if module else []

    def urls(self) -> list:
        """Its other URLs, at the top of the site (Security pages, callbacks, emails)."""
        module = self._url_module()
        return list(getattr(module, "urlpatterns", [])) if module else []

    def __repr__(self) -> str:
        return f"<Method {self.name}>"


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

    return not method.in_policy or policy.method_allowed(policy.holder_of(user), method.name)


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


def reset_all(person: User) -> dict[str, int]:
    """Every method removes what it holds for ``person`` (an admin's reset)."""
    removed: dict[str, int] = {}
    for method in registry():
        removed |= method.reset(person)
    return removed
