"""What a way of answering the second step is: the ``Method`` class each plug-in app fills
in, and ``Factor``, one thing of a person's an admin can remove alone. The registry that
reads them is the package itself (``twofactor.methods``); docs/methods.md walks through
adding one."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, ClassVar

from django.utils.module_loading import module_has_submodule

if TYPE_CHECKING:
    from collections.abc import Collection

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
    # Weak on its own (a texted code: SIM swaps, phishing): the Security overview lists the
    # people who have only weak ways, or none, so an admin can remind them to add another.
    weak: ClassVar[bool] = False
    # A way back in for someone who lost their factor: accepted where the policy wants a
    # key (and audited as such), never offered as a way to confirm a change.
    recovery: ClassVar[bool] = False
    # Its check spends something in the portal's database (an app's time step, a code), so
    # it runs in the transaction that completes the attempt and is undone with it. False:
    # the check is made elsewhere (a provider, which nothing here can roll back), before
    # that transaction, so no lock is held while the provider answers.
    spends_in_database: ClassVar[bool] = True
    uses_phone: ClassVar[bool] = False  # usable because a mobile number is on file
    # What ``reset`` removes, in words for the admin about to reset ("" when nothing).
    reset_words: ClassVar[str] = ""
    # Goes through the configured provider (texts, OneTouch), so it fails when it is down.
    through_provider: ClassVar[bool] = False
    instead: ClassVar[str] = ""  # "Use an SMS token instead." (another method failed)
    sent_as: ClassVar[str] = ""  # "Text messages", "OneTouch requests to {app}"
    typed_help: ClassVar[str] = ""  # "the token from our text message"
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
    # Its set-up page's URL name, where a person with no way yet can add this one right
    # after the password (the first sign-in); "" where people cannot set it up themselves
    # (a texted token needs the number an admin puts on file).
    set_up_url: ClassVar[str] = ""
    set_up_label: ClassVar[str] = ""  # "The Partner Portal app on your phone"
    set_up_help: ClassVar[str] = ""  # what it takes, in a sentence
    set_up_order: ClassVar[int] = 100  # lower first on the first sign-in's list

    def usable(self, user: User) -> bool:
        """Can this person answer this way now (set up, a number on file)?"""
        return False

    def paused(self, user: User) -> str:
        """Why this way cannot be used now though it is set up and allowed (pushes paused
        after "This wasn't me"), in a sentence for the challenge page; "" when it can."""
        return ""

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

    def phone_lost(self, person: User) -> None:
        """The person lost their phone (a number change for a lost phone completed): remove
        what lived on it, so it cannot answer."""

    def deactivated(self, person: User) -> None:
        """The person was deactivated: remove what must not outlive that (reactivation
        restores the account, not this)."""

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
