"""Every way a provider can misbehave, and what the portal must make of it."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from emulators.base import Emulator
from tests.twofactor.providers.fixtures import DEADLINE, SLACK
from twofactor.providers.base import ErrorKind, ProviderError


@dataclass(frozen=True)
class Fault:
    name: str
    switch: str
    value: Any
    kind: ErrorKind


FAULTS = [
    Fault("never_answers", "hang", True, ErrorKind.TIMEOUT),
    Fault("drips_a_byte_at_a_time", "drip", 0.2, ErrorKind.TIMEOUT),
    Fault("answers_503", "status_5xx", 503, ErrorKind.UNAVAILABLE),
    Fault("answers_429_retry_after", "status_429", 42, ErrorKind.RATE_LIMITED),
    Fault("answers_garbage", "garbage", True, ErrorKind.BAD_RESPONSE),
    Fault("answers_error_json", "error_json", None, ErrorKind.REJECTED),
    Fault("refuses_connections", "refuse", None, ErrorKind.UNAVAILABLE),
]


def assert_fails_as(
    fault: Fault, emulator: Emulator, call: Callable[[], Any], error_code: str = "60027"
) -> ProviderError:
    """Switch ``fault`` on, make ``call``: it fails as ``fault.kind`` within the deadline
    (plus SLACK for a busy machine)."""
    if fault.switch == "refuse":
        emulator.refuse()
    elif fault.switch == "error_json":
        emulator.faults.error_json = (400, error_code)
    else:
        setattr(emulator.faults, fault.switch, fault.value)
    started = time.monotonic()
    with pytest.raises(ProviderError) as raised:
        call()
    elapsed = time.monotonic() - started
    emulator.faults.reset()
    error = raised.value
    assert error.kind is fault.kind, error
    assert elapsed < DEADLINE + SLACK
    if fault.kind is ErrorKind.RATE_LIMITED:
        assert error.retry_after == 42
        assert "42 seconds" in error.user_message
    if fault.switch == "error_json":
        assert error.code == error_code
    return error
