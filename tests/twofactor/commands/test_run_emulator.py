"""run_emulator serves a provider emulator on 127.0.0.1 and prints how to use it."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("authy", "TWOFACTOR_PROVIDER=authy AUTHY_API_URL=http://127.0.0.1:"),
        (
            "twilio_verify",
            "TWOFACTOR_PROVIDER=twilio_verify TWILIO_VERIFY_BASE_URL=http://127.0.0.1:",
        ),
    ],
)
def test_it_prints_the_settings_and_obeys_commands(monkeypatch, provider, expected):
    monkeypatch.setattr("sys.stdin", io.StringIO("list\napprove 9\nquit\n"))
    out = io.StringIO()
    call_command("run_emulator", provider, "--port", "0", stdout=out)
    text = out.getvalue()
    assert expected in text
    assert "nothing pending" in text
    assert "Emulator stopped." in text
