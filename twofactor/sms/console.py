"""The development backend: texts are written to standard output."""

import sys

from twofactor.sms.base import BaseSmsBackend, SmsMessage


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return len(messages)
