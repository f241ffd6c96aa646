"""Start-up checks catch a simulated phone in production and an unknown provider."""

from django.core.checks import run_checks


def ids(settings_overrides, settings):
    for name, value in settings_overrides.items():
        setattr(settings, name, value)
    return {message.id for message in run_checks()}


def test_the_simulated_phone_with_debug_off_is_an_error(settings):
    assert "twofactor.E002" in ids({"DEBUG": False, "SIMULATED_PHONE": True}, settings)


def test_an_unknown_provider_is_an_error(settings):
    assert "twofactor.E001" in ids({"TWOFACTOR_PROVIDER": "carrier-pigeon"}, settings)


def test_the_development_settings_pass(settings):
    assert not {"twofactor.E001", "twofactor.E002"} & ids({"DEBUG": True}, settings)
