"""An SMS backend that sends real texts through Twilio Programmable Messaging.

For the ``local`` provider: the portal makes and checks the tokens; this only delivers the
text, from ``TWILIO_MESSAGING_FROM`` (a number or a Messaging Service SID) with the account's
``TWILIO_ACCOUNT_SID`` / ``TWILIO_AUTH_TOKEN``. Every send is bounded by
``PROVIDER_TIMEOUT_SECONDS`` for the whole call, behind its own circuit breaker, and fails
as a ``ProviderError``.
"""

from __future__ import annotations

import re

from twofactor.conf import conf
from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.providers.inputs import checked_ref
from twofactor.providers.twilio_client import twilio_call, twilio_client
from twofactor.sms.base import BaseSmsBackend, SmsMessage

E164 = r"\+[1-9][0-9]{6,14}"
MAX_BODY = 320  # two segments; a token text is far shorter
BREAKER_NAME = "twilio_messaging"


class SmsBackend(BaseSmsBackend):
    """``SMS_BACKEND = "twofactor.sms.twilio_messaging.SmsBackend"``."""

    def __init__(self) -> None:
        self.client = twilio_client()
        self.sender = conf.TWILIO_MESSAGING_FROM

    def send(self, number: str, body: str) -> str:
        """Text ``body`` to ``number`` (E.164); return Twilio's message SID."""
        to = checked_ref(number, E164, "phone number")
        sender = {"messaging_service_sid": self.sender}
        if re.fullmatch(E164, self.sender or ""):
            sender = {"from_": self.sender}
        with twilio_call(BREAKER_NAME):
            message = self.client.messages.create(to=to, body=body[:MAX_BODY], **sender)
        if not isinstance(message.sid, str) or not message.sid.startswith(("SM", "MM")):
            raise ProviderError(ErrorKind.BAD_RESPONSE, "no message SID")
        return message.sid

    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Send the texts; return how many went out (a ProviderError stops at the first)."""
        for message in messages:
            self.send(message.to, message.body)
        return len(messages)
