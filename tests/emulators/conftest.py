from tests.emulators.fixtures import authy_emulator, twilio_emulator  # noqa: F401
