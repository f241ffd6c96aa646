"""SMS backends, in the manner of Django's email backends."""

from twofactor.phone_sim.models import SimulatedText
from twofactor.sms import send_sms


def test_the_configured_backend_receives_the_text(db, sms_outbox):
    send_sms("+12015550102", "hello")

    assert [(m.to, m.body) for m in sms_outbox] == [("+12015550102", "hello")]


def test_the_console_backend_writes_to_standard_output(db, settings, capsys):
    settings.SMS_BACKEND = "twofactor.sms.console.SmsBackend"

    send_sms("+12015550102", "hello")

    assert "SMS to +12015550102: hello" in capsys.readouterr().out


def test_the_simulated_phone_always_receives_whatever_the_backend(db, settings, capsys):
    settings.SMS_BACKEND = "twofactor.sms.console.SmsBackend"

    send_sms("+12015550102", "hello")

    assert SimulatedText.objects.get().body == "hello"
