"""What every SMS backend implements: ``send_messages(messages)``."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Send the texts; return how many were sent."""
        raise NotImplementedError
