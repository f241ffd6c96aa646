"""A fake provider for tests: the whole Provider interface in memory, registered in test
settings as ``fake`` (``tests.settings``) and switched on by the ``fake_provider`` fixture.

It stands for a remote provider (its answers are polled; nothing outside is called). It
records what the portal asked of it, and a test sets what it answers:

- ``provider.token_is_right = True / False`` (default None: right when it is a token it
  texted for that attempt);
- ``provider.approval_answer = ApprovalStatus.APPROVED`` (what ``approval_status`` reports);
- ``provider.fail("check_token", ErrorKind.UNAVAILABLE)`` (or any exception) makes that
  operation raise until ``provider.succeed("check_token")``;
- ``provider.set(polled_for_answers=False)`` changes a capability attribute;
- ``provider.enrol_app(user, "Pixel")`` stands for a phone app enrolling for push.

Recorded: ``registered``, ``unregistered``, ``texts`` (with their tokens), ``approvals``
(successful calls); ``push_apps`` (by user id), ``deleted_apps``;
``checks`` and ``polls`` (every call, also those made to fail); and
``asked_count(operation)`` for any operation, failed or not.

The state lives in one module-level object, not in the instance: ``get_provider`` builds
providers afresh whenever a setting changes, and every instance must see the same record.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection

from twofactor.providers.base import (
    ApprovalDetails,
    ApprovalStatus,
    ErrorKind,
    Provider,
    ProviderError,
    PushFactor,
)

if TYPE_CHECKING:
    from accounts.models import User

CAPABILITIES = (
    "independent_methods",
    "polled_for_answers",
    "needs_no_outside_service",
    "answers_on_simulated_phone",
    "enrols_push_app",
)


@dataclass(frozen=True)
class Registration:
    user_id: int
    phone: str
    ref: str


@dataclass(frozen=True)
class Text:
    user_id: int
    phone: str
    attempt_id: str
    token: str


@dataclass(frozen=True)
class Check:
    user_id: int
    attempt_id: str
    token: str
    right: bool | None  # None when the check raised
    in_transaction: bool  # whether the portal held a transaction open while asking


@dataclass(frozen=True)
class Approval:
    user_id: int
    ref: str
    request_ref: str
    details: ApprovalDetails


@dataclass
class _State:
    registered: list[Registration] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    polls: list[str] = field(default_factory=list)  # request refs asked about
    push_apps: dict[int, list[PushFactor]] = field(default_factory=dict)  # by user id
    deleted_apps: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)  # every operation called, failed or not
    token_is_right: bool | None = None
    approval_answer: ApprovalStatus = ApprovalStatus.PENDING
    failures: dict[str, BaseException] = field(default_factory=dict)
    capabilities: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # races call from threads
    numbers: Any = field(default_factory=lambda: itertools.count(1))


_state = _State()

ANSWERS = ("token_is_right", "approval_answer")


class FakeProvider(Provider):
    name = "fake"
    app_name = "the Fake app"
    independent_methods = True
    polled_for_answers = True
    needs_no_outside_service = False  # it stands for an outside service: seeding skips it
    answers_on_simulated_phone = False
    enrols_push_app = False

    OPERATIONS = (
        "register",
        "unregister",
        "send_sms",
        "check_token",
        "create_approval",
        "approval_status",
        "enrollment_data",
        "push_factors",
        "delete_push_factor",
    )

    def __init__(self) -> None:
        for name, value in _state.capabilities.items():
            object.__setattr__(self, name, value)

    # -- what the test reads and sets ------------------------------------------------------

    @staticmethod
    def reset() -> None:
        """Forget every call and answer (the fixture does this before and after a test)."""
        global _state
        _state = _State()

    def __getattr__(self, name: str) -> Any:  # registered, texts, checks, ... from the state
        if name in _State.__dataclass_fields__:
            return getattr(_state, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ANSWERS:
            setattr(_state, name, value)
        elif name in CAPABILITIES:
            self.set(**{name: value})
        else:
            object.__setattr__(self, name, value)

    def set(self, **capabilities: Any) -> None:
        """Change capability attributes, for this and every later instance of the test."""
        unknown = set(capabilities) - set(CAPABILITIES)
        if unknown:
            raise AttributeError(f"not a capability: {sorted(unknown)}")
        _state.capabilities.update(capabilities)
        for name, value in capabilities.items():
            object.__setattr__(self, name, value)

    def fail(self, operation: str, error: ErrorKind | BaseException) -> None:
        """Make ``operation`` raise ``error`` (a ProviderError of that kind for an ErrorKind)."""
        if operation not in self.OPERATIONS:
            raise ValueError(f"not a provider operation: {operation}")
        if isinstance(error, ErrorKind):
            error = ProviderError(error)
        _state.failures[operation] = error

    def succeed(self, operation: str) -> None:
        _state.failures.pop(operation, None)

    def token_for(self, attempt_id: object) -> str:
        """The last token texted for the attempt."""
        return [text.token for text in _state.texts if text.attempt_id == str(attempt_id)][-1]

    def asked_count(self, operation: str) -> int:
        """How often ``operation`` was called, whether it answered or raised."""
        return _state.asked.count(operation)

    def enrol_app(self, user: User, friendly_name: str = "Test phone") -> str:
        """A phone app enrols for ``user``'s push, as it would at the provider directly."""
        factor = PushFactor(
            f"fake-app-{next(_state.numbers)}", friendly_name, datetime.now(UTC), "verified"
        )
        with _state.lock:
            _state.push_apps.setdefault(user.pk, []).append(factor)
        return factor.id

    def _maybe_fail(self, operation: str) -> None:
        with _state.lock:
            _state.asked.append(operation)
        error = _state.failures.get(operation)
        if error is not None:
            raise error

    # -- the Provider interface ------------------------------------------------------------

    def register(self, user: User, phone: str, *, send_install_link: bool = False) -> str:
        self._maybe_fail("register")
        ref = f"fake-user-{user.pk}"
        with _state.lock:
            _state.registered.append(Registration(user.pk, phone, ref))
        return ref

    def unregister(self, ref: str) -> None:
        self._maybe_fail("unregister")
        with _state.lock:
            _state.unregistered.append(ref)

    def send_sms(self, user: User, ref: str, phone: str, *, attempt_id: str) -> None:
        self._maybe_fail("send_sms")
        token = f"{secrets.randbelow(10**7):07d}"
        with _state.lock:
            _state.texts.append(Text(user.pk, phone, str(attempt_id), token))

    def check_token(
        self, user: User, ref: str, phone: str, token: str, *, attempt_id: str
    ) -> bool:
        in_transaction = connection.in_atomic_block
        with _state.lock:
            _state.asked.append("check_token")
        error = _state.failures.get("check_token")
        if error is not None:
            right = None
        elif _state.token_is_right is not None:
            right = _state.token_is_right
        else:
            right = any(
                text.attempt_id == str(attempt_id) and text.token == token
                for text in _state.texts
            )
        with _state.lock:
            _state.checks.append(Check(user.pk, str(attempt_id), token, right, in_transaction))
        if error is not None:
            raise error
        return right

    def create_approval(self, user: User, ref: str, approval: ApprovalDetails) -> str:
        self._maybe_fail("create_approval")
        with _state.lock:
            request_ref = f"fake-approval-{next(_state.numbers)}"
            _state.approvals.append(Approval(user.pk, ref, request_ref, approval))
        return request_ref

    def approval_status(self, ref: str, request_ref: str) -> ApprovalStatus:
        with _state.lock:
            _state.polls.append(request_ref)
        self._maybe_fail("approval_status")
        return _state.approval_answer

    def enrollment_data(self, user: User, ref: str) -> dict[str, Any]:
        self._maybe_fail("enrollment_data")
        return {"identity": ref}

    def push_factors(self, user: User) -> list[PushFactor]:
        self._maybe_fail("push_factors")
        return list(_state.push_apps.get(user.pk, []))

    def delete_push_factor(self, user: User, factor_id: str) -> bool:
        self._maybe_fail("delete_push_factor")
        with _state.lock:
            apps = _state.push_apps.get(user.pk, [])
            kept = [app for app in apps if app.id != factor_id]
            _state.push_apps[user.pk] = kept
            if len(kept) == len(apps):
                return False
            _state.deleted_apps.append(factor_id)
        return True
