"""Real texts for the local provider through Twilio Programmable Messaging (emulated)."""

import time

import pytest

from tests.twofactor.providers.fixtures import DEADLINE, SLACK
from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.sms.base import SmsMessage
from twofactor.sms.twilio_messaging import SmsBackend


@pytest.fixture
def backend(db, twilio_settings) -> SmsBackend:
    twilio_settings.TWOFACTOR_PROVIDER = "local"
    twilio_settings.TWILIO_MESSAGING_FROM = "+15005550001"
    return SmsBackend()


def test_a_text_goes_out_from_the_configured_number(backend, twilio_emulator):
    sid = backend.send("+12015550102", "Your Partner Portal token: 123456")
    assert sid.startswith("SM")
    sent = twilio_emulator.messages[-1]
    assert (sent["to"], sent["from"]) == ("+12015550102", "+15005550001")
    assert sent["body"] == "Your Partner Portal token: 123456"


def test_a_messaging_service_sid_can_be_the_sender(backend, twilio_settings, twilio_emulator):
    twilio_settings.TWILIO_MESSAGING_FROM = "MG" + "a" * 32
    SmsBackend().send("+12015550102", "hello")
    assert twilio_emulator.messages[-1]["messaging_service_sid"] == "MG" + "a" * 32


def test_send_messages_sends_each(backend, twilio_emulator):
    texts = [SmsMessage("+12015550102", "a"), SmsMessage("+12015550103", "b")]
    assert backend.send_messages(texts) == 2
    assert [m["to"] for m in twilio_emulator.messages] == ["+12015550102", "+12015550103"]


def test_a_number_that_is_not_e164_is_never_sent(backend, twilio_emulator):
    with pytest.raises(ProviderError) as error:
        backend.send("2015550102/../../Calls", "x")
    assert error.value.kind is ErrorKind.REJECTED
    assert twilio_emulator.exchanges == []


def test_a_silent_messaging_api_fails_within_the_deadline(backend, twilio_emulator):
    twilio_emulator.faults.drip = 0.2
    started = time.monotonic()
    with pytest.raises(ProviderError) as error:
        backend.send("+12015550102", "x")
    assert error.value.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < DEADLINE + SLACK


def test_twilios_refusal_keeps_its_code(backend, twilio_emulator):
    twilio_emulator.faults.error_json = (400, 21610)
    with pytest.raises(ProviderError) as error:
        backend.send("+12015550102", "x")
    assert (error.value.kind, error.value.code) == (ErrorKind.REJECTED, "21610")
