"""Provider fixtures (loopback emulators) for every second-factor test."""

from tests.emulators.fixtures import authy_emulator, twilio_emulator  # noqa: F401
from tests.twofactor.providers.fixtures import (  # noqa: F401
    authy,
    authy_settings,
    person,
    twilio,
    twilio_settings,
)
