"""Start-up checks catch a simulated phone in production, an unknown provider, and a
chosen provider with missing or malformed settings (named in the message)."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from twofactor.checks import check_provider_settings


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


SID = "AC" + "a" * 32
TOKEN = "b" * 32
SERVICE = "VA" + "c" * 32


def messages(settings) -> str:
    return " ".join(f"{e.msg} {e.hint}" for e in check_provider_settings())


def test_the_local_provider_needs_no_credentials(settings):
    settings.TWOFACTOR_PROVIDER = "local"
    assert check_provider_settings() == []


def test_authy_without_its_key_stops_start_up_naming_the_variable(settings):
    settings.TWOFACTOR_PROVIDER = "authy"
    settings.AUTHY_API_KEY = ""
    with pytest.raises(SystemCheckError, match="AUTHY_API_KEY is not set"):
        call_command("check")


@pytest.mark.parametrize("key", ["short", "has spaces in the key 0123456789", "a" * 65])
def test_a_malformed_authy_key_is_named(settings, key):
    settings.TWOFACTOR_PROVIDER = "authy"
    settings.AUTHY_API_KEY = key
    assert "AUTHY_API_KEY is malformed" in messages(settings)


def test_authy_api_url_must_be_https_unless_loopback(settings):
    settings.TWOFACTOR_PROVIDER = "authy"
    settings.AUTHY_API_KEY = "k" * 32
    settings.AUTHY_API_URL = "http://api.authy.com"
    assert "AUTHY_API_URL" in messages(settings)
    settings.AUTHY_API_URL = "http://127.0.0.1:8765"
    assert check_provider_settings() == []


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("TWILIO_ACCOUNT_SID", "AC123"),
        ("TWILIO_ACCOUNT_SID", "XX" + "a" * 32),
        ("TWILIO_AUTH_TOKEN", "not-hex-" * 4),
        ("TWILIO_VERIFY_SERVICE_SID", "VA" + "g" * 32),
        ("TWILIO_VERIFY_SERVICE_SID", "AC" + "a" * 32),
    ],
)
def test_malformed_twilio_settings_are_named(settings, name, bad):
    settings.TWOFACTOR_PROVIDER = "twilio_verify"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_VERIFY_SERVICE_SID = SERVICE
    assert check_provider_settings() == []
    setattr(settings, name, bad)
    assert f"{name} is malformed" in messages(settings)


@pytest.mark.parametrize(
    "name", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_VERIFY_SERVICE_SID"]
)
def test_missing_twilio_settings_are_named(settings, name):
    settings.TWOFACTOR_PROVIDER = "twilio_verify"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_VERIFY_SERVICE_SID = SERVICE
    setattr(settings, name, "")
    assert f"{name} is not set" in messages(settings)


def test_the_twilio_sms_backend_needs_a_sender(settings):
    settings.TWOFACTOR_PROVIDER = "local"
    settings.SMS_BACKEND = "twofactor.sms.twilio_messaging.SmsBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_MESSAGING_FROM = ""
    assert "TWILIO_MESSAGING_FROM is not set" in messages(settings)
    settings.TWILIO_MESSAGING_FROM = "+14155550123"
    assert check_provider_settings() == []


@pytest.mark.parametrize("timeout", [0, -1, 600])
def test_a_provider_timeout_out_of_range_is_named(settings, timeout):
    settings.TWOFACTOR_PROVIDER = "local"
    settings.PROVIDER_TIMEOUT_SECONDS = timeout
    assert "PROVIDER_TIMEOUT_SECONDS" in messages(settings)


def test_a_listed_method_that_is_no_plug_in_app_is_an_error(settings):
    listed = [*settings.TWOFACTOR_METHODS, "twofactor.phone_sim"]  # installed, no Method
    assert "twofactor.E030" in ids({"TWOFACTOR_METHODS": listed}, settings)


def test_a_method_naming_a_model_that_is_no_device_is_an_error(monkeypatch, settings):
    from twofactor.methods.sms.method import SmsMethod

    monkeypatch.setattr(SmsMethod, "device_models", ("twofactor.signinattempt",))
    assert "twofactor.E031" in ids({}, settings)


def test_the_registered_methods_pass(settings):
    assert not {"twofactor.E030", "twofactor.E031"} & ids({}, settings)
