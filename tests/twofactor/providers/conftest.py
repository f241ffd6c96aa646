from tests.twofactor.providers.fixtures import (  # noqa: F401
    authy,
    authy_emulator,
    authy_settings,
    person,
    twilio,
    twilio_emulator,
    twilio_settings,
)
