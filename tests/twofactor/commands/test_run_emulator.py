"""run_emulator serves a provider emulator on 127.0.0.1 and prints how to use it."""

import io
import json
import os
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from twofactor.methods.push.portal_app import webpush
from twofactor.methods.push.portal_app.webpush import Outcome


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



class Lines(io.StringIO):
    """Output another thread writes; wait_for returns the first line holding a text."""

    def wait_for(self, text: str, seconds: float = 5.0) -> str:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            for line in self.getvalue().splitlines():
                if text in line:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not printed: {self.getvalue()}")


def test_web_push_prints_subscriptions_and_each_push_decrypted(monkeypatch, settings):
    """A subscription from `subscribe` takes a push from the portal, printed decrypted."""
    settings.DEBUG = True  # development sends to a loopback endpoint
    reader, writer = os.pipe()
    monkeypatch.setattr("sys.stdin", os.fdopen(reader))
    commands = os.fdopen(writer, "w", buffering=1)
    out = Lines()
    serving = threading.Thread(
        target=call_command, args=("run_emulator", "web_push", "--port", "0"),
        kwargs={"stdout": out}, daemon=True,
    )
    serving.start()

    commands.write("subscribe\n")
    made = json.loads(out.wait_for('{"endpoint"'))
    subscription = SimpleNamespace(
        endpoint=made["endpoint"], p256dh=made["keys"]["p256dh"], auth=made["keys"]["auth"]
    )
    assert webpush.send(subscription, b"request 42", ttl=60, topic="t").outcome is Outcome.SENT
    assert "b'request 42' (TTL 60, Urgency high" in out.wait_for("Push to ")

    commands.write("quit\n")
    serving.join(5)
    assert "Emulator stopped." in out.getvalue()
