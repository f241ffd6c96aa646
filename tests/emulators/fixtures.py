"""Pytest fixtures serving the emulators; import them into a ``conftest.py`` to use them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.authy import AuthyEmulator
from emulators.spec import validate_exchanges
from emulators.twilio_verify import TwilioVerifyEmulator


@pytest.fixture
def authy_emulator() -> Iterator[AuthyEmulator]:
    with AuthyEmulator() as emulator:
        yield emulator


@pytest.fixture
def twilio_emulator() -> Iterator[TwilioVerifyEmulator]:
    """A Twilio Verify emulator whose every response is checked against Twilio's spec."""
    with TwilioVerifyEmulator() as emulator:
        yield emulator
    validate_exchanges(emulator)
