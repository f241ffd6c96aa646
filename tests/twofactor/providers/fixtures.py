"""Fixtures: providers wired to the loopback emulators, with a one-second deadline."""

import pytest

from accounts.models import User
from emulators.authy import AuthyEmulator
from emulators.twilio_verify import TwilioVerifyEmulator
from twofactor.providers import get_provider
from twofactor.providers.authy import AuthyProvider
from twofactor.providers.twilio_verify import TwilioVerifyProvider

DEADLINE = 1
# What a busy CI machine may add to a wall-clock bound: tests allow DEADLINE + SLACK, which
# is no coin toss (3.002 s once failed a 3 s bound) and still far below a hang.
SLACK = 4


@pytest.fixture
def authy_settings(settings, authy_emulator: AuthyEmulator):
    settings.TWOFACTOR_PROVIDER = "authy"
    settings.AUTHY_API_KEY = authy_emulator.api_key
    settings.AUTHY_API_URL = authy_emulator.base_url
    settings.PROVIDER_TIMEOUT_SECONDS = DEADLINE
    settings.PUBLIC_BASE_URL = "https://portal.example"
    return settings


@pytest.fixture
def twilio_settings(settings, twilio_emulator: TwilioVerifyEmulator):
    settings.TWOFACTOR_PROVIDER = "twilio_verify"
    settings.TWILIO_ACCOUNT_SID = twilio_emulator.account_sid
    settings.TWILIO_AUTH_TOKEN = twilio_emulator.auth_token
    settings.TWILIO_VERIFY_SERVICE_SID = twilio_emulator.service_sid
    settings.TWILIO_VERIFY_BASE_URL = twilio_emulator.base_url
    settings.TWILIO_MESSAGING_BASE_URL = twilio_emulator.base_url
    settings.PROVIDER_TIMEOUT_SECONDS = DEADLINE
    settings.PUBLIC_BASE_URL = "https://portal.example"
    return settings


@pytest.fixture
def authy(db, authy_settings) -> AuthyProvider:
    return get_provider("authy")


@pytest.fixture
def twilio(db, twilio_settings) -> TwilioVerifyProvider:
    return get_provider("twilio_verify")


@pytest.fixture
def person(demo_world) -> User:
    return demo_world["tech@acme.example"]
