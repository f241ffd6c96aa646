"""The test backend: texts are kept in ``twofactor.sms.locmem.outbox``."""

from twofactor.sms.base import BaseSmsBackend, SmsMessage

outbox: list[SmsMessage] = []


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)
