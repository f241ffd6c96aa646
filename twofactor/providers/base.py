"""The one interface every second-factor provider implements.

A provider proves that a person holds the phone on file: it texts tokens and checks them,
and it sends OneTouch (push) approval requests and reports their answers. The portal keeps
its own record of every attempt, token and approval (``twofactor.models``); a provider only
talks to the outside service, or, for ``local``, makes and checks the tokens itself.

Every failure of the outside service surfaces as a :class:`ProviderError` with a ``kind``
that the views turn into a clear message. No provider method may block longer than
``PROVIDER_TIMEOUT_SECONDS`` in total.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User


class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    # The portal closed it: the sign-in finished another way or was abandoned.
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self is not ApprovalStatus.PENDING


class ErrorKind(enum.StrEnum):
    UNAVAILABLE = "unavailable"  # refused connection, 5xx, circuit open
    TIMEOUT = "timeout"  # no whole answer within PROVIDER_TIMEOUT_SECONDS
    RATE_LIMITED = "rate_limited"  # 429 from the provider
    BAD_RESPONSE = "bad_response"  # garbage, or a body that does not say what it should
    REJECTED = "rejected"  # the provider refused the request itself (bad number, unknown user)


_MESSAGES = {
    ErrorKind.UNAVAILABLE: "The verification service is not answering right now.",
    ErrorKind.TIMEOUT: "The verification service took too long to answer.",
    ErrorKind.RATE_LIMITED: "The verification service is busy.",
    ErrorKind.BAD_RESPONSE: "The verification service sent an answer we could not read.",
    ErrorKind.REJECTED: "The verification service refused the request.",
}


class ProviderError(Exception):
    """A provider call failed; ``kind`` says how, ``retry_after`` (seconds) when known."""

    def __init__(
        self,
        kind: ErrorKind,
        detail: str = "",
        *,
        retry_after: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail or _MESSAGES[kind])
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.code = code

    @property
    def user_message(self) -> str:
        message = _MESSAGES[self.kind]
        if self.retry_after:
            message += f" Try again in {self.retry_after} seconds."
        return message


class InvalidCallback(Exception):
    """A provider callback failed its signature, freshness or replay check."""


@dataclass(frozen=True)
class CallbackAnswer:
    """What a verified provider callback says: this request now has this status."""

    request_ref: str
    status: ApprovalStatus
    replay_key: str = ""  # nonce or idempotency token, remembered to refuse replays


@dataclass(frozen=True)
class ApprovalDetails:
    """What the person sees on the phone, and what binds the request to the attempt."""

    message: str
    details: dict[str, str] = field(default_factory=dict)
    hidden_details: dict[str, str] = field(default_factory=dict)
    expires_in: int = 120


@dataclass(frozen=True)
class PushFactor:
    """A phone app enrolled for push at the provider, as the Security page lists it."""

    id: str
    friendly_name: str
    created: datetime | None
    status: str  # the provider's word: "verified", or "unverified" while enrolment is unfinished


class Provider:
    """Base class: subclasses implement every method or inherit the refusal below."""

    name: str = ""
    # What the person installs on the phone, for help text ("the Authy app").
    app_name: str = ""
    # False where SMS and push go through the same outside service: when it is down,
    # neither method can be offered as the fallback for the other.
    independent_methods: bool = False
    # What the portal may assume of it, so no caller branches on a provider's name:
    # True: answers to approval requests must be asked of it (a bounded poll), not only awaited.
    polled_for_answers: bool = True
    # True: it works with no outside service at all, so demo seeding may register phones with it.
    needs_no_outside_service: bool = False
    # True: its approval requests are answered on the simulated phone (``twofactor.phone_sim``).
    answers_on_simulated_phone: bool = False
    # True: its push needs the operator's own phone app, enrolled through the portal.
    enrols_push_app: bool = False
    # A note about its phone app for the lost-phone help page, or "" for none.
    help_note: str = ""

    def register(self, user: User, phone: str, *, send_install_link: bool = False) -> str:
        """Register (or update) ``user`` with ``phone`` (E.164); return the provider's ref."""
        raise NotImplementedError

    def unregister(self, ref: str) -> None:
        """Remove the provider's record of a person; a missing one is not an error."""
        raise NotImplementedError

    def send_sms(self, user: User, ref: str, phone: str, *, attempt_id: str) -> None:
        """Text a token to ``phone`` for the sign-in attempt ``attempt_id``."""
        raise NotImplementedError

    def check_token(
        self, user: User, ref: str, phone: str, token: str, *, attempt_id: str
    ) -> bool:
        """True when ``token`` is right for this person and attempt, False when wrong."""
        raise NotImplementedError

    def create_approval(self, user: User, ref: str, approval: ApprovalDetails) -> str:
        """Send a OneTouch/push approval request; return the provider's id for it."""
        raise NotImplementedError

    def approval_status(self, ref: str, request_ref: str) -> ApprovalStatus:
        """Ask the provider for the current answer to an approval request."""
        raise NotImplementedError

    def parse_callback(self, request: HttpRequest) -> CallbackAnswer:
        """Verify a callback's signature and freshness; raise InvalidCallback if not."""
        raise InvalidCallback("This provider sends no callbacks.")

    def enrollment_data(self, user: User, ref: str) -> dict[str, Any]:
        """What a phone app needs from the portal to enrol (e.g. a Verify access token)."""
        return {}

    def push_factors(self, user: User) -> list[PushFactor]:
        """The phone apps enrolled for ``user``'s push at the provider (apps the portal never
        sees being enrolled, such as Verify Push factors). None where the provider enrols none."""
        return []

    def delete_push_factor(self, user: User, factor_id: str) -> bool:
        """Remove one of ``user``'s push apps; False if it was already gone."""
        raise NotImplementedError
