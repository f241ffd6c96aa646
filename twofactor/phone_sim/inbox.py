"""Delivering texts to the simulated phone (its page reads them back)."""

from twofactor.phone_sim.models import SimulatedText
from twofactor.sms.base import SmsMessage


def deliver(message: SmsMessage) -> None:
    SimulatedText.objects.create(number=message.to, body=message.body[:500])

