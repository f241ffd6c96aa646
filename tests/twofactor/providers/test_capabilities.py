"""What each provider says it can do: callers ask these attributes, never a provider's name."""

import pytest

from twofactor.providers import names_where
from twofactor.providers.authy import AuthyProvider
from twofactor.providers.local import LocalProvider
from twofactor.providers.twilio_verify import TwilioVerifyProvider

CAPABILITIES = {
    # polled_for_answers, needs_no_outside_service, answers_on_simulated_phone, enrols_push_app
    LocalProvider: (False, True, True, False),
    AuthyProvider: (True, False, False, False),
    TwilioVerifyProvider: (True, False, False, True),
}


@pytest.mark.parametrize("provider", CAPABILITIES, ids=lambda cls: cls.name)
def test_each_provider_states_its_capabilities(provider):
    stated = (
        provider.polled_for_answers,
        provider.needs_no_outside_service,
        provider.answers_on_simulated_phone,
        provider.enrols_push_app,
    )
    assert stated == CAPABILITIES[provider]


def test_only_the_local_provider_is_answered_on_the_simulated_phone():
    assert names_where("answers_on_simulated_phone") == ["local"]


def test_the_help_page_adds_the_authy_note_only_for_authy(client, demo_world, authy_settings):
    assert "desktop apps" in client.get("/login/help/").content.decode()
    authy_settings.TWOFACTOR_PROVIDER = "local"
    assert "desktop apps" not in client.get("/login/help/").content.decode()
